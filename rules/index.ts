/**
 * kubeplane's security rule engine: the pack (a cdktf Aspect) that runs a cloud's rules on a
 * cluster's stacks, with the definition's suppressions. The rules themselves are the cloud's
 * (`CloudProvider.rules`; AWS's are in providers/aws/rules/), and the facts they check against are
 * taken from the constructs that made the cluster (`ClusterStack.ruleFacts`), not re-derived.
 */
import type { ClusterDefinition, FieldProblem } from "../definition";
import { didYouMean } from "../definition/issue-messages";
import { cloudFor } from "../providers/cloud-registry";
import { ClusterFacts, Rule } from "./rule";
import { RulePack, Suppression } from "./rule-pack";

export type { AllowedEgress, ClusterFacts, Rule, RuleContext, RuleLevel } from "./rule";
export { auditApp, formatFinding, formatReport, RulePack, RuleViolationError, rulePacksOf } from "./rule-pack";
export type { AuditReport, Finding, RulePackOptions, Suppression } from "./rule-pack";
export { StackView } from "./stack-view";

/** The rule pack of a cluster: its cloud's rules, the facts its constructs state, the definition's suppressions. */
export function rulePackFor(
  definition: ClusterDefinition,
  cluster: ClusterFacts,
  rules: readonly Rule[] = cloudFor(definition).rules,
  extraSuppressions: readonly Suppression[] = [],
): RulePack {
  return new RulePack({
    cluster,
    rules,
    suppressions: [...(definition.suppressions ?? []), ...extraSuppressions],
  });
}

/** A definition check: every suppression names a rule of its cloud's pack. */
export function suppressionCheck(definition: ClusterDefinition): FieldProblem[] {
  const rules = cloudFor(definition).rules;
  const ids = rules.map((r) => r.id);
  return (definition.suppressions ?? []).flatMap((s, i) =>
    rules.some((r) => r.id === s.rule) ? [] : [{ path: ["suppressions", i, "rule"], message: `"${s.rule}" is not a rule of kubeplane's ${definition.cloud} pack${didYouMean(s.rule, ids)}; rules: ${ids.join(", ")}` }],
  );
}
