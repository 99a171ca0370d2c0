/**
 * What the stacks hand the bootstrap layer to render a node's user data. This is the contract
 * between `stacks/` + `providers/` (which know the cloud resources) and `bootstrap/` (which knows
 * what runs on the node). Values may be Terraform tokens (e.g. a load balancer's DNS name or a
 * key ARN): renderers must place them in the output as opaque strings, never transform them.
 */

/** The part a node plays in the cluster. */
export type NodeRole =
  /** The first control-plane node: runs the installer's init and publishes the join lease. */
  | "control-plane-init"
  /** A further control-plane node (HA): joins with the control-plane lease and certificate key. */
  | "control-plane-join"
  /** A worker, started by the auto-scaling group at any time. */
  | "worker";

/** Kubernetes installers kubeplane can render. */
export type InstallerName = "kubeadm" | "kurl";

/**
 * How a node reaches the cluster's parameter backend. The cloud's implementation of
 * `ParameterBackend` produces it; the node-side implementation named by `kind` consumes it.
 */
export interface ParameterBackendNodeConfig {
  /** The node-side backend implementation, e.g. `ssm` (a shell file of that name under bootstrap/). */
  readonly kind: string;
  /** Settings written to the node as environment variables; names start with `KUBEPLANE_`. */
  readonly settings: Readonly<Record<string, string>>;
}

/** Everything needed to render one role's user data. */
export interface UserDataContext {
  /** The cluster's name (DNS-1123 label). */
  readonly clusterName: string;
  /** The cloud the node runs on, e.g. `aws` (selects node-side metadata lookups). */
  readonly cloud: string;
  /** Which node this user data is for. */
  readonly role: NodeRole;
  /** Kubernetes settings from the cluster definition. */
  readonly kubernetes: {
    /** Kubernetes version, e.g. `1.31.4`. */
    readonly version: string;
    /** Which installer sets the node up. */
    readonly installer: InstallerName;
    /** Pod network CIDR. */
    readonly podCidr: string;
    /** Service network CIDR. */
    readonly serviceCidr: string;
    /** kURL only: the pinned installer URL, e.g. `https://k8s.kurl.sh/abc1234`. */
    readonly kurlInstallerUrl?: string;
  };
  /**
   * The stable API server host (no port) that every node, every kubeconfig and the API server
   * certificate use: the cluster's private DNS name for its API (e.g. `api.dev.kubeplane.internal`),
   * which points at the internal load balancer (HA) or at the single control-plane node. Never a
   * node's own address, so that replacing a node strands no one.
   */
  readonly controlPlaneEndpoint: string;
  /** How many control-plane nodes the cluster has: 1, or an odd number of at least 3 (HA). */
  readonly controlPlaneCount: number;
  /**
   * Further names the API server certificate must carry besides `controlPlaneEndpoint`, e.g. the
   * DNS name of an internet-facing load balancer (`controlPlane.publicApi`).
   * @default none
   */
  readonly apiServerCertSans?: readonly string[];
  /** The API server port. */
  readonly apiServerPort: number;
  /** The join lease: how long a published join command is valid. */
  readonly joinLease: {
    /** Lifetime of a join token, in hours. */
    readonly ttlHours: number;
  };
  /** Where the join lease is published and read. */
  readonly parameterBackend: ParameterBackendNodeConfig;
  /**
   * Where the node's bundle is (bootstrap/bundle.ts: renderBundledUserData sets it): the loader's
   * `KUBEPLANE_BUNDLE_*` settings, written with the cluster's.
   * @default no bundle: every file is in the user data
   */
  readonly bundle?: { readonly settings: Readonly<Record<string, string>> };
  /**
   * Whether the first control-plane node installs the cluster autoscaler (some pool autoscales).
   * @default false
   */
  readonly clusterAutoscaler?: boolean;
  /**
   * The labels and taints the node registers with (a worker pool's).
   * @default none
   */
  readonly nodeRegistration?: {
    readonly labels: Readonly<Record<string, string>>;
    readonly taints: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
  };
  /**
   * etcd snapshots (control-plane roles only): where they go and how often.
   * @default no snapshots (the definition's `backups.enabled: false`)
   */
  readonly backups?: {
    /** The store: its node-side kind and settings (providers/backup-store.ts). */
    readonly store: BackupNodeConfig;
    /** Time between snapshots, as a systemd time span: `15m`, `1h`. */
    readonly interval: string;
    /** Days a snapshot is kept. */
    readonly retentionDays: number;
  };
}

/**
 * How a control-plane node reaches the cluster's backup store: the cloud's BackupStore produces
 * it; `bootstrap/node/etcd-store/<kind>.sh` consumes it.
 */
export interface BackupNodeConfig {
  /** The node-side store implementation, e.g. `s3`. */
  readonly kind: string;
  /** Settings written to the node as environment variables; names start with `KUBEPLANE_BACKUP_`. */
  readonly settings: Readonly<Record<string, string>>;
}
