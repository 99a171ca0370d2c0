/** Egress rules, read alike from security groups, security group rules and VPC egress rules. */
import { AllowedEgress } from "../../../rules/rule";
import { allProtocols, Permission, permissionsOf } from "./security-group-permissions";
import type { ResourceView } from "../../../rules/stack-view";

/** One egress permission. */
export type Egress = Permission;

/** Resource types that carry egress rules of a security group the project makes. */
export const EGRESS_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule"] as const;

/** The egress permissions of a resource. */
export function egressOf(resource: ResourceView): Egress[] {
  return permissionsOf(resource, "egress");
}

/** The protocol's canonical name: `all`, `tcp`, `udp`, or its number. */
export function canonicalProtocol(protocol: string): string {
  if (allProtocols(protocol)) return "all";
  return ({ "6": "tcp", "17": "udp" } as Record<string, string>)[protocol] ?? protocol.toLowerCase();
}

/** True for a permission on every port: all protocols, or a tcp/udp range from the first port to the last. */
export function onAllPorts(rule: Egress): boolean {
  const protocol = canonicalProtocol(rule.protocol);
  return protocol === "all" || ((protocol === "tcp" || protocol === "udp") && rule.fromPort <= 1 && rule.toPort >= 65535);
}

/** True when the definition's extra egress asks for exactly this permission to `cidr`. */
export function askedFor(rule: Egress, cidr: string, allowed: readonly AllowedEgress[]): boolean {
  const protocol = canonicalProtocol(rule.protocol);
  return allowed.some(
    (a) =>
      canonicalProtocol(a.protocol) === protocol &&
      (protocol === "all" || (a.fromPort === rule.fromPort && a.toPort === rule.toPort)) &&
      a.cidrs.includes(cidr),
  );
}

/** `egress[0] (all traffic, "..."), in messages. */
export function describeEgress(rule: Egress): string {
  const where = rule.where ? `${rule.where} ` : "";
  const what = allProtocols(rule.protocol) ? "all traffic" : `${rule.protocol} ${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
  return `${where}(${what}${rule.description ? `, "${rule.description}"` : ""})`;
}
