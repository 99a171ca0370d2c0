/** Small stacks for rule tests: raw provider resources, the rule pack, its findings. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing, TerraformStack } from "cdktf";
import { ClusterFacts, Finding, RulePack, Suppression } from "../../../rules";
import { AWS_RULES as ALL_RULES } from "../../../providers/aws/rules";

/** Facts of a test cluster named `t`. */
export const FACTS: ClusterFacts = {
  clusterName: "t",
  networkCidr: "10.0.0.0/16",
  parameterPath: "/kubeplane/t",
  workerJoinParameter: "/kubeplane/t/join/worker",
  controlPlaneRoles: ["kubeplane-t-control-plane"],
  workerRoles: ["kubeplane-t-worker"],
};

/** A stack `t-cluster` with an AWS provider, built by `build`, with the rule pack applied. */
export function auditStack(
  build: (stack: TerraformStack) => void,
  options: { facts?: Partial<ClusterFacts>; suppressions?: Suppression[] } = {},
): { stack: TerraformStack; pack: RulePack; findings: readonly Finding[] } {
  const stack = new TerraformStack(Testing.app(), "t-cluster");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  const pack = new RulePack({ cluster: { ...FACTS, ...options.facts }, rules: ALL_RULES, suppressions: options.suppressions }).applyTo(stack);
  return { stack, pack, findings: pack.audit(stack) };
}

/** Messages of one rule's findings, as `address: message`. */
export function findingsOf(findings: readonly Finding[], ruleId: string): string[] {
  return findings.filter((f) => f.rule.id === ruleId).map((f) => `${f.address}: ${f.message}`);
}

/** Ids of the rules with findings. */
export function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule.id))].sort();
}
