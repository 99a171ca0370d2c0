/**
 * A security rule, in the cdk-nag style: an id, a level, an explanation, and a check that reads
 * one synthesized resource (with its stack around it) and says what is wrong with it.
 */
import type { ResourceView, StackView } from "./stack-view";

/** `error` fails synth; `warning` is printed and synth goes on. */
export type RuleLevel = "error" | "warning";

/** What a rule knows about the cluster it checks. */
export interface ClusterFacts {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The VPC CIDR. */
  readonly networkCidr?: string;
  /** The definition's public API allow-list (`controlPlane.publicApi.allowedCidrs`), if it opts in. */
  readonly publicApiCidrs?: readonly string[];
  /** The cluster's SSM parameter path, e.g. `/kubeplane/dev`. */
  readonly parameterPath: string;
  /** The one parameter workers may read, e.g. `/kubeplane/dev/join/worker`. */
  readonly workerJoinParameter: string;
  /** IAM role names of the cluster's control-plane nodes. */
  readonly controlPlaneRoles: readonly string[];
  /** IAM role names of the cluster's workers. */
  readonly workerRoles: readonly string[];
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

/** True for a CIDR that means "anywhere": 0.0.0.0/0 or ::/0. */
export function isWorld(cidr: string): boolean {
  const text = cidr.trim();
  return text === "0.0.0.0/0" || text === "::/0" || /^(0+\.){3}0+\/0$/.test(text) || /^[0:]*::?[0:]*\/0$/.test(text);
}
