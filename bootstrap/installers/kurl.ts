/**
 * kURL (an option): the installer spec pinned in the cluster definition sets the node up; nodes
 * join with the command kURL prints, which its tasks.sh `join_token` regenerates.
 */
import { Installer } from "./installer";

export const kurlInstaller: Installer = {
  name: "kurl",
  nodeModule: "installers/kurl.sh",
  settings: (context) => {
    const url = context.kubernetes.kurlInstallerUrl;
    if (!url) throw new Error(`cluster ${context.clusterName}: the kurl installer needs kubernetes.kurlInstallerUrl`);
    if (!/^https:\/\//.test(url) && !url.includes("${")) {
      throw new Error(`cluster ${context.clusterName}: kubernetes.kurlInstallerUrl must be an https URL, got ${url}`);
    }
    return { KUBEPLANE_KURL_INSTALLER_URL: url.replace(/\/+$/, "") };
  },
};
