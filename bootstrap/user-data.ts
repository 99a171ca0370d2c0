/**
 * Renders a node's user data: cloud-config that writes the cluster settings and the node-side
 * scripts, then runs the bootstrap script. The scripts install Kubernetes with the chosen
 * installer and create the cluster (first control-plane node) or join it with the join lease.
 * No secret is ever part of the user data: join commands travel through the parameter backend.
 */
import { renderClusterEnv } from "./cluster-env";
import { renderCloudConfig } from "./cloud-config";
import { installerNamed } from "./installers/installers";
import { BOOTSTRAP_COMMAND, NodeFile, nodeLibraryModule, staticNodeFile } from "./node-files";
import { UserDataContext } from "./user-data-context";

/** Path on the node of the file with the cluster's settings. */
export const CLUSTER_ENV_FILE = "/etc/kubeplane/cluster.env";

/**
 * Command the control plane runs to refresh the join lease on request (the refresh SSM document
 * runs it as root, without arguments; the request timer with --if-requested).
 */
export const LEASE_REFRESH_COMMAND = "/usr/local/sbin/kubeplane-refresh-join-lease";

/**
 * Command the control plane runs to mint an operator's kubeconfig (node/mint-kubeconfig.sh; the
 * cloud's mint document runs it as root for `kubeplane kubeconfig`).
 */
export const MINT_KUBECONFIG_COMMAND = "/usr/local/sbin/kubeplane-mint-kubeconfig";

/**
 * Command the control plane runs to mint an operator's kubeconfig (node/mint-kubeconfig.sh; the
 * cloud's mint document runs it as root for `kubeplane kubeconfig`).
 */
export const MINT_KUBECONFIG_COMMAND = "/usr/local/sbin/kubeplane-mint-kubeconfig";

const isToken = (value: string): boolean => value.includes("${");

function validate(context: UserDataContext): void {
  const where = `cluster ${context.clusterName}, ${context.role}`;
  const { version } = context.kubernetes;
  if (!isToken(version) && !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${where}: kubernetes.version must look like 1.31.4, got ${version}`);
  }
  if (!Number.isInteger(context.joinLease.ttlHours) || context.joinLease.ttlHours < 1) {
    throw new Error(`${where}: joinLease.ttlHours must be a whole number of hours, at least 1`);
  }
  if (!context.controlPlaneEndpoint) throw new Error(`${where}: controlPlaneEndpoint (the API's stable DNS name) is required`);
  const count = context.controlPlaneCount;
  if (!Number.isInteger(count) || count < 1 || (count > 1 && count % 2 === 0)) {
    throw new Error(`${where}: controlPlaneCount must be 1 or an odd number of at least 3, got ${count}`);
  }
  if (context.role === "control-plane-join" && count === 1) {
    throw new Error(`${where}: further control-plane nodes need controlPlaneCount > 1 (an HA control plane)`);
  }
  for (const san of context.apiServerCertSans ?? []) {
    if (!isToken(san) && !/^[A-Za-z0-9.-]+$/.test(san)) throw new Error(`${where}: apiServerCertSans entry "${san}" is not a DNS name or address`);
  }
  for (const name of Object.keys(context.parameterBackend.settings)) {
    if (!name.startsWith("KUBEPLANE_")) throw new Error(`${where}: backend setting ${name} must start with KUBEPLANE_`);
  }
}

function clusterSettings(context: UserDataContext): Record<string, string> {
  return {
    KUBEPLANE_CLUSTER: context.clusterName,
    KUBEPLANE_CLOUD: context.cloud,
    KUBEPLANE_ROLE: context.role,
    KUBEPLANE_INSTALLER: context.kubernetes.installer,
    KUBEPLANE_KUBERNETES_VERSION: context.kubernetes.version,
    KUBEPLANE_API_SERVER_PORT: String(context.apiServerPort),
    KUBEPLANE_CONTROL_PLANE_ENDPOINT: context.controlPlaneEndpoint,
    KUBEPLANE_CONTROL_PLANE_COUNT: String(context.controlPlaneCount),
    ...(context.apiServerCertSans?.length ? { KUBEPLANE_API_SERVER_CERT_SANS: context.apiServerCertSans.join(",") } : {}),
    KUBEPLANE_JOIN_TOKEN_TTL_HOURS: String(context.joinLease.ttlHours),
    ...installerNamed(context.kubernetes.installer).settings(context),
    KUBEPLANE_PARAMETER_BACKEND: context.parameterBackend.kind,
    ...context.parameterBackend.settings,
  };
}

/** The files a node of `context.role` needs, settings file first. */
export function nodeFiles(context: UserDataContext): NodeFile[] {
  const installer = installerNamed(context.kubernetes.installer);
  const files: NodeFile[] = [
    { path: CLUSTER_ENV_FILE, permissions: "0644", content: renderClusterEnv(clusterSettings(context)), isStatic: false },
    nodeLibraryModule("common.sh"),
    nodeLibraryModule("lease.sh"),
    nodeLibraryModule("join.sh"),
    nodeLibraryModule("lock.sh"),
    nodeLibraryModule("status.sh"),
    nodeLibraryModule(`backends/${context.parameterBackend.kind}.sh`),
    nodeLibraryModule(`metadata/${context.cloud}.sh`),
    ...installer.nodeModules.map(nodeLibraryModule),
    staticNodeFile("bootstrap.sh", BOOTSTRAP_COMMAND, "0755"),
  ];
  if (context.role !== "worker") {
    files.push(
      staticNodeFile("refresh-join-lease.sh", LEASE_REFRESH_COMMAND, "0755"),
      staticNodeFile("mint-kubeconfig.sh", MINT_KUBECONFIG_COMMAND, "0755"),
      staticNodeFile("mint-kubeconfig.sh", MINT_KUBECONFIG_COMMAND, "0755"),
      staticNodeFile("systemd/kubeplane-join-lease.service", "/etc/systemd/system/kubeplane-join-lease.service"),
      staticNodeFile("systemd/kubeplane-join-lease.timer", "/etc/systemd/system/kubeplane-join-lease.timer"),
      // Enabled only where the backend's joiners ask with a request record (bootstrap.sh).
      staticNodeFile("systemd/kubeplane-join-lease-requests.service", "/etc/systemd/system/kubeplane-join-lease-requests.service"),
      staticNodeFile("systemd/kubeplane-join-lease-requests.timer", "/etc/systemd/system/kubeplane-join-lease-requests.timer"),
    );
  }
  return files;
}

/** Renders `#cloud-config` user data for the node described by `context`. */
export function renderUserData(context: UserDataContext): string {
  validate(context);
  return renderCloudConfig(nodeFiles(context), [[BOOTSTRAP_COMMAND]]);
}
