/**
 * The run-time commands of a GCP cluster that are not built yet: `kubeconfig`, `tunnel`,
 * `validate` (operator access) and `etcd` (backups). Each rejects, saying so and what to do by
 * hand; providers/operator-access.ts and backup-store.ts load this file only when such a command
 * runs on a GCP cluster.
 */
import type { ClusterDefinition } from "../../definition";
import type { BackupRuntime } from "../backup-store";
import type { OperatorAccessRuntime } from "../operator-access";
import { gcpResourcePrefix } from "./gcp-labels";

/** Rejects: kubeconfig, tunnel and validate are not built for GCP. */
export async function gcpOperatorAccessRuntime(definition: ClusterDefinition): Promise<OperatorAccessRuntime> {
  const node = `${gcpResourcePrefix(definition.name)}-cp-0`;
  throw new Error(
    `kubeconfig, tunnel and validate are not built for GCP yet (cluster ${definition.name}); by hand, as the operator service account ` +
      `${gcpResourcePrefix(definition.name)}-ops: gcloud compute ssh ${node} --tunnel-through-iap, or gcloud compute start-iap-tunnel ${node} 6443`,
  );
}

/** Rejects: etcd backups are not built for GCP (GcpCloud refuses backups.enabled). */
export async function gcpBackupRuntime(definition: ClusterDefinition): Promise<BackupRuntime> {
  throw new Error(`etcd backups are not built for GCP yet (cluster ${definition.name})`);
}
