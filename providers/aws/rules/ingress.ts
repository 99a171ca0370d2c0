/** Ingress rules, read alike from security groups, security group rules and VPC ingress rules. */
import { allProtocols, Permission, permissionsOf } from "./security-group-permissions";
import type { ResourceView } from "../../../rules/stack-view";

/** One ingress permission. */
export type Ingress = Permission;

/** Resource types that carry ingress rules. */
export const INGRESS_TYPES = ["aws_security_group", "aws_default_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"] as const;

/** The ingress permissions of a resource. */
export function ingressOf(resource: ResourceView): Ingress[] {
  return permissionsOf(resource, "ingress");
}

/** `tcp 22-22`, `all traffic`, in messages. */
export function describeIngress(rule: Ingress): string {
  const where = rule.where ? `${rule.where} ` : "";
  const what = allProtocols(rule.protocol) ? "all traffic" : `${rule.protocol} ${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
  return `${where}(${what}${rule.description ? `, "${rule.description}"` : ""})`;
}
