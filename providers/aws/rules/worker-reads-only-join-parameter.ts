/** KP-IAM-2: a worker role may read one SSM parameter: the worker join parameter. */
import { arnParts, grants, ROLE_POLICY_TYPES, rolePoliciesOf } from "./iam-policies";
import { Rule } from "../../../rules/rule";

/** SSM actions that read parameter values. */
export const PARAMETER_READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

export const workerReadsOnlyJoinParameter: Rule = {
  id: "KP-IAM-2",
  name: "worker-reads-only-join-parameter",
  level: "error",
  explanation:
    "Workers may read exactly one parameter, the worker join parameter (/kubeplane/<cluster>/join/worker), named by " +
    "its full ARN: the control-plane join parameter carries the certificate key, and a worker that can read it can " +
    "make itself a control-plane node.",
  resourceTypes: [...ROLE_POLICY_TYPES],
  check(resource, { stack, cluster }) {
    const expected = `parameter${cluster.workerJoinParameter}`;
    const problems: string[] = [];
    for (const { roleName, policy } of rolePoliciesOf(resource, stack)) {
      if (roleName === undefined || !cluster.workerRoles.includes(roleName)) continue;
      if ("unreadable" in policy) {
        problems.push(`grants the worker role ${roleName} a policy that cannot be checked: ${policy.unreadable}`);
        continue;
      }
      for (const s of policy.statements) {
        const reads = PARAMETER_READ_ACTIONS.filter((a) => s.effect === "Allow" && grants(s, a));
        if (reads.length === 0) continue;
        const resources = s.notResources.length > 0 ? ["* (NotResource)"] : s.resources;
        for (const r of resources) {
          const { service, resource: rest } = arnParts(r);
          if (service !== "ssm" || rest !== expected) {
            problems.push(`lets the worker role ${roleName} ${reads.join("/")} on ${r}; workers may read only ${cluster.workerJoinParameter}`);
          }
        }
      }
    }
    return problems;
  },
};
