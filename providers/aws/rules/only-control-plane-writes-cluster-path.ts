/**
 * KP-IAM-3: only control-plane roles may write records under the cluster's path (SSM parameters
 * or Secrets Manager secrets), except its status subtree, where every node records its bootstrap
 * status (bootstrap/node/status.sh), and its refresh subtree, where a joiner leaves a request for
 * a fresh lease (backends that ask by record: bootstrap/node/backends/secretsmanager.sh).
 */
import { grants, reachesParameterPath, ROLE_POLICY_TYPES, rolePoliciesOf } from "./iam-policies";
import { onlySecretSubtrees, parameterPrefix, reachesSecretPrefix, SECRET_WRITE_ACTIONS, secretPrefix, secretResourcePattern } from "./secrets-manager-secrets";
import { Rule } from "../../../rules/rule";

/** SSM actions that change parameters. */
export const PARAMETER_WRITE_ACTIONS = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:LabelParameterVersion", "ssm:UnlabelParameterVersion"];

/** Where nodes record their bootstrap status: under the cluster's path, outside join/ and cluster/. */
export const STATUS_SUBTREE = "status";
/** Where joiners leave refresh requests (a request the control plane answers; no node reads it to join). */
export const REFRESH_SUBTREE = "refresh";

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
    "Only the control-plane role may write records under /kubeplane/<cluster>/ (SSM parameters, or the secrets " +
    "kubeplane/<cluster>/... in Secrets Manager): whoever can write the join lease decides which endpoint and CA every " +
    "new node trusts. Only the status subtree (status/, nodes' bootstrap status) and, in Secrets Manager, the refresh " +
    "subtree (refresh/, joiners' requests for a fresh lease), which no node reads to join, are open to other node roles.",
  resourceTypes: [...ROLE_POLICY_TYPES],
  check(resource, { stack, cluster }) {
    const problems: string[] = [];
    const path = parameterPrefix(cluster.parameterPath);
    const prefix = secretPrefix(cluster.parameterPath);
    for (const { roleName, policy } of rolePoliciesOf(resource, stack)) {
      if (roleName !== undefined && cluster.controlPlaneRoles.includes(roleName)) continue;
      if ("unreadable" in policy) continue; // KP-IAM-1 reports policies that cannot be read
      const who = roleName ? `the role ${roleName}` : "a role kubeplane cannot name";
      for (const s of policy.statements) {
        const resources = s.notResources.length > 0 ? ["*"] : s.resources;
        const writes = PARAMETER_WRITE_ACTIONS.filter((a) => grants(s, a));
        // Any parameter under the path, not only the join parameters: whatever could be written there
        // (join/control-plane, a new join/<kind>, …) is what nodes read at boot.
        const reaching = writes.length === 0 ? [] : resources.filter((r) => reachesParameterPath(r, path) && !onlyStatusSubtree(r, path));
        for (const r of reaching) {
          problems.push(`lets ${who}, not a control-plane role, ${writes.join("/")} on ${r}, which covers ${path}/`);
        }
        const secretWrites = SECRET_WRITE_ACTIONS.filter((a) => grants(s, a));
        if (secretWrites.length === 0) continue;
        for (const r of resources) {
          const pattern = secretResourcePattern(r, stack);
          if (pattern === undefined || !reachesSecretPrefix(pattern, prefix) || onlySecretSubtrees(pattern, prefix, [STATUS_SUBTREE, REFRESH_SUBTREE])) continue;
          problems.push(`lets ${who}, not a control-plane role, ${secretWrites.join("/")} on ${r}, which covers the secrets ${prefix}/`);
        }
      }
    }
    return problems;
  },
};
