/**
 * Security group permissions, read alike for both directions from security groups (inline
 * blocks), `aws_default_security_group`, `aws_security_group_rule` and the VPC ingress/egress rule
 * resources. ingress.ts and egress.ts name them for their rules.
 */
import { blocks, strings } from "../../../rules/rule";
import type { ResourceView } from "../../../rules/stack-view";

/** Which way a permission lets traffic through. */
export type Direction = "ingress" | "egress";

/** One permission of a security group. */
export interface Permission {
  /** Where in the resource, e.g. `ingress[2]`, or "" for a rule resource. */
  readonly where: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: readonly string[];
  readonly description?: string;
}

/** True for "all protocols" (every port). */
export function allProtocols(protocol: string): boolean {
  return protocol === "-1" || protocol.toLowerCase() === "all";
}

const port = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

function read(r: Record<string, unknown>, where: string, cidrs: string[]): Permission {
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
}

/** The `direction` permissions of a resource (none for a resource of another kind or direction). */
export function permissionsOf(resource: ResourceView, direction: Direction): Permission[] {
  const c = resource.config;
  switch (resource.type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return blocks(c[direction]).map((r, i) => read(r, `${direction}[${i}]`, [...strings(r.cidr_blocks), ...strings(r.ipv6_cidr_blocks)]));
    case "aws_security_group_rule":
      return c.type === direction ? [read(c, "", [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)])] : [];
    case `aws_vpc_security_group_${direction}_rule`:
      return [read(c, "", [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)])];
    default:
      return [];
  }
}
