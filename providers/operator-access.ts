/**
 * How an operator reaches a running cluster: what `kubeplane kubeconfig`, `tunnel` and `validate`
 * need from its cloud. Two sides, like the parameter backend:
 *  - the infrastructure side (`OperatorAccess`, made by the cluster stack through
 *    `CloudProvider.createOperatorAccess`): the remote command that mints a kubeconfig on a
 *    control-plane node, and the operator's least-privilege policy for the three commands;
 *  - the run-time side (`OperatorAccessRuntime`, from `operatorAccessFor`): mints, plans the
 *    tunnel, lists the cluster's instances. Each cloud loads its SDK only when a command runs.
 * No credential ever reaches Terraform: the node mints the certificate when asked and hands it
 * back encrypted to a key only the asking CLI holds (cli/access/handback.ts).
 */
import type { ClusterDefinition } from "../definition";
import type { NodeIdentity } from "./node-identity";

/** Props for the operator-access building block of a cluster. */
export interface OperatorAccessProps {
  /** The cluster's name; the remote command and the operator policy are named after it. */
  readonly clusterName: string;
  /** The control-plane identity: the only nodes the mint command may run on. */
  readonly controlPlane: NodeIdentity;
  /** The command on a control-plane node that mints a kubeconfig (bootstrap/node/mint-kubeconfig.sh), an absolute path. */
  readonly mintCommand: string;
  /**
   * The parameter path of the cluster's backend (ParameterBackend.path): hand-backs live under
   * `<path>/access/`.
   */
  readonly parameterPath: string;
}

/** The provisioned operator access of a cluster. */
export interface OperatorAccess {
  /** The name of the remote command (on AWS, the SSM document) that mints a kubeconfig. */
  readonly mintCommandName: string;
  /** The name of the operator policy to attach to the people and pipelines that run the commands. */
  readonly operatorPolicyName: string;
}

/** What a control-plane node is asked to mint. */
export interface MintRequest {
  /** The user name: the certificate's CN (kubeadm's `--client-name`). */
  readonly user: string;
  /** The group: the certificate's O (kubeadm's `--org`), e.g. `kubeadm:cluster-admins`. */
  readonly group: string;
  /** How long the certificate lives, in seconds (kubeadm's `--validity-period`). */
  readonly ttlSeconds: number;
  /** The recipient's RSA public key (SPKI PEM): the node encrypts the kubeconfig to it. */
  readonly recipientPublicKey: string;
}

/** The encrypted kubeconfig a node handed back, and where from. */
export interface MintedKubeconfig {
  /** The envelope (cli/access/handback.ts opens it). */
  readonly envelope: string;
  /** The node that minted it (for messages). */
  readonly node: string;
}

/** The state of an instance's bootstrap, as the node recorded it (bootstrap/node/status.sh). */
export type BootstrapState = "ready" | "failed" | "unknown";

/** One of the cluster's instances, as the cloud knows it. */
export interface ClusterInstance {
  /** The cloud's id of the instance, e.g. `i-0123456789abcdef0`. */
  readonly id: string;
  readonly role: "control-plane" | "worker";
  /** The cloud's lifecycle state, e.g. `running`, `pending`, `terminated`. */
  readonly state: string;
  /** What Kubernetes calls it: the Node's spec.providerID (`aws:///eu-west-1a/i-0…`). */
  readonly providerId: string;
  /** The bootstrap's outcome; for `failed`, the step it failed at. */
  readonly bootstrap: { readonly state: BootstrapState; readonly step?: string };
}

/** A worker group and how many of its instances the cloud counts in service. */
export interface WorkerGroupFacts {
  readonly name: string;
  readonly desired: number;
  readonly inService: number;
}

/** What validate compares the Kubernetes API with. */
export interface ClusterInventory {
  readonly instances: readonly ClusterInstance[];
  readonly workerGroups: readonly WorkerGroupFacts[];
}

/** How to open a tunnel from localhost to the API through a control-plane node. */
export interface TunnelPlan {
  /** The program to run and its arguments, e.g. `aws ssm start-session ...`. */
  readonly command: readonly string[];
  /** Programs that must be on PATH, each with what to tell a user who lacks it. */
  readonly requires: readonly { readonly program: string; readonly install: string }[];
  /** The node the tunnel goes through (for messages). */
  readonly through: string;
}

/** The run-time side of a cluster's operator access, in the environment's account and credentials. */
export interface OperatorAccessRuntime {
  /** Where the cluster runs, for messages: e.g. `AWS eu-west-1`. */
  readonly location: string;
  /**
   * Asks a running control-plane node to mint a kubeconfig, waits for it and takes the hand-back
   * (leaving nothing behind). Rejects, saying why, when there is no running control-plane node,
   * the remote command fails or times out, or the hand-back is missing.
   */
  mintKubeconfig(request: MintRequest): Promise<MintedKubeconfig>;
  /** The tunnel from `localPort` to the API's `host:port`, through a running control-plane node. */
  planTunnel(request: { readonly localPort: number; readonly host: string; readonly port: number }): Promise<TunnelPlan>;
  /** The cluster's instances (every state but gone for good) and its worker groups. */
  inventory(): Promise<ClusterInventory>;
  /**
   * The kube-system workloads the cloud's add-ons make on a kubeadm cluster (the cloud
   * controller, the CSI driver): `validate` reports each one missing.
   * @default none
   */
  readonly cloudWorkloads?: readonly RequiredWorkload[];
  /**
   * The record of the last etcd backup, `<parameter path>/status/etcd-backup` as
   * bootstrap/node/etcd-common.sh backup_record writes it (JSON), or undefined when there is none.
   * @default not read (validate reports nothing about backups)
   */
  etcdBackupStatus?(): Promise<string | undefined>;
}

/** A kube-system workload a healthy cluster has, by its upstream name. */
export interface RequiredWorkload {
  readonly kind: "deployment" | "daemonset";
  readonly name: string;
  /** What it is, for the problem row: e.g. `the EBS CSI driver's controller`. */
  readonly what: string;
}

/** The longest and shortest life of a minted credential, in seconds (issue 13: at most 24 hours). */
export const MAX_CREDENTIAL_SECONDS = 24 * 3600;
export const MIN_CREDENTIAL_SECONDS = 5 * 60;

/**
 * The group kubeadm (1.29 and later) binds to the cluster-admin ClusterRole:
 * kubernetes/kubernetes cmd/kubeadm/app/constants/constants.go, ClusterAdminsGroupAndClusterRoleBinding.
 */
export const KUBEADM_CLUSTER_ADMINS_GROUP = "kubeadm:cluster-admins";

const RUNTIMES: Readonly<Record<ClusterDefinition["cloud"], (d: ClusterDefinition) => Promise<OperatorAccessRuntime>>> = {
  aws: async (d) => new (await import("./aws/aws-operator-access-runtime")).AwsOperatorAccessRuntime(d),
  gcp: async (d) => (await import("./gcp/gcp-runtimes")).gcpOperatorAccessRuntime(d),
};

/** The run-time operator access of a definition's cluster (loads the cloud's SDK). */
export async function operatorAccessFor(definition: ClusterDefinition): Promise<OperatorAccessRuntime> {
  const make = RUNTIMES[definition.cloud];
  if (!make) throw new Error(`unknown cloud "${definition.cloud}"; known: ${Object.keys(RUNTIMES).join(", ")}`);
  return make(definition);
}
