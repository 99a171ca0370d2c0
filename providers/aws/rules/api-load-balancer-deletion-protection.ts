/**
 * KP-NET-6: the API load balancers are protected against deletion. A warning: protection is
 * opt-in (`controlPlane.apiLoadBalancer.deletionProtection`), since a protected balancer makes
 * `destroy` fail until it is turned off again.
 */
import { isTrue, Rule } from "../../../rules/rule";

export const apiLoadBalancerDeletionProtection: Rule = {
  id: "KP-NET-6",
  name: "api-load-balancer-deletion-protection",
  level: "warning",
  explanation:
    "A load balancer in front of the Kubernetes API should have deletion protection (enable_deletion_protection = true): " +
    "deleting it by mistake, in the console or with another tool, cuts every client off from the API (the internal one " +
    "also every node of an HA control plane). Set controlPlane.apiLoadBalancer.deletionProtection: true in the definition; " +
    "turn it off again before destroying the cluster. A cluster that does without it (a short-lived one) can suppress this rule.",
  resourceTypes: ["aws_lb", "aws_alb"],
  check(resource) {
    if (isTrue(resource.config.enable_deletion_protection)) return [];
    return ["has no deletion protection (enable_deletion_protection is not true): one mistaken delete cuts clients off from the API (controlPlane.apiLoadBalancer.deletionProtection)"];
  },
};
