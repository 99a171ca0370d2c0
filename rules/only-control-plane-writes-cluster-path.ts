/** KP-IAM-3: only control-plane roles may write parameters under the cluster's path. */
import { grants, reachesParameterPath, ROLE_POLICY_TYPES, rolePoliciesOf } from "./iam-policies";
import { Rule } from "./rule";

/** SSM actions that change parameters. */
export const PARAMETER_WRITE_ACTIONS = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:LabelParameterVersion", "ssm:UnlabelParameterVersion"];

export const onlyControlPlaneWritesClusterPath: Rule = {
  id: "KP-IAM-3",
  name: "only-control-plane-writes-cluster-path",
  level: "error",
  explanation:
    "Only the control-plane role may write parameters under /kubeplane/<cluster>/: whoever can write the join lease " +
    "decides which endpoint and CA every new node trusts.",
  resourceTypes: [...ROLE_POLICY_TYPES],
  check(resource, { stack, cluster }) {
    const problems: string[] = [];
    for (const { roleName, policy } of rolePoliciesOf(resource, stack)) {
      if (roleName !== undefined && cluster.controlPlaneRoles.includes(roleName)) continue;
      if ("unreadable" in policy) continue; // KP-IAM-1 reports policies that cannot be read
      const who = roleName ? `the role ${roleName}` : "a role kubeplane cannot name";
      for (const s of policy.statements) {
        const writes = PARAMETER_WRITE_ACTIONS.filter((a) => grants(s, a));
        if (writes.length === 0) continue;
        const resources = s.notResources.length > 0 ? ["*"] : s.resources;
        // Any parameter under the path, not only the join parameters: whatever could be written there
        // (join/control-plane, a new join/<kind>, …) is what nodes read at boot.
        for (const r of resources.filter((r) => reachesParameterPath(r, cluster.parameterPath))) {
          problems.push(`lets ${who}, not a control-plane role, ${writes.join("/")} on ${r}, which covers ${cluster.parameterPath}/`);
        }
      }
    }
    return problems;
  },
};
