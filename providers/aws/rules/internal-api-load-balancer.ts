/**
 * KP-NET-3: load balancers are internal, unless the definition opts into a public API endpoint;
 * then only the allow-listed CIDRs (and the VPC) may reach it. Either way no private DNS record
 * (the nodes' API endpoint) points at an internet-facing balancer: nodes in private subnets reach
 * one only through NAT, from an address its allow-list does not name.
 */
import { ingressOf } from "./ingress";
import { blocks, isTrue, Rule, strings } from "../../../rules/rule";
import type { ResourceView, StackView } from "../../../rules/stack-view";

/** Resources that add ingress to a security group from outside it. */
const ATTACHED_INGRESS_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"];

/** A group's own ingress blocks and the rule resources attached to it (`security_group_id = group.id`). */
function ingressSources(group: ResourceView, stack: StackView): ResourceView[] {
  const attached = stack.ofType(...ATTACHED_INGRESS_TYPES).filter((r) => stack.referenced(r.config.security_group_id)?.address === group.address);
  return [group, ...attached];
}

export const internalApiLoadBalancer: Rule = {
  id: "KP-NET-3",
  name: "internal-api-load-balancer",
  level: "error",
  explanation:
    "The API load balancer must be internal (internal = true). A cluster whose definition sets " +
    "controlPlane.publicApi.allowedCidrs may have an internet-facing one, whose security groups admit only those CIDRs " +
    "and the VPC; it is an additional way in: no DNS record (aws_route53_record, such as the nodes' API endpoint " +
    "api.<cluster>.<privateDnsZone>) may point at it, nodes use the internal one.",
  resourceTypes: ["aws_lb", "aws_alb", "aws_elb", "aws_route53_record"],
  check(resource, { stack, cluster }) {
    if (resource.type === "aws_route53_record") {
      return blocks(resource.config.alias).flatMap((alias) => {
        const target = stack.referenced(alias.name);
        if (!target || !["aws_lb", "aws_alb", "aws_elb"].includes(target.type) || isTrue(target.config.internal)) return [];
        return [`points at the internet-facing balancer ${target.address}: nodes would reach their API through NAT, which its allow-list does not admit; point it at an internal one`];
      });
    }
    if (isTrue(resource.config.internal)) return [];
    const allowList = cluster.publicApiCidrs ?? [];
    if (allowList.length === 0) {
      return ["is internet-facing (internal is not true), and the definition does not opt into a public API endpoint (controlPlane.publicApi.allowedCidrs)"];
    }
    const groups = strings(resource.config.security_groups);
    if (groups.length === 0) return ["is internet-facing without security groups, so nothing enforces controlPlane.publicApi.allowedCidrs"];
    const allowed = new Set([...allowList, ...(cluster.networkCidr ? [cluster.networkCidr] : [])]);
    const problems: string[] = [];
    for (const groupRef of groups) {
      const group = stack.referenced(groupRef);
      if (!group) {
        problems.push(`is internet-facing behind security group ${groupRef}, which is not made in this stack, so its sources cannot be checked`);
        continue;
      }
      for (const source of ingressSources(group, stack)) {
        const through = source === group ? "" : ` through ${source.address}`;
        for (const rule of ingressOf(source)) {
          for (const cidr of rule.cidrs.filter((c) => !allowed.has(c))) {
            problems.push(`is internet-facing and its security group ${group.address} admits ${cidr}${through}, which is not in controlPlane.publicApi.allowedCidrs`);
          }
        }
      }
    }
    return problems;
  },
};
