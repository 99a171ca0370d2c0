/**
 * `<cluster>-cluster`: everything that runs in the network — firewall, node identities, the
 * join-lease backend, the API load balancers (internal for HA, internet-facing for a public API),
 * the API's private DNS name, control plane, workers and the optional bastion.
 */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { installerNamed } from "../bootstrap/installers/installers";
import { nodeBundleArchive, renderBundledUserData } from "../bootstrap/bundle";
import { LEASE_REFRESH_COMMAND, MINT_KUBECONFIG_COMMAND } from "../bootstrap/user-data";
import type { NodeRole, UserDataContext } from "../bootstrap/user-data-context";
import { cloudBlockOf, type ClusterDefinition } from "../definition";
import type { ClusterFacts } from "../rules";
import { CloudProvider, KUBE_API_SERVER_PORT, Network } from "../providers";
import { configureStateBackend } from "./state-backend";
import { escapeTemplateSequences } from "./terraform-string";

/** The Kubernetes API server port (re-exported for the stacks' users). */
export const API_SERVER_PORT = KUBE_API_SERVER_PORT;

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
  /**
   * What the cloud's rule pack checks the cluster's Terraform against, as the constructs that made
   * it state it (role names, the parameter path): never re-derived, so a rename cannot make a rule
   * match nothing.
   */
  readonly ruleFacts: ClusterFacts;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { definition: def, cloud, network } = props;
    cloud.configureStack(this, def);
    configureStateBackend(this, def, id, cloud);

    const publicApiCidrs = def.controlPlane.publicApi?.allowedCidrs;
    // Nodes always reach their API inside the network: an HA control plane through an internal
    // balancer. A public API is an ADDITIONAL, internet-facing balancer for the allow-list only
    // (nodes in private subnets would reach it through NAT, from an address it does not admit).
    const highlyAvailable = def.controlPlane.count > 1;
    const firewall = cloud.createFirewall(this, "firewall", {
      clusterName: def.name,
      network,
      apiServerPort: API_SERVER_PORT,
      bastion: def.bastion,
      // The internal balancer's group admits the network only; the public balancer has its own.
      apiLoadBalancer: highlyAvailable,
      cniPorts: installerNamed(def.kubernetes.installer).cniPorts,
      extraEgress: def.network.extraEgress,
    });
    const identities = cloud.createNodeIdentities(this, "identities", {
      clusterName: def.name,
      bastion: def.bastion,
      clusterAutoscaler: def.workerPools.some((p) => p.autoscale),
    });
    const backend = cloud.createParameterBackend(this, "join-lease", {
      clusterName: def.name,
      kind: def.joinTokens.backend,
      controlPlane: identities.controlPlane,
      workers: identities.workers,
      refreshCommand: LEASE_REFRESH_COMMAND,
      controlPlaneJoins: highlyAvailable,
    });
    this.ruleFacts = {
      clusterName: def.name,
      networkCidr: network.cidr,
      publicApiCidrs,
      parameterPath: backend.path,
      workerJoinParameter: backend.workerJoinParameter,
      controlPlaneRoles: [identities.controlPlane.name],
      workerRoles: [identities.workers.name],
      extraEgress: def.network.extraEgress,
    };
    const image = cloud.createMachineImage(this, "image", { cloudBlock: cloudBlockOf(def) });
    // etcd snapshots and the PKI: a store only the control plane may use (backups.enabled).
    const backups = def.backups.enabled
      ? cloud.createBackupStore(this, "backups", {
          clusterName: def.name,
          controlPlane: identities.controlPlane,
          otherNodes: [identities.workers, ...(identities.bastion ? [identities.bastion] : [])],
          retentionDays: def.backups.retentionDays,
          keepOnDestroy: def.backups.keepOnDestroy,
        })
      : undefined;

    const deletionProtection = def.controlPlane.apiLoadBalancer.deletionProtection;
    // The construct id of the internal balancer is the one HA clusters always had.
    const loadBalancer = highlyAvailable
      ? cloud.createApiLoadBalancer(this, "api-load-balancer", {
          clusterName: def.name,
          network,
          port: API_SERVER_PORT,
          firewallGroupIds: firewall.loadBalancerGroupIds,
          deletionProtection,
        })
      : undefined;
    const publicLoadBalancer = publicApiCidrs
      ? cloud.createApiLoadBalancer(this, "public-api-load-balancer", {
          clusterName: def.name,
          network,
          port: API_SERVER_PORT,
          public: true,
          allowedCidrs: publicApiCidrs,
          deletionProtection,
        })
      : undefined;
    const apiName = cloud.createApiDnsName(this, "api-dns-name", {
      clusterName: def.name,
      network,
      zoneSuffix: def.network.privateDnsZone,
    });

    const contextFor = (role: NodeRole, registration?: UserDataContext["nodeRegistration"]): UserDataContext => {
      return {
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
        controlPlaneEndpoint: apiName.fqdn,
        controlPlaneCount: def.controlPlane.count,
        // Clients of the public balancer reach the API under its own name: the certificate carries it.
        apiServerCertSans: publicLoadBalancer ? [publicLoadBalancer.dnsName] : undefined,
        apiServerPort: API_SERVER_PORT,
        joinLease: { ttlHours: def.joinTokens.ttlHours },
        parameterBackend: backend.nodeConfig,
        ...(registration ? { nodeRegistration: registration } : {}),
        ...(role === "control-plane-init" && def.workerPools.some((p) => p.autoscale) ? { clusterAutoscaler: true } : {}),
        ...(backups && role !== "worker"
          ? { backups: { store: backups.nodeConfig, interval: def.backups.interval, retentionDays: def.backups.retentionDays } }
          : {}),
      };
    };
    // The node scripts travel in a bundle per role (EC2 takes 16 KiB of user data, and the
    // scripts alone are more): the user data keeps the settings, the bundle's SHA-256 and a
    // loader. Every worker pool's nodes take the same worker bundle (only their settings differ).
    const roles: NodeRole[] = ["control-plane-init", ...(def.controlPlane.count > 1 ? (["control-plane-join"] as const) : []), "worker"];
    const archives = new Map(roles.map((role) => [role, nodeBundleArchive(contextFor(role))]));
    const bundle = cloud.createNodeBundle(this, "node-bundle", {
      clusterName: def.name,
      archives: roles.map((role) => ({
        role,
        base64: archives.get(role)!.archive.toString("base64"),
        sha256: archives.get(role)!.sha256,
        reader: role === "worker" ? identities.workers : identities.controlPlane,
      })),
    });
    const userData = (role: NodeRole, registration?: UserDataContext["nodeRegistration"]) =>
      escapeTemplateSequences(renderBundledUserData(contextFor(role, registration), bundle.locations[role], archives.get(role)!.sha256));

    const controlPlane = cloud.createControlPlane(this, "control-plane", {
      clusterName: def.name,
      count: def.controlPlane.count,
      instanceType: def.controlPlane.instanceType,
      volumeSizeGiB: def.controlPlane.volumeSize,
      image,
      placements: network.nodePlacements,
      firewallGroupIds: firewall.controlPlaneGroupIds,
      identity: identities.controlPlane,
      initUserData: userData("control-plane-init"),
      joinUserData: def.controlPlane.count > 1 ? userData("control-plane-join") : undefined,
      loadBalancer,
      publicLoadBalancer,
    });
    apiName.pointAt(loadBalancer ? { loadBalancer } : { address: controlPlane.firstNodeAddress });

    // One pool each; the pool `default` keeps the construct id of the single pool ("workers"), so
    // that clusters from before pools keep their workers.
    const workers = def.workerPools.map((pool) => {
      const placements = pool.zones ? network.nodePlacements.filter((p) => pool.zones!.includes(p.zone)) : network.nodePlacements;
      const missing = (pool.zones ?? []).filter((zone) => !network.nodePlacements.some((p) => p.zone === zone));
      if (missing.length > 0) {
        throw new Error(`${[...pool.path, "zones"].join(".")}: ${missing.join(", ")} is not a zone of the cluster's network (${network.nodePlacements.map((p) => p.zone).join(", ")})`);
      }
      return cloud.createWorkerPool(this, pool.name === "default" ? "workers" : `workers-${pool.name}`, {
        clusterName: def.name,
        name: pool.name,
        min: pool.min,
        desired: pool.desired,
        max: pool.max,
        instanceTypes: pool.instanceTypes,
        spot: pool.spot,
        autoscale: pool.autoscale,
        labels: pool.labels,
        taints: pool.taints,
        volumeSizeGiB: pool.volumeSize,
        image,
        placements,
        firewallGroupIds: firewall.workerGroupIds,
        identity: identities.workers,
        userData: userData("worker", { labels: pool.labels, taints: pool.taints }),
        tags: def.tags,
      });
    });

    if (def.bastion && identities.bastion) {
      const bastion = cloud.createBastion(this, "bastion", {
        clusterName: def.name,
        image,
        placement: network.nodePlacements[0],
        firewallGroupIds: firewall.bastionGroupIds,
        identity: identities.bastion,
      });
      new TerraformOutput(this, "bastion_instance_id", { value: bastion.instanceId });
    }

    // How operators get in (kubeplane kubeconfig, tunnel, validate): no credential is made here.
    cloud.createOperatorAccess(this, "operator-access", {
      clusterName: def.name,
      controlPlane: identities.controlPlane,
      mintCommand: MINT_KUBECONFIG_COMMAND,
      parameterPath: backend.path,
    });

    new TerraformOutput(this, "api_endpoint", { value: `https://${apiName.fqdn}:${API_SERVER_PORT}` });
    if (publicLoadBalancer) new TerraformOutput(this, "public_api_endpoint", { value: `https://${publicLoadBalancer.dnsName}:${API_SERVER_PORT}` });
    new TerraformOutput(this, "parameter_path", { value: backend.path });
    if (backups) new TerraformOutput(this, "backup_store", { value: backups.name });
    new TerraformOutput(this, "worker_pool", { value: workers[0].poolName });
    if (workers.length > 1) new TerraformOutput(this, "worker_pools", { value: workers.map((w) => w.poolName) });
    new TerraformOutput(this, "control_plane_instance_ids", { value: controlPlane.instanceIds });
  }
}
