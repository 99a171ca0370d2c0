/**
 * KP-IAM-3: only control-plane roles may write parameters under the cluster's path, except its
 * status subtree, where every node records its bootstrap status (bootstrap/node/status.sh).
 */
import { grants, reachesParameterPath, ROLE_POLICY_TYPES, rolePoliciesOf } from "./iam-policies";
import { Rule } from "../../../rules/rule";

/** SSM actions that change parameters. */
export const PARAMETER_WRITE_ACTIONS = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:LabelParameterVersion", "ssm:UnlabelParameterVersion"];

/** Where nodes record their bootstrap status: under the cluster's path, outside join/ and cluster/. */
export const STATUS_SUBTREE = "status";

/**
 * Does `resource` name parameters of the status subtree only: an ARN whose resource part starts,
 * literally (no wildcard before it), with `parameter<path>/status/`, so that whatever follows
 * (`*` included, which in IAM matches `/` too) stays inside the subtree.
 */
export function onlyStatusSubtree(resource: string, path: string): boolean {
  const parts = resource.trim().split(":");
  if (parts[0] !== "arn" || parts.length < 6 || parts[2] !== "ssm") return false;
  return parts.slice(5).join(":").startsWith(`parameter${path.replace(/\/+$/, "")}/${STATUS_SUBTREE}/`);
}

export const onlyControlPlaneWritesClusterPath: Rule = {
  id: "KP-IAM-3",
  name: "only-control-plane-writes-cluster-path",
  level: "error",
  explanation:
    "Only the control-plane role may write parameters under /kubeplane/<cluster>/: whoever can write the join lease " +
    "decides which endpoint and CA every new node trusts. Only the status subtree (/kubeplane/<cluster>/status/, nodes' " +
    "bootstrap status, which no node reads to join) is open to other node roles.",
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
        const reaching = resources.filter((r) => reachesParameterPath(r, cluster.parameterPath) && !onlyStatusSubtree(r, cluster.parameterPath));
        for (const r of reaching) {
          problems.push(`lets ${who}, not a control-plane role, ${writes.join("/")} on ${r}, which covers ${cluster.parameterPath}/`);
        }
      }
    }
    return problems;
  },
};
