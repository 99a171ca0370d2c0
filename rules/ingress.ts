/** Ingress rules, read alike from security groups, security group rules and VPC ingress rules. */
import { blocks, strings } from "./rule";
import type { ResourceView } from "./stack-view";

/** One ingress permission. */
export interface Ingress {
  /** Where in the resource, e.g. `ingress[2]`, or "" for a rule resource. */
  readonly where: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: readonly string[];
  readonly description?: string;
}

/** Resource types that carry ingress rules. */
export const INGRESS_TYPES = ["aws_security_group", "aws_default_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"] as const;

const port = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/** True for "all protocols" (every port). */
export function allProtocols(protocol: string): boolean {
  return protocol === "-1" || protocol.toLowerCase() === "all";
}

/** The ingress permissions of a resource. */
export function ingressOf(resource: ResourceView): Ingress[] {
  const c = resource.config;
  const read = (r: Record<string, unknown>, where: string, cidrs: string[]): Ingress => {
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
      return blocks(c.ingress).map((r, i) => read(r, `ingress[${i}]`, [...strings(r.cidr_blocks), ...strings(r.ipv6_cidr_blocks)]));
    case "aws_security_group_rule":
      return c.type === "ingress" ? [read(c, "", [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)])] : [];
    case "aws_vpc_security_group_ingress_rule":
      return [read(c, "", [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)])];
    default:
      return [];
  }
}

/** `tcp 22-22`, `all traffic`, in messages. */
export function describeIngress(rule: Ingress): string {
  const where = rule.where ? `${rule.where} ` : "";
  const what = allProtocols(rule.protocol) ? "all traffic" : `${rule.protocol} ${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
  return `${where}(${what}${rule.description ? `, "${rule.description}"` : ""})`;
}
