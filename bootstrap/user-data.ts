/**
 * Renders a node's user data: cloud-config that writes the cluster settings and the node-side
 * scripts, then runs the bootstrap script. The scripts install Kubernetes with the chosen
 * installer and create the cluster (first control-plane node) or join it with the join lease.
 * No secret is ever part of the user data: join commands travel through the parameter backend.
 */
import { renderClusterEnv } from "./cluster-env";
import { renderCloudConfig } from "./cloud-config";
import { etcdToolsFor, etcdToolsSettings } from "./etcd-tools";
import { kubernetesSupportFor } from "../definition/kubernetes-versions";
import { cloudAddonFiles } from "./installers/cloud-addons";
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

/** The etcd snapshot and restore commands of control-plane nodes (node/etcd-snapshot.sh, node/etcd-restore.sh). */
export const ETCD_SNAPSHOT_COMMAND = "/usr/local/sbin/kubeplane-etcd-snapshot";
export const ETCD_RESTORE_COMMAND = "/usr/local/sbin/kubeplane-etcd-restore";

/** The snapshot timer: rendered, since its interval is the definition's `backups.interval`. */
export function etcdSnapshotTimer(interval: string): string {
  return [
    "[Unit]",
    `Description=kubeplane: an etcd snapshot every ${interval}`,
    "",
    "[Timer]",
    "OnBootSec=10min",
    `OnUnitActiveSec=${interval}`,
    "RandomizedDelaySec=1min",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/**
 * Command a worker runs to drain itself when its group terminates it (node/drain-on-termination.sh,
 * as kubeplane-drain.service; `--now` drains at once).
 */
export const DRAIN_COMMAND = "/usr/local/sbin/kubeplane-drain";

const isToken = (value: string): boolean => value.includes("${");

/** Checks a context before anything is rendered from it; errors name the cluster and the role. */
export function validateUserDataContext(context: UserDataContext): void {
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
  if (context.backups) {
    if (context.role === "worker") throw new Error(`${where}: backups are a control-plane role's (workers may not reach the backup store)`);
    if (!/^[1-9][0-9]*(m|h)$/.test(context.backups.interval)) throw new Error(`${where}: backups.interval must be minutes or hours like 15m or 1h, got ${context.backups.interval}`);
    if (!Number.isInteger(context.backups.retentionDays) || context.backups.retentionDays < 1) throw new Error(`${where}: backups.retentionDays must be a whole number of days, at least 1`);
    if (!/^[a-z0-9-]+$/.test(context.backups.store.kind)) throw new Error(`${where}: backups.store.kind "${context.backups.store.kind}" is not a module name`);
    for (const name of Object.keys(context.backups.store.settings)) {
      if (!name.startsWith("KUBEPLANE_BACKUP_")) throw new Error(`${where}: backup store setting ${name} must start with KUBEPLANE_BACKUP_`);
    }
  }
}

/**
 * A pool's labels and taints as the kubelet's --node-labels (`key=value,...`) and
 * --register-with-taints (`key=value:Effect,...`) take them; the definition's schema has checked
 * their syntax (definition/worker-pools.ts).
 */
export function nodeRegistrationSettings(context: Pick<UserDataContext, "nodeRegistration">): Record<string, string> {
  const labels = Object.entries(context.nodeRegistration?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const taints = (context.nodeRegistration?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
  return {
    ...(labels.length ? { KUBEPLANE_NODE_LABELS: labels.join(",") } : {}),
    ...(taints.length ? { KUBEPLANE_NODE_TAINTS: taints.join(",") } : {}),
  };
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
    ...nodeRegistrationSettings(context),
    ...(context.bundle?.settings ?? {}),
    KUBEPLANE_PARAMETER_BACKEND: context.parameterBackend.kind,
    ...context.parameterBackend.settings,
    ...(context.backups
      ? {
          KUBEPLANE_BACKUP_STORE: context.backups.store.kind,
          KUBEPLANE_BACKUP_INTERVAL: context.backups.interval,
          KUBEPLANE_BACKUP_RETENTION_DAYS: String(context.backups.retentionDays),
          ...context.backups.store.settings,
          ...etcdToolsSettings(etcdToolsFor(context.kubernetes.version, `cluster ${context.clusterName}`)),
        }
      : {}),
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
  // The cloud's controllers and storage, installed by kubeadm init's node (kURL brings its own).
  const versions = kubernetesSupportFor(context.kubernetes.version);
  if (context.kubernetes.installer === "kubeadm" && versions) files.push(...cloudAddonFiles(context, versions));
  if (context.role === "worker") {
    files.push(
      nodeLibraryModule(`termination/${context.cloud}.sh`),
      staticNodeFile("drain-on-termination.sh", DRAIN_COMMAND, "0755"),
      staticNodeFile("systemd/kubeplane-drain.service", "/etc/systemd/system/kubeplane-drain.service"),
    );
  }
  if (context.role !== "worker") {
    files.push(
      staticNodeFile("refresh-join-lease.sh", LEASE_REFRESH_COMMAND, "0755"),
      staticNodeFile("mint-kubeconfig.sh", MINT_KUBECONFIG_COMMAND, "0755"),
      staticNodeFile("systemd/kubeplane-join-lease.service", "/etc/systemd/system/kubeplane-join-lease.service"),
      staticNodeFile("systemd/kubeplane-join-lease.timer", "/etc/systemd/system/kubeplane-join-lease.timer"),
      // Enabled only where the backend's joiners ask with a request record (bootstrap.sh).
      staticNodeFile("systemd/kubeplane-join-lease-requests.service", "/etc/systemd/system/kubeplane-join-lease-requests.service"),
      staticNodeFile("systemd/kubeplane-join-lease-requests.timer", "/etc/systemd/system/kubeplane-join-lease-requests.timer"),
    );
  }
  if (context.role !== "worker") {
    // A control-plane node that joins removes the etcd members whose instances are gone.
    files.push(nodeLibraryModule("etcd-members.sh"), nodeLibraryModule(`etcd-cloud/${context.cloud}.sh`));
  }
  if (context.backups) {
    files.push(
      nodeLibraryModule("etcd-common.sh"),
      nodeLibraryModule("etcd-tools.sh"),
      nodeLibraryModule(`etcd-store/${context.backups.store.kind}.sh`),
      staticNodeFile("etcd-snapshot.sh", ETCD_SNAPSHOT_COMMAND, "0755"),
      staticNodeFile("etcd-restore.sh", ETCD_RESTORE_COMMAND, "0755"),
      staticNodeFile("systemd/kubeplane-etcd-snapshot.service", "/etc/systemd/system/kubeplane-etcd-snapshot.service"),
      { path: "/etc/systemd/system/kubeplane-etcd-snapshot.timer", permissions: "0644", content: etcdSnapshotTimer(context.backups.interval), isStatic: false },
    );
  }
  return files;
}

/** Renders `#cloud-config` user data for the node described by `context`. */
export function renderUserData(context: UserDataContext): string {
  validateUserDataContext(context);
  return renderCloudConfig(nodeFiles(context), [[BOOTSTRAP_COMMAND]]);
}
