/** Tag keys kubeplane sets on AWS resources, and what reads them. */
import type { NodeKind } from "../node-identity";

/** On every resource (through the provider's default_tags): which cluster owns it. */
export const CLUSTER_TAG = "kubeplane:cluster";
/**
 * On a destroyed cluster's kept backup store (the bucket and its key): when `kubeplane destroy`
 * kept it (ISO 8601). The orphan search lists what carries it as kept, not as an orphan; the
 * next deploy adopts the store, and Terraform's tags then drop it.
 */
export const KEPT_TAG = "kubeplane:kept";
/** On instances: which kind of node it is; the join-lease refresh targets `control-plane`. */
export const ROLE_TAG = "kubeplane:role";

/** The tag the AWS cloud provider uses to find a cluster's resources (value `owned`). */
export function kubernetesClusterTag(clusterName: string): string {
  return `kubernetes.io/cluster/${clusterName}`;
}

/**
 * Tags for an instance of a given kind. Only Kubernetes nodes (control plane, workers) carry
 * `kubernetes.io/cluster/<name>=owned`: the AWS cloud provider treats what carries it as the
 * cluster's, so the bastion, which is no node, must not. It still carries `kubeplane:cluster`.
 */
export function nodeTags(clusterName: string, kind: NodeKind): Record<string, string> {
  return {
    Name: `${clusterName}-${kind}`,
    [CLUSTER_TAG]: clusterName,
    [ROLE_TAG]: kind,
    ...(kind === "bastion" ? {} : { [kubernetesClusterTag(clusterName)]: "owned" }),
  };
}
