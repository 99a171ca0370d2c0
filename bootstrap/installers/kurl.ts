/**
 * kURL (an option): the installer spec pinned in the cluster definition sets the node up; nodes
 * join with the command kURL prints, which its tasks.sh `join_token` regenerates.
 */
import { Installer, NodeNetworkPort } from "./installer";

/**
 * What kURL's default CNI, Flannel (VXLAN backend), needs between nodes. An installer spec pinning
 * another CNI (Weave, Antrea, ...) needs other ports.
 */
export const FLANNEL_NODE_PORTS: readonly NodeNetworkPort[] = [
  { description: "Flannel VXLAN", protocol: "udp", fromPort: 8472, toPort: 8472 },
];

export const kurlInstaller: Installer = {
  name: "kurl",
  nodeModules: ["installers/kurl.sh"],
  cniPorts: FLANNEL_NODE_PORTS,
  settings: (context) => {
    const url = context.kubernetes.kurlInstallerUrl;
    if (!url) throw new Error(`cluster ${context.clusterName}: the kurl installer needs kubernetes.kurlInstallerUrl`);
    if (!/^https:\/\//.test(url) && !url.includes("${")) {
      throw new Error(`cluster ${context.clusterName}: kubernetes.kurlInstallerUrl must be an https URL, got ${url}`);
    }
    return { KUBEPLANE_KURL_INSTALLER_URL: url.replace(/\/+$/, "") };
  },
};
