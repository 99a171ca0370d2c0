/**
 * Where a cluster's control plane keeps its etcd snapshots and its PKI (cluster CA,
 * service-account keys): a store per cluster, encrypted with a key of its own, that only the
 * control-plane identity may use. The infrastructure side (this interface, made by the cluster
 * stack through `CloudProvider.createBackupStore`) provisions the store, its encryption, its
 * expiry and the grants; nothing is ever written to it by Terraform (a snapshot or a key would
 * land in Terraform state): control-plane nodes write at run time (bootstrap/node/etcd-*.sh, the
 * store functions of `nodeConfig.kind` in bootstrap/node/etcd-store/<kind>.sh).
 */
import type { BackupNodeConfig } from "../bootstrap/user-data-context";
import type { ClusterDefinition } from "../definition";
import type { NodeIdentity } from "./node-identity";

/** Props for a cluster's backup store. */
export interface BackupStoreProps {
  /** The cluster's name; the store is named and tagged after it. */
  readonly clusterName: string;
  /** The control-plane identity: the only one that may read and write the store. */
  readonly controlPlane: NodeIdentity;
  /**
   * Every other node identity of the cluster (workers, bastion): refused the store outright,
   * where the cloud can say so on the store itself.
   * @default none
   */
  readonly otherNodes?: readonly NodeIdentity[];
  /** Days a snapshot is kept; the store expires older ones (and their older versions). */
  readonly retentionDays: number;
  /**
   * Whether destroying the cluster keeps the store and its contents.
   * @default true
   */
  readonly keepOnDestroy?: boolean;
}

/** A provisioned backup store. */
export interface BackupStore {
  /** The store's name (the bucket's, on AWS); may be a token until apply. */
  readonly name: string;
  /** Where snapshots live in the store, e.g. `etcd/` (keys `etcd/<time>-<instance>.db`). */
  readonly snapshotPrefix: string;
  /** Where the control plane keeps its PKI, e.g. `pki/`. */
  readonly pkiPrefix: string;
  /** What control-plane nodes need to reach the store; rendered into their user data. */
  readonly nodeConfig: BackupNodeConfig;
}

/** Where snapshots and the PKI live in every store (the node scripts and the CLI use the same). */
export const SNAPSHOT_PREFIX = "etcd/";
export const PKI_PREFIX = "pki/";

/** One snapshot in a cluster's backup store, as the node recorded it. */
export interface SnapshotInfo {
  /** The key under the store, e.g. `etcd/20261202T031500Z-i-0123456789abcdef0.db`. */
  readonly key: string;
  /** When it was stored. */
  readonly time: Date;
  readonly sizeBytes: number;
  /** What the node recorded with it (object metadata); absent on anything not uploaded by kubeplane-etcd-snapshot. */
  readonly sha256?: string;
  readonly revision?: number;
  readonly kubernetesVersion?: string;
  readonly instanceId?: string;
}

/** The run-time side of a cluster's backup store, in the environment's account and credentials. */
export interface BackupRuntime {
  /** Where the store is, for messages: e.g. `s3://kp-dev-123456789012-eu-west-1`. */
  readonly location: string;
  /** Every snapshot, oldest first. Rejects, saying why, when the store is missing or denied. */
  snapshots(): Promise<SnapshotInfo[]>;
  /**
   * Asks the cluster's next first control-plane node to restore `snapshot` instead of creating
   * or joining a cluster: the record `<parameter path>/cluster/restore` (bootstrap.sh reads it,
   * restores and removes it).
   */
  requestRestore(snapshot: SnapshotInfo): Promise<void>;
}

const BACKUP_RUNTIMES: Readonly<Record<ClusterDefinition["cloud"], (d: ClusterDefinition) => Promise<BackupRuntime>>> = {
  aws: async (d) => new (await import("./aws/aws-backup-runtime")).AwsBackupRuntime(d),
  gcp: async (d) => (await import("./gcp/gcp-runtimes")).gcpBackupRuntime(d),
};

/** The run-time backup store of a definition's cluster (loads the cloud's SDK). */
export async function backupRuntimeFor(definition: ClusterDefinition): Promise<BackupRuntime> {
  if (!definition.backups.enabled) throw new Error(`cluster ${definition.name} takes no etcd backups (backups.enabled: false in its definition)`);
  return BACKUP_RUNTIMES[definition.cloud](definition);
}
