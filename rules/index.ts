/**
 * kubeplane's security rule pack: every rule, the facts they need from a cluster definition,
 * and the pack (a cdktf Aspect) that runs them on a cluster's stacks.
 */
import type { ClusterDefinition, FieldProblem } from "../definition";
import { didYouMean } from "../definition/issue-messages";
import { parameterPath } from "../providers/aws/ssm-parameter-backend";
import { apiLoadBalancerDeletionProtection } from "./api-load-balancer-deletion-protection";
import { defaultSecurityGroupClosed } from "./default-security-group-closed";
import { encryptedVolumes } from "./encrypted-volumes";
import { imdsv2Required } from "./imdsv2-required";
import { internalApiLoadBalancer } from "./internal-api-load-balancer";
import { kmsKeyPolicy } from "./kms-key-policy";
import { noIamWildcards } from "./no-iam-wildcards";
import { noJoinTokenInParameters } from "./no-join-token-in-parameters";
import { noPublicIpOnNodes } from "./no-public-ip-on-nodes";
import { noSecretsInUserData } from "./no-secrets-in-user-data";
import { noSshFromWorld } from "./no-ssh-from-world";
import { noWorldEgressAllPorts } from "./no-world-egress-all-ports";
import { noWorldIngress } from "./no-world-ingress";
import { onlyControlPlaneWritesClusterPath } from "./only-control-plane-writes-cluster-path";
import { ClusterFacts, Rule } from "./rule";
import { RulePack, Suppression } from "./rule-pack";
import { s3BucketEncrypted } from "./s3-bucket-encrypted";
import { s3BucketPublicAccessBlocked } from "./s3-bucket-public-access-blocked";
import { s3BucketVersioned } from "./s3-bucket-versioned";
import { vpcFlowLogs } from "./vpc-flow-logs";
import { workerReadsOnlyJoinParameter } from "./worker-reads-only-join-parameter";

export type { ClusterFacts, Rule, RuleContext, RuleLevel } from "./rule";
export { auditApp, formatFinding, formatReport, RulePack, RuleViolationError, rulePacksOf } from "./rule-pack";
export type { AuditReport, Finding, RulePackOptions, Suppression } from "./rule-pack";
export { StackView } from "./stack-view";

/** Every rule, in the order findings are listed. */
export const ALL_RULES: readonly Rule[] = [
  imdsv2Required,
  encryptedVolumes,
  noSshFromWorld,
  noWorldIngress,
  internalApiLoadBalancer,
  noPublicIpOnNodes,
  noIamWildcards,
  workerReadsOnlyJoinParameter,
  onlyControlPlaneWritesClusterPath,
  noJoinTokenInParameters,
  noSecretsInUserData,
  s3BucketVersioned,
  s3BucketEncrypted,
  s3BucketPublicAccessBlocked,
  vpcFlowLogs,
  defaultSecurityGroupClosed,
  noWorldEgressAllPorts,
  kmsKeyPolicy,
  apiLoadBalancerDeletionProtection,
];

/** A rule by id. */
export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}

/** The IAM role name of a kind of node (AwsNodeIdentity's naming). */
export function nodeRoleName(clusterName: string, kind: "control-plane" | "worker" | "bastion"): string {
  return `kubeplane-${clusterName}-${kind}`;
}

/** What the rules know about a cluster, from its definition. */
export function clusterFacts(definition: ClusterDefinition): ClusterFacts {
  const path = parameterPath(definition.name);
  return {
    clusterName: definition.name,
    networkCidr: definition.network.cidr,
    publicApiCidrs: definition.controlPlane.publicApi?.allowedCidrs,
    parameterPath: path,
    workerJoinParameter: `${path}/join/worker`,
    controlPlaneRoles: [nodeRoleName(definition.name, "control-plane")],
    workerRoles: [nodeRoleName(definition.name, "worker")],
    extraEgress: definition.network.extraEgress,
  };
}

/** The rule pack of a cluster: every rule, with the definition's suppressions. */
export function rulePackFor(definition: ClusterDefinition, extraSuppressions: readonly Suppression[] = []): RulePack {
  return new RulePack({
    cluster: clusterFacts(definition),
    rules: ALL_RULES,
    suppressions: [...(definition.suppressions ?? []), ...extraSuppressions],
  });
}

/** A definition check: every suppression names a rule of the pack. */
export function suppressionCheck(definition: ClusterDefinition): FieldProblem[] {
  const ids = ALL_RULES.map((r) => r.id);
  return (definition.suppressions ?? []).flatMap((s, i) =>
    ruleById(s.rule) ? [] : [{ path: ["suppressions", i, "rule"], message: `"${s.rule}" is not a rule of kubeplane's pack${didYouMean(s.rule, ids)}; rules: ${ids.join(", ")}` }],
  );
}
