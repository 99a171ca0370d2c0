/** The label every resource kubeplane makes on GCP carries (the provider's default labels), and the role label of nodes. */

/** `kubeplane-cluster=<name>`: GCP label keys take no `:` (gcp-definition-limits.ts: GCP_LABEL_KEY), so AWS's `kubeplane:cluster` is spelled with a hyphen. */
export const GCP_CLUSTER_LABEL = "kubeplane-cluster";
/** `kubeplane-role=control-plane|worker|bastion` on every instance. */
export const GCP_ROLE_LABEL = "kubeplane-role";

/** The prefix of every name kubeplane gives a cluster's resources on GCP: `kp-<cluster>`. */
export function gcpResourcePrefix(clusterName: string): string {
  return `kp-${clusterName}`;
}
