/**
 * Where the control plane publishes the join lease and workers read it. The infrastructure side
 * provisions the store, its encryption and least-privilege grants; it never writes a token (that
 * would land in Terraform state): the control plane writes the lease at run time. The node side
 * is the shell backend of the same `kind` under bootstrap/.
 */
import { ParameterBackendNodeConfig } from "../bootstrap/user-data-context";
import { NodeIdentity } from "./node-identity";

/** Props for a parameter backend. */
export interface ParameterBackendProps {
  /** The cluster's name; parameters live under `/kubeplane/<clusterName>/` (or the store's spelling of it). */
  readonly clusterName: string;
  /**
   * Which of the cloud's stores holds the lease: the definition's `joinTokens.backend` (on AWS
   * `ssm` or `secretsmanager`). A cloud refuses a kind it does not offer, naming it.
   * @default the cloud's default store (`ssm` on AWS)
   */
  readonly kind?: string;
  /** Control-plane identity: may read and write every parameter under the cluster's path. */
  readonly controlPlane: NodeIdentity;
  /** Worker identity: may read the worker join parameter only, and ask for a refresh. */
  readonly workers: NodeIdentity;
  /** The command a control-plane node runs to refresh the lease when a worker asks. */
  readonly refreshCommand: string;
  /**
   * Whether further control-plane nodes join with the control-plane lease (an HA control plane):
   * then they, too, may ask a running control-plane node for a fresh lease.
   * @default false
   */
  readonly controlPlaneJoins?: boolean;
}

/** A provisioned parameter backend. */
export interface ParameterBackend {
  /** The cluster's parameter path, e.g. `/kubeplane/dev`. */
  readonly path: string;
  /** The one parameter workers may read, e.g. `/kubeplane/dev/join/worker`. */
  readonly workerJoinParameter: string;
  /** What nodes need to reach the backend; rendered into their user data. */
  readonly nodeConfig: ParameterBackendNodeConfig;
}
