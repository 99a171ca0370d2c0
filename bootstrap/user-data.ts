/**
 * Renders a node's cloud-config user data. (Foundation version: names the installer and writes
 * the cluster settings; the node bootstrap issue adds the installers and the join lease.)
 */
import { stringify } from "yaml";
import { UserDataContext } from "./user-data-context";

/** Path on the node of the file with the cluster's settings. */
export const CLUSTER_ENV_FILE = "/etc/kubeplane/cluster.env";

/** Command the control plane runs to refresh the join lease on request. */
export const LEASE_REFRESH_COMMAND = "/usr/local/sbin/kubeplane-refresh-join-lease";

function envFile(context: UserDataContext): string {
  const entries: Record<string, string> = {
    KUBEPLANE_CLUSTER: context.clusterName,
    KUBEPLANE_CLOUD: context.cloud,
    KUBEPLANE_ROLE: context.role,
    KUBEPLANE_INSTALLER: context.kubernetes.installer,
    KUBEPLANE_KUBERNETES_VERSION: context.kubernetes.version,
    KUBEPLANE_PARAMETER_BACKEND: context.parameterBackend.kind,
    ...context.parameterBackend.settings,
  };
  return Object.entries(entries)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n") + "\n";
}

/** Renders `#cloud-config` user data for the node described by `context`. */
export function renderUserData(context: UserDataContext): string {
  const config = {
    write_files: [{ path: CLUSTER_ENV_FILE, permissions: "0644", owner: "root:root", content: envFile(context) }],
    runcmd: [["echo", `kubeplane: ${context.role} node of ${context.clusterName}, installer ${context.kubernetes.installer}`]],
  };
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
