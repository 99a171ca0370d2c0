/**
 * GCP: the second CloudProvider. Each building block is a construct in this folder; the stacks
 * build on it unchanged. Not built for GCP yet, and refused in the definition with the reason:
 * a public API balancer, etcd backups, spot capacity and the cluster autoscaler, the kURL
 * installer (its add-ons are AWS's), and `kubeplane bootstrap`'s state store.
 */
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { type ClusterDefinition, type FieldProblem } from "../../definition";
import { didYouMean } from "../../definition/issue-messages";
import { kubernetesSupportFor, SUPPORTED_KUBERNETES } from "../../definition/kubernetes-versions";
import type { BackupStoreProps } from "../backup-store";
import type { BastionProps } from "../bastion";
import type { CloudProvider } from "../cloud-provider";
import type { ApiDnsNameProps } from "../api-dns-name";
import type { ClusterFirewallProps } from "../firewall";
import type { ApiLoadBalancerProps } from "../load-balancer";
import type { ControlPlaneProps } from "../control-plane";
import type { MachineImageProps } from "../machine-image";
import type { NetworkProps } from "../network";
import type { NodeBundleProps } from "../node-bundle";
import type { NodeIdentitiesProps } from "../node-identity";
import type { OperatorAccessProps } from "../operator-access";
import type { ParameterBackendProps } from "../parameter-backend";
import type { StateStore, StateStoreProps } from "../state-store";
import type { WorkerPoolProps } from "../worker-pool";
import { KUBEADM_CONTROL_PLANE_MINIMUM } from "../aws/instance-types";
import { GcpApiDnsName } from "./gcp-api-dns-name";
import { GcpApiLoadBalancer } from "./gcp-api-load-balancer";
import { GcpBastion } from "./gcp-bastion";
import { GcpControlPlane } from "./gcp-control-plane";
import { GCP_DEFINITION_DEFAULTS, gcpBlockOf, gcpDefinitionProblems } from "./gcp-definition";
import { GcpFirewall } from "./gcp-firewall";
import { GCP_CLUSTER_LABEL } from "./gcp-labels";
import { GcpLabelledResources } from "./gcp-labelled-resources";
import { GCP_MACHINE_FAMILIES, GCP_MACHINE_TYPES, smallestStandardOf } from "./gcp-machine-types";
import { GcpMachineImage } from "./gcp-machine-image";
import { GcpNetwork } from "./gcp-network";
import { GcpNodeBundle } from "./gcp-node-bundle";
import { GcpNodeIdentities } from "./gcp-node-identities";
import { GcpOperatorAccess } from "./gcp-operator-access";
import { gcpZonesOf, knownGcpRegions } from "./gcp-regions";
import { GcpRuntimeSecrets } from "./gcp-runtime-secrets";
import { GcpSecretManagerParameterBackend } from "./gcp-secret-manager-parameter-backend";
import { GcpWorkerPool } from "./gcp-worker-pool";
import { configureGcsState } from "./gcs-remote-state";
import { GCP_RULES } from "./rules";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What is wrong with a machine type for a role, or undefined when it will do. */
export function machineTypeProblem(name: string, controlPlane: boolean): string | undefined {
  const type = GCP_MACHINE_TYPES[name];
  if (!type) {
    return `"${name}" is not a Compute Engine machine type kubeplane knows${didYouMean(name, Object.keys(GCP_MACHINE_TYPES))}; known families: ${GCP_MACHINE_FAMILIES.join(", ")}`;
  }
  if (type.architecture !== "x86_64") return `"${name}" is an Arm (T2A) type; kubeplane's nodes boot Ubuntu's amd64 image: choose an x86_64 type such as t2d-standard-${type.vcpus}`;
  if (controlPlane && (type.vcpus < KUBEADM_CONTROL_PLANE_MINIMUM.vcpus || type.memoryMib < KUBEADM_CONTROL_PLANE_MINIMUM.memoryMib)) {
    const family = name.split("-")[0];
    const smallest = smallestStandardOf(family, KUBEADM_CONTROL_PLANE_MINIMUM);
    return (
      `"${name}" has ${plural(type.vcpus, "vCPU")} and ${type.memoryMib} MiB of memory; kubeadm refuses a control-plane node with fewer than ` +
      `${KUBEADM_CONTROL_PLANE_MINIMUM.vcpus} vCPUs or less than ${KUBEADM_CONTROL_PLANE_MINIMUM.memoryMib} MB of memory` +
      (smallest ? ` (${smallest} is the smallest ${family} standard type that passes)` : "")
    );
  }
  return undefined;
}

/** What a GCP definition may not ask for yet, each at its field. */
function notBuiltYet(def: ClusterDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (def.controlPlane.publicApi) problems.push({ path: ["controlPlane", "publicApi"], message: "an internet-facing API load balancer is not built for GCP yet: reach the API through IAP (gcloud compute start-iap-tunnel)" });
  if (def.controlPlane.apiLoadBalancer.deletionProtection) problems.push({ path: ["controlPlane", "apiLoadBalancer", "deletionProtection"], message: "GCP forwarding rules have no deletion protection: leave it false" });
  if (def.backups.enabled) problems.push({ path: ["backups", "enabled"], message: "etcd backups are not built for GCP yet: write backups: { enabled: false }" });
  if (def.kubernetes.installer !== "kubeadm") problems.push({ path: ["kubernetes", "installer"], message: `the ${def.kubernetes.installer} installer is not built for GCP: use kubeadm` });
  const pinned = kubernetesSupportFor(def.kubernetes.version);
  if (pinned && !pinned.gcpCloudControllerVersion) {
    const served = SUPPORTED_KUBERNETES.filter((row) => row.gcpCloudControllerVersion);
    const newest = served.at(-1)?.gcpCloudControllerVersion;
    problems.push({
      path: ["kubernetes", "version"],
      message: `Kubernetes ${pinned.minor} has no GCP cloud controller release within the version skew (the newest, ${newest}, serves ${served.map((row) => row.minor).join(" and ")}): a GCP node stays uninitialized without one; use ${served.at(-1)?.latestPatch}`,
    });
  }
  def.workerPools.forEach((pool) => {
    if (pool.autoscale) problems.push({ path: [...pool.path, "autoscale"], message: "the cluster autoscaler is not built for GCP yet: leave it out" });
    if (pool.instanceTypes.length > 1) problems.push({ path: [...pool.path, "instanceTypes"], message: "a GCP pool takes one machine type (an instance template has one)" });
  });
  return problems;
}

/** Builds clusters on Google Cloud. */
export class GcpCloud implements CloudProvider {
  readonly name = "gcp";
  readonly rules = GCP_RULES;
  readonly definitionDefaults = GCP_DEFINITION_DEFAULTS;

  validateDefinition(definition: ClusterDefinition): FieldProblem[] {
    const problems: FieldProblem[] = [...gcpDefinitionProblems(definition), ...notBuiltYet(definition)];
    const zones = gcpZonesOf(definition.region);
    if (!zones) {
      problems.push({ path: ["region"], message: `"${definition.region}" is not a GCP region kubeplane knows${didYouMean(definition.region, knownGcpRegions())}; known: ${knownGcpRegions().join(", ")}` });
    } else if (Array.isArray(definition.network.azs)) {
      const seen = new Set<string>();
      definition.network.azs.forEach((zone, i) => {
        if (!zones.includes(zone)) problems.push({ path: ["network", "azs", i], message: `"${zone}" is not a zone of ${definition.region}; its zones: ${zones.join(", ")}` });
        else if (seen.has(zone)) problems.push({ path: ["network", "azs", i], message: `"${zone}" is listed twice` });
        seen.add(zone);
      });
    } else if (definition.network.azs > zones.length) {
      problems.push({ path: ["network", "azs"], message: `${definition.region} has ${zones.length} zones (${zones.join(", ")}); asked for ${definition.network.azs}` });
    }
    const controlPlaneType = machineTypeProblem(definition.controlPlane.instanceType, true);
    if (controlPlaneType) problems.push({ path: ["controlPlane", "instanceType"], message: controlPlaneType });
    for (const pool of definition.workerPools) {
      pool.instanceTypes.forEach((type, i) => {
        const message = machineTypeProblem(type, false);
        if (message) problems.push({ path: [...pool.instanceTypePaths[i]], message });
      });
    }
    return problems;
  }

  zonesFor(definition: ClusterDefinition): string[] {
    if (Array.isArray(definition.network.azs)) return [...definition.network.azs];
    const zones = gcpZonesOf(definition.region);
    if (!zones) throw new Error(`region: unknown GCP region "${definition.region}"`);
    return zones.slice(0, definition.network.azs);
  }

  configureStack(stack: TerraformStack, definition: ClusterDefinition): void {
    new GoogleProvider(stack, "google", {
      project: gcpBlockOf(definition.gcp).project,
      region: definition.region,
      defaultLabels: { ...definition.tags, [GCP_CLUSTER_LABEL]: definition.name },
    });
  }

  configureRemoteState(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void {
    configureGcsState(stack, definition, stackName);
  }

  runtimeData(definition: ClusterDefinition) {
    return new GcpRuntimeSecrets(definition.name, gcpBlockOf(definition.gcp).project);
  }

  clusterResources(definition: ClusterDefinition) {
    return new GcpLabelledResources(definition.name, gcpBlockOf(definition.gcp).project);
  }

  createNetwork(scope: Construct, id: string, props: NetworkProps) {
    return new GcpNetwork(scope, id, props);
  }
  createFirewall(scope: Construct, id: string, props: ClusterFirewallProps) {
    return new GcpFirewall(scope, id, props);
  }
  createNodeIdentities(scope: Construct, id: string, props: NodeIdentitiesProps) {
    return new GcpNodeIdentities(scope, id, props);
  }
  createParameterBackend(scope: Construct, id: string, props: ParameterBackendProps) {
    return new GcpSecretManagerParameterBackend(scope, id, props);
  }
  createMachineImage(scope: Construct, id: string, props: MachineImageProps) {
    return new GcpMachineImage(scope, id, { image: props.cloudBlock ? gcpBlockOf(props.cloudBlock).image : undefined });
  }
  createApiLoadBalancer(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    return new GcpApiLoadBalancer(scope, id, props);
  }
  createApiDnsName(scope: Construct, id: string, props: ApiDnsNameProps) {
    return new GcpApiDnsName(scope, id, props);
  }
  createControlPlane(scope: Construct, id: string, props: ControlPlaneProps) {
    return new GcpControlPlane(scope, id, props);
  }
  createWorkerPool(scope: Construct, id: string, props: WorkerPoolProps) {
    return new GcpWorkerPool(scope, id, props);
  }
  createNodeBundle(scope: Construct, id: string, props: NodeBundleProps) {
    return new GcpNodeBundle(scope, id, props);
  }
  createBastion(scope: Construct, id: string, props: BastionProps) {
    return new GcpBastion(scope, id, props);
  }
  createOperatorAccess(scope: Construct, id: string, props: OperatorAccessProps) {
    return new GcpOperatorAccess(scope, id, props);
  }
  createBackupStore(_scope: Construct, id: string, _props: BackupStoreProps): never {
    throw new Error(`GcpCloud: ${id}: etcd backups are not built for GCP yet (the definition must say backups: { enabled: false })`);
  }
  createStateStore(_scope: Construct, id: string, _props: StateStoreProps): StateStore {
    throw new Error(`GcpCloud: ${id}: kubeplane bootstrap's state store is not built for GCP yet: make the GCS bucket with versioning by hand`);
  }
}
