/**
 * `<cluster>-cluster`: everything that runs in the network — firewall, node identities, the
 * join-lease backend, the API load balancer, control plane, workers and the optional bastion.
 */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { installerNamed } from "../bootstrap/installers/installers";
import { LEASE_REFRESH_COMMAND, renderUserData } from "../bootstrap/user-data";
import type { NodeRole, UserDataContext } from "../bootstrap/user-data-context";
import type { ClusterDefinition } from "../definition";
import type { CloudProvider, Network } from "../providers";
import { configureStateBackend } from "./state-backend";
import { escapeTemplateSequences } from "./terraform-string";

/** The Kubernetes API server port. */
export const API_SERVER_PORT = 6443;

/** Props for a ClusterStack. */
export interface ClusterStackProps {
  /** The validated cluster definition. */
  readonly definition: ClusterDefinition;
  /** The cloud to build on (from `cloudFor(definition)`). */
  readonly cloud: CloudProvider;
  /** The cluster's network (from its NetworkStack). */
  readonly network: Network;
}

/** The cluster stack of one cluster. */
export class ClusterStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { definition: def, cloud, network } = props;
    cloud.configureStack(this, def);
    configureStateBackend(this, def, id);

    const publicApiCidrs = def.controlPlane.publicApi?.allowedCidrs;
    // An HA control plane needs a stable endpoint; a public API is reached only through one.
    const needsLoadBalancer = def.controlPlane.count > 1 || publicApiCidrs !== undefined;
    const firewall = cloud.createFirewall(this, "firewall", {
      clusterName: def.name,
      network,
      apiServerPort: API_SERVER_PORT,
      publicApiCidrs,
      bastion: def.bastion,
      apiLoadBalancer: needsLoadBalancer,
      cniPorts: installerNamed(def.kubernetes.installer).cniPorts,
      extraEgress: def.network.extraEgress,
    });
    const identities = cloud.createNodeIdentities(this, "identities", { clusterName: def.name, bastion: def.bastion });
    const backend = cloud.createParameterBackend(this, "join-lease", {
      clusterName: def.name,
      controlPlane: identities.controlPlane,
      workers: identities.workers,
      refreshCommand: LEASE_REFRESH_COMMAND,
    });
    const image = cloud.createMachineImage(this, "image", { imageId: def.ami });

    const loadBalancer = needsLoadBalancer
        ? cloud.createApiLoadBalancer(this, "api-load-balancer", {
            clusterName: def.name,
            network,
            port: API_SERVER_PORT,
            firewallGroupIds: firewall.loadBalancerGroupIds,
            public: publicApiCidrs !== undefined,
          })
        : undefined;

    const userData = (role: NodeRole) => {
      const context: UserDataContext = {
        clusterName: def.name,
        cloud: cloud.name,
        role,
        kubernetes: {
          version: def.kubernetes.version,
          installer: def.kubernetes.installer,
          podCidr: def.kubernetes.podCidr,
          serviceCidr: def.kubernetes.serviceCidr,
          kurlInstallerUrl: def.kubernetes.kurl?.installerUrl,
        },
        // TODO(issue 10): the private DNS name's record (Route53) comes with the API endpoint work.
        controlPlaneEndpoint: `api.${def.name}.kubeplane.internal`,
        controlPlaneCount: def.controlPlane.count,
        apiServerPort: API_SERVER_PORT,
        joinLease: { ttlHours: def.joinTokens.ttlHours },
        parameterBackend: backend.nodeConfig,
      };
      return escapeTemplateSequences(renderUserData(context));
    };

    const controlPlane = cloud.createControlPlane(this, "control-plane", {
      clusterName: def.name,
      count: def.controlPlane.count,
      instanceType: def.controlPlane.instanceType,
      volumeSize: def.controlPlane.volumeSize,
      imageId: image.imageId,
      subnetIds: network.privateSubnetIds,
      firewallGroupIds: firewall.controlPlaneGroupIds,
      identity: identities.controlPlane,
      initUserData: userData("control-plane-init"),
      joinUserData: def.controlPlane.count > 1 ? userData("control-plane-join") : undefined,
      loadBalancer,
    });

    const workers = cloud.createWorkerPool(this, "workers", {
      clusterName: def.name,
      min: def.workers.min,
      desired: def.workers.desired,
      max: def.workers.max,
      instanceType: def.workers.instanceType,
      volumeSize: def.workers.volumeSize,
      imageId: image.imageId,
      rootDeviceName: image.rootDeviceName,
      subnetIds: network.privateSubnetIds,
      firewallGroupIds: firewall.workerGroupIds,
      identity: identities.workers,
      userData: userData("worker"),
      tags: def.tags,
    });

    if (def.bastion && identities.bastion) {
      const bastion = cloud.createBastion(this, "bastion", {
        clusterName: def.name,
        imageId: image.imageId,
        subnetId: network.privateSubnetIds[0],
        firewallGroupIds: firewall.bastionGroupIds,
        identity: identities.bastion,
      });
      new TerraformOutput(this, "bastion_instance_id", { value: bastion.instanceId });
    }

    new TerraformOutput(this, "api_endpoint", { value: `https://${controlPlane.endpointHost}:${API_SERVER_PORT}` });
    new TerraformOutput(this, "parameter_path", { value: backend.path });
    new TerraformOutput(this, "worker_pool", { value: workers.poolName });
    new TerraformOutput(this, "control_plane_instance_ids", { value: controlPlane.instanceIds });
  }
}
