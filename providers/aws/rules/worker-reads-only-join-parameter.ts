/**
 * KP-IAM-2: a worker role may read one join-lease record: the worker join parameter (SSM) or the
 * worker join secret (Secrets Manager), named exactly.
 */
import { arnParts, grants, ROLE_POLICY_TYPES, rolePoliciesOf } from "./iam-policies";
import { namesOnlySecret, parameterPrefix, SECRET_READ_ACTIONS, secretPrefix, secretResourcePattern } from "./secrets-manager-secrets";
import { Rule } from "../../../rules/rule";

/** SSM actions that read parameter values. */
export const PARAMETER_READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

export const workerReadsOnlyJoinParameter: Rule = {
  id: "KP-IAM-2",
  name: "worker-reads-only-join-parameter",
  level: "error",
  explanation:
    "Workers may read exactly one record of the join lease, the worker join parameter (/kubeplane/<cluster>/join/worker) " +
    "named by its full ARN, or in Secrets Manager the worker join secret (kubeplane/<cluster>/join/worker) named by its " +
    "ARN (secret:<name>-??????) or its Terraform reference: the control-plane join lease carries the certificate key, " +
    "and a worker that can read it can make itself a control-plane node.",
  resourceTypes: [...ROLE_POLICY_TYPES],
  check(resource, { stack, cluster }) {
    const expected = `parameter${parameterPrefix(cluster.workerJoinParameter)}`;
    const workerSecret = secretPrefix(cluster.workerJoinParameter);
    const problems: string[] = [];
    for (const { roleName, policy } of rolePoliciesOf(resource, stack)) {
      if (roleName === undefined || !cluster.workerRoles.includes(roleName)) continue;
      if ("unreadable" in policy) {
        problems.push(`grants the worker role ${roleName} a policy that cannot be checked: ${policy.unreadable}`);
        continue;
      }
      for (const s of policy.statements) {
        const resources = s.notResources.length > 0 ? ["* (NotResource)"] : s.resources;
        const reads = PARAMETER_READ_ACTIONS.filter((a) => s.effect === "Allow" && grants(s, a));
        if (reads.length > 0) {
          for (const r of resources) {
            const { service, resource: rest } = arnParts(r);
            if (service !== "ssm" || rest !== expected) {
              problems.push(`lets the worker role ${roleName} ${reads.join("/")} on ${r}; workers may read only ${parameterPrefix(cluster.workerJoinParameter)}`);
            }
          }
        }
        const secretReads = SECRET_READ_ACTIONS.filter((a) => s.effect === "Allow" && grants(s, a));
        if (secretReads.length === 0) continue;
        for (const r of resources) {
          const pattern = s.notResources.length > 0 ? "*" : secretResourcePattern(r, stack);
          // A resource of another service (or a reference to no secret) cannot be a secret read.
          if (pattern === undefined) continue;
          if (!namesOnlySecret(pattern, workerSecret)) {
            problems.push(`lets the worker role ${roleName} ${secretReads.join("/")} on ${r}; workers may read only the secret ${workerSecret}`);
          }
        }
      }
    }
    return problems;
  },
};
