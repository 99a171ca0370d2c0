/** KP-NET-2: no port of any group is open to the whole internet. */
import { describeIngress, INGRESS_TYPES, ingressOf } from "./ingress";
import { describeWorld, isWorld, Rule } from "../../../rules/rule";

export const noWorldIngress: Rule = {
  id: "KP-NET-2",
  name: "no-world-ingress",
  level: "error",
  explanation:
    "No security group may admit traffic from 0.0.0.0/0 or ::/0 (or a block broader than a /8, or an IPv6 /16) on any " +
    "port range: the cluster is reached from " +
    "inside the VPC, and a public API endpoint only from the definition's controlPlane.publicApi.allowedCidrs.",
  resourceTypes: [...INGRESS_TYPES],
  check(resource) {
    return ingressOf(resource).flatMap((r) => r.cidrs.filter(isWorld).map((cidr) => `ingress ${describeIngress(r)} admits ${describeWorld(cidr)}`));
  },
};
