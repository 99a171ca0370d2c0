/**
 * Where a cluster's control plane keeps its etcd snapshots and its PKI (cluster CA,
 * service-account keys): a store per cluster, encrypted with a key of its own, that only the
 * control-plane identity may use. The infrastructure side (this interface, made by the cluster
 * stack through `CloudProvider.createBackupStore`) provisions the store, its encryption, its
 * expiry and the grants; nothing is ever written to it by Terraform (a snapshot or a key would
 * land in Terraform state): control-plane nodes write at run time (bootstrap/node/etcd-*.sh, the
 * store functions of `nodeConfig.kind` in bootstrap/node/etcd-store-<kind>.sh).
 */
import type { BackupNodeConfig } from "../bootstrap/user-data-context";
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
