/**
 * A cloud kubeplane can build clusters on. Stacks talk only to this interface and the ones it
 * returns; each cloud implements it in its own folder (providers/aws/ first).
 */
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ClusterDefinition, DefinitionCloud, FieldProblem } from "../definition";
import type { Rule } from "../rules/rule";
import type { ClusterResources } from "./cluster-resources";
import type { RuntimeData } from "./runtime-data";
import { Bastion, BastionProps } from "./bastion";
import { ClusterFirewall, ClusterFirewallProps } from "./firewall";
import { ApiDnsName, ApiDnsNameProps } from "./api-dns-name";
import { ApiLoadBalancer, ApiLoadBalancerProps } from "./load-balancer";
import { ControlPlane, ControlPlaneProps } from "./control-plane";
import { MachineImage, MachineImageProps } from "./machine-image";
import { Network, NetworkProps } from "./network";
import { NodeIdentities, NodeIdentitiesProps } from "./node-identity";
import type { NodeBundle, NodeBundleProps } from "./node-bundle";
import type { OperatorAccess, OperatorAccessProps } from "./operator-access";
import type { BackupStore, BackupStoreProps } from "./backup-store";
import { ParameterBackend, ParameterBackendProps } from "./parameter-backend";
import type { StateStore, StateStoreProps } from "./state-store";
import { WorkerPool, WorkerPoolProps } from "./worker-pool";

/**
 * A cloud's implementation of every building block of a cluster, and its part in loading a
 * definition (DefinitionCloud: its defaults, its block, its limits).
 */
export interface CloudProvider extends DefinitionCloud {
  /** The cloud's name as written in definitions (`cloud: aws`). */
  readonly name: string;
  /** The security rules this cloud's Terraform is held to on every synth (AWS's: providers/aws/rules/). */
  readonly rules: readonly Rule[];

  /** Checks a schema-valid definition against this cloud's rules (regions, zones, images). */
  validateDefinition(definition: ClusterDefinition): readonly FieldProblem[];
  /** The zones a definition's `network.azs` resolves to, in order. */
  zonesFor(definition: ClusterDefinition): readonly string[];
  /** Configures the cloud's Terraform provider on a stack: region and the cluster's default tags. */
  configureStack(stack: TerraformStack, definition: ClusterDefinition): void;
  /**
   * Keeps a stack's state in the cloud's own object store (S3 on AWS, GCS on GCP), as the
   * definition's `state` says; called for every `state.backend` but `local`.
   */
  configureRemoteState(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void;
  /** What the cluster's nodes write at run time in this cloud, which `destroy` removes (runtime-data.ts; loads the cloud's SDK only when used). */
  runtimeData(definition: ClusterDefinition): RuntimeData;
  /** The resources this cloud tags with the cluster, for `audit`'s and `destroy`'s orphans (cluster-resources.ts; loads the SDK only when used). */
  clusterResources(definition: ClusterDefinition): ClusterResources;

  createNetwork(scope: Construct, id: string, props: NetworkProps): Network;
  createFirewall(scope: Construct, id: string, props: ClusterFirewallProps): ClusterFirewall;
  createNodeIdentities(scope: Construct, id: string, props: NodeIdentitiesProps): NodeIdentities;
  createParameterBackend(scope: Construct, id: string, props: ParameterBackendProps): ParameterBackend;
  createMachineImage(scope: Construct, id: string, props: MachineImageProps): MachineImage;
  createApiLoadBalancer(scope: Construct, id: string, props: ApiLoadBalancerProps): ApiLoadBalancer;
  /** The API's private DNS name: what every node uses as the control-plane endpoint. */
  createApiDnsName(scope: Construct, id: string, props: ApiDnsNameProps): ApiDnsName;
  createControlPlane(scope: Construct, id: string, props: ControlPlaneProps): ControlPlane;
  createWorkerPool(scope: Construct, id: string, props: WorkerPoolProps): WorkerPool;
  /** Stores the nodes' bundles (node-bundle.ts): their scripts, outside the user data. */
  createNodeBundle(scope: Construct, id: string, props: NodeBundleProps): NodeBundle;
  createBastion(scope: Construct, id: string, props: BastionProps): Bastion;
  /** How operators reach the cluster: the remote mint command and the operator policy (providers/operator-access.ts). */
  createOperatorAccess(scope: Construct, id: string, props: OperatorAccessProps): OperatorAccess;
  /** Where the control plane keeps its etcd snapshots and PKI (providers/backup-store.ts). */
  createBackupStore(scope: Construct, id: string, props: BackupStoreProps): BackupStore;
  /** The store remote state lives in, with the deploy and plan-only CI policies (`kubeplane bootstrap`, providers/state-store.ts). */
  createStateStore(scope: Construct, id: string, props: StateStoreProps): StateStore;
}
