/** Egress rules, read alike from security groups, security group rules and VPC egress rules. */
import { allProtocols } from "./ingress";
import { AllowedEgress, blocks, strings } from "./rule";
import type { ResourceView } from "./stack-view";

/** One egress permission. */
export interface Egress {
  /** Where in the resource, e.g. `egress[2]`, or "" for a rule resource. */
  readonly where: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: readonly string[];
  readonly description?: string;
}

/** Resource types that carry egress rules of a security group the project makes. */
export const EGRESS_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule"] as const;

const port = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/** The egress permissions of a resource. */
export function egressOf(resource: ResourceView): Egress[] {
  const c = resource.config;
  const read = (r: Record<string, unknown>, where: string, cidrs: string[]): Egress => {
    const protocol = String(r.protocol ?? r.ip_protocol ?? "-1");
    const all = allProtocols(protocol);
    return {
      where,
      protocol,
      fromPort: all ? 0 : port(r.from_port, 0),
      toPort: all ? 65535 : port(r.to_port, 65535),
      cidrs,
      description: typeof r.description === "string" ? r.description : undefined,
    };
  };
  switch (resource.type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return blocks(c.egress).map((r, i) => read(r, `egress[${i}]`, [...strings(r.cidr_blocks), ...strings(r.ipv6_cidr_blocks)]));
    case "aws_security_group_rule":
      return c.type === "egress" ? [read(c, "", [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)])] : [];
    case "aws_vpc_security_group_egress_rule":
      return [read(c, "", [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)])];
    default:
      return [];
  }
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
