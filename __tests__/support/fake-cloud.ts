/**
 * A cloud that builds nothing: every building block is a construct that records the props the
 * stacks gave it and answers with made-up ids. Used to prove that stacks/ asks a cloud only for
 * cloud-neutral things (fake-cloud.test.ts): whatever AWS-specific a stack passes shows up here.
 */
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ClusterDefinition, FieldProblem } from "../../definition";
import type {
  ApiDnsName,
  ApiDnsNameProps,
  ApiDnsTarget,
  ApiLoadBalancer,
  ApiLoadBalancerProps,
  Bastion,
  BastionProps,
  CloudProvider,
  ClusterFirewall,
  ClusterFirewallProps,
  ControlPlane,
  ControlPlaneProps,
  MachineImage,
  MachineImageProps,
  Network,
  NetworkProps,
  NodeIdentities,
  NodeIdentitiesProps,
  ParameterBackend,
  ParameterBackendProps,
  WorkerPool,
  WorkerPoolProps,
} from "../../providers";
import type { OperatorAccess, OperatorAccessProps } from "../../providers/operator-access";
import type { NodeBundle, NodeBundleProps } from "../../providers/node-bundle";
import type { BackupStore, BackupStoreProps } from "../../providers/backup-store";
import type { StateStore, StateStoreProps } from "../../providers/state-store";
import type { ClusterResources } from "../../providers/cluster-resources";
import { emptyClusterResources } from "./empty-cluster-resources";
import type { RuntimeData } from "../../providers/runtime-data";
import type { Rule } from "../../rules";

/** One call the stacks made: which building block, at which construct path, with which props. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly props: unknown;
}

/** See the file comment. */
export class FakeCloud implements CloudProvider {
  readonly name = "fake";
  readonly rules: readonly Rule[] = [];
  /** Instance types of the fake cloud's own, so that nothing of AWS's defaults reaches the stacks. */
  readonly definitionDefaults = { controlPlane: { instanceType: "fake-control-plane" }, workers: { instanceType: "fake-worker" } };
  readonly calls: RecordedCall[] = [];

  private record(method: string, scope: Construct, id: string, props: unknown): Construct {
    const construct = new Construct(scope, id);
    this.calls.push({ method, path: construct.node.path, props });
    return construct;
  }

  validateDefinition(_definition: ClusterDefinition): readonly FieldProblem[] {
    return [];
  }
  zonesFor(definition: ClusterDefinition): readonly string[] {
    const count = Array.isArray(definition.network.azs) ? definition.network.azs.length : definition.network.azs;
    return Array.from({ length: count }, (_, i) => `fake-zone-${String.fromCharCode(97 + i)}`);
  }
  configureStack(stack: TerraformStack, definition: ClusterDefinition): void {
    this.calls.push({ method: "configureStack", path: stack.node.path, props: { region: definition.region } });
  }
  runtimeData(definition: ClusterDefinition): RuntimeData {
    const location = `the fake store of ${definition.name}`;
    return { location, manualRemoval: [], remove: async () => ({ count: 0, location }) };
  }
  clusterResources(definition: ClusterDefinition): ClusterResources {
    return emptyClusterResources(`fake resources of ${definition.name}`);
  }
  configureRemoteState(stack: TerraformStack, _definition: ClusterDefinition, stackName: string): void {
    this.calls.push({ method: "configureRemoteState", path: stack.node.path, props: { stackName } });
  }

  createNetwork(scope: Construct, id: string, props: NetworkProps): Network {
    const c = this.record("createNetwork", scope, id, props);
    // Regional subnets: every zone's placement shares one subnet, as on GCP.
    const placements = props.zones.map((zone) => ({ zone, subnetId: `${c.node.path}/nodes` }));
    return {
      networkId: `${c.node.path}/id`,
      cidr: props.cidr,
      zones: props.zones,
      nodePlacements: placements,
      publicPlacements: props.zones.map((zone) => ({ zone, subnetId: `${c.node.path}/public` })),
    };
  }
  createFirewall(scope: Construct, id: string, props: ClusterFirewallProps): ClusterFirewall {
    const c = this.record("createFirewall", scope, id, props);
    return {
      controlPlaneGroupIds: [`${c.node.path}/control-plane`],
      workerGroupIds: [`${c.node.path}/workers`],
      loadBalancerGroupIds: props.apiLoadBalancer ? [`${c.node.path}/api`] : [],
      bastionGroupIds: props.bastion ? [`${c.node.path}/bastion`] : [],
    };
  }
  createNodeIdentities(scope: Construct, id: string, props: NodeIdentitiesProps): NodeIdentities {
    this.record("createNodeIdentities", scope, id, props);
    return {
      controlPlane: { kind: "control-plane", name: `${props.clusterName}-control-plane` },
      workers: { kind: "worker", name: `${props.clusterName}-workers` },
      bastion: props.bastion ? { kind: "bastion", name: `${props.clusterName}-bastion` } : undefined,
    };
  }
  createParameterBackend(scope: Construct, id: string, props: ParameterBackendProps): ParameterBackend {
    this.record("createParameterBackend", scope, id, props);
    return {
      path: `/fake/${props.clusterName}`,
      workerJoinParameter: `/fake/${props.clusterName}/join/worker`,
      nodeConfig: { kind: "fake", settings: { KUBEPLANE_FAKE_STORE: props.clusterName } },
    };
  }
  createMachineImage(scope: Construct, id: string, props: MachineImageProps): MachineImage {
    const c = this.record("createMachineImage", scope, id, props);
    return { imageId: `${c.node.path}/image`, rootDeviceName: "/dev/fake0" };
  }
  createApiLoadBalancer(scope: Construct, id: string, props: ApiLoadBalancerProps): ApiLoadBalancer {
    const c = this.record("createApiLoadBalancer", scope, id, props);
    const targets: string[] = [];
    this.calls.push({ method: "createApiLoadBalancer.targets", path: c.node.path, props: targets });
    return { dnsName: `${id}.lb.fake`, isPublic: props.public ?? false, addTarget: (_id, instanceId) => targets.push(instanceId) };
  }
  createApiDnsName(scope: Construct, id: string, props: ApiDnsNameProps): ApiDnsName {
    const c = this.record("createApiDnsName", scope, id, props);
    return {
      fqdn: `api.${props.clusterName}.${props.zoneSuffix}`,
      pointAt: (target: ApiDnsTarget) => this.calls.push({ method: "ApiDnsName.pointAt", path: c.node.path, props: target }),
    };
  }
  createControlPlane(scope: Construct, id: string, props: ControlPlaneProps): ControlPlane {
    const c = this.record("createControlPlane", scope, id, props);
    const instanceIds = Array.from({ length: props.count }, (_, i) => `${c.node.path}/node-${i}`);
    instanceIds.forEach((instanceId, i) => {
      props.loadBalancer?.addTarget(`node-${i}`, instanceId);
      props.publicLoadBalancer?.addTarget(`node-${i}`, instanceId);
    });
    return { instanceIds, endpointHost: props.loadBalancer?.dnsName ?? "192.0.2.10", firstNodeAddress: "192.0.2.10" };
  }
  createWorkerPool(scope: Construct, id: string, props: WorkerPoolProps): WorkerPool {
    const c = this.record("createWorkerPool", scope, id, props);
    return { poolName: `${c.node.path}/pool`, drainHookName: `${c.node.path}/drain` };
  }
  createNodeBundle(scope: Construct, id: string, props: NodeBundleProps): NodeBundle {
    const c = this.record("createNodeBundle", scope, id, props);
    return { locations: Object.fromEntries(props.archives.map((a) => [a.role, { kind: "fake-store", settings: { KUBEPLANE_BUNDLE_URL: `${c.node.path}/${a.role}` } }])) };
  }
  createBastion(scope: Construct, id: string, props: BastionProps): Bastion {
    const c = this.record("createBastion", scope, id, props);
    return { instanceId: `${c.node.path}/instance` };
  }
  createOperatorAccess(scope: Construct, id: string, props: OperatorAccessProps): OperatorAccess {
    const c = this.record("createOperatorAccess", scope, id, props);
    return { mintCommandName: `${c.node.path}/mint`, operatorPolicyName: `${c.node.path}/operator` };
  }
  createBackupStore(scope: Construct, id: string, props: BackupStoreProps): BackupStore {
    const c = this.record("createBackupStore", scope, id, props);
    return { name: `${c.node.path}/store`, snapshotPrefix: "etcd/", pkiPrefix: "pki/", nodeConfig: { kind: "fake", settings: { KUBEPLANE_BACKUP_FAKE_STORE: props.clusterName } } };
  }
  createStateStore(scope: Construct, id: string, props: StateStoreProps): StateStore {
    const c = this.record("createStateStore", scope, id, props);
    return { name: `${c.node.path}/store`, outputs: {}, suppressions: [], configureBackend: () => undefined };
  }
}

