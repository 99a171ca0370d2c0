/**
 * A security rule, in the cdk-nag style: an id, a level, an explanation, and a check that reads
 * one synthesized resource (with its stack around it) and says what is wrong with it.
 */
import { WORLD_IPV4_PREFIX } from "../definition/cidr";
import type { ResourceView, StackView } from "./stack-view";

/** `error` fails synth; `warning` is printed and synth goes on. */
export type RuleLevel = "error" | "warning";

/** What a rule knows about the cluster it checks. */
export interface ClusterFacts {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The network's address space. */
  readonly networkCidr?: string;
  /** The definition's public API allow-list (`controlPlane.publicApi.allowedCidrs`), if it opts in. */
  readonly publicApiCidrs?: readonly string[];
  /** The cluster's parameter path (its join-lease backend's), e.g. `/kubeplane/dev`. */
  readonly parameterPath: string;
  /** The one parameter workers may read, e.g. `/kubeplane/dev/join/worker`. */
  readonly workerJoinParameter: string;
  /** The identity (on AWS, IAM role) names of the cluster's control-plane nodes. */
  readonly controlPlaneRoles: readonly string[];
  /** The identity (on AWS, IAM role) names of the cluster's workers. */
  readonly workerRoles: readonly string[];
  /** The definition's own extra egress for the nodes (`network.extraEgress`), which KP-NET-5 accepts. @default none */
  readonly extraEgress?: readonly AllowedEgress[];
}

/** An egress permission the definition asks for. */
export interface AllowedEgress {
  /** `tcp`, `udp` or `all`. */
  readonly protocol: string;
  /** Port range (absent for `all`). */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
}

/** What a rule's check is given. */
export interface RuleContext {
  readonly stack: StackView;
  readonly cluster: ClusterFacts;
}

/** A rule of the pack. */
export interface Rule {
  /** Stable id, e.g. `KP-EC2-1`; what suppressions name. */
  readonly id: string;
  /** Short name, e.g. `imdsv2-required`. */
  readonly name: string;
  readonly level: RuleLevel;
  /** Why the rule exists and how to comply. */
  readonly explanation: string;
  /** Terraform resource types the rule reads. */
  readonly resourceTypes: readonly string[];
  /** What is wrong with `resource` (one message per problem), or nothing. */
  check(resource: ResourceView, context: RuleContext): readonly string[];
}

/** A list from a Terraform block that may be written as one object or a list of them. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v));
}

/** A list of strings from an attribute that may be one string or a list. */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** Terraform booleans may be written as strings (launch templates do). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/**
 * Ingress from a block broader than these prefixes counts as "anywhere": an IPv4 block larger
 * than a /8 (0.0.0.0/1 + 128.0.0.0/1 is the whole internet), an IPv6 block larger than a /16
 * (2000::/3 is every global address; registries hold /12s). The definition's public API
 * allow-list takes nothing broader than a /8, so a cluster never needs more: both read the one
 * WORLD_IPV4_PREFIX of definition/cidr.ts.
 */
export { WORLD_IPV4_PREFIX };
export const WORLD_IPV6_PREFIX = 16;

/** The prefix length of an IPv4 or IPv6 CIDR written literally, or undefined. */
function prefixOf(text: string): { family: 4 | 6; prefix: number } | undefined {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(m[1]) && prefix <= 32) return { family: 4, prefix };
  if (/^[0-9a-f:.]*:[0-9a-f:.]*$/i.test(m[1]) && prefix <= 128) return { family: 6, prefix };
  return undefined;
}

/**
 * True for a CIDR that means "anywhere": 0.0.0.0/0 or ::/0, or a block so broad that it is as
 * good as anywhere (broader than /8 for IPv4, /16 for IPv6).
 */
export function isWorld(cidr: string): boolean {
  const parsed = prefixOf(cidr.trim());
  if (!parsed) return false;
  return parsed.prefix < (parsed.family === 4 ? WORLD_IPV4_PREFIX : WORLD_IPV6_PREFIX);
}

/** How a world CIDR is named in findings: itself, and why when it is not /0. */
export function describeWorld(cidr: string): string {
  const parsed = prefixOf(cidr.trim());
  if (!parsed || parsed.prefix === 0) return cidr;
  return `${cidr} (broader than a /${parsed.family === 4 ? WORLD_IPV4_PREFIX : WORLD_IPV6_PREFIX}: as good as anywhere)`;
}
