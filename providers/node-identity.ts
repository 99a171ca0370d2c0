/** The cloud identities nodes run as (IAM roles and instance profiles on AWS). */

/** Kinds of machine in a cluster. */
export type NodeKind = "control-plane" | "worker" | "bastion";

/** The identity one kind of node runs as. Grants to it are made by the constructs that own a resource. */
export interface NodeIdentity {
  /** Which kind of node runs as this identity. */
  readonly kind: NodeKind;
  /** The identity's name in the cloud. */
  readonly name: string;
}

/** Props for a cluster's node identities. */
export interface NodeIdentitiesProps {
  /** The cluster's name; used in identity names, so it must be valid in them (on AWS: IAM's characters, at most 40). */
  readonly clusterName: string;
  /**
   * Whether a bastion identity is made.
   * @default false
   */
  readonly bastion?: boolean;
  /**
   * Whether the control plane runs the cluster autoscaler (some worker pool autoscales): its
   * identity may then size the cluster's autoscaled pools.
   * @default false
   */
  readonly clusterAutoscaler?: boolean;
}

/** One identity per kind of node. */
export interface NodeIdentities {
  readonly controlPlane: NodeIdentity;
  readonly workers: NodeIdentity;
  /** Present when a bastion was asked for. */
  readonly bastion?: NodeIdentity;
}
