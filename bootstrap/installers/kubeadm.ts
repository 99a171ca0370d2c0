/**
 * kubeadm (the default installer): containerd, kubelet/kubeadm/kubectl pinned to the cluster's
 * Kubernetes version from pkgs.k8s.io, `kubeadm init` from a config file, Calico as the CNI.
 */
import { DEFAULTS } from "../../definition/defaults";
import { KubernetesMinorSupport, kubernetesSupportFor, supportedKubernetesRange } from "../../definition/kubernetes-versions";
import { UserDataContext } from "../user-data-context";
import { Installer, NodeNetworkPort } from "./installer";

/**
 * The Calico manifest applied after `kubeadm init` for a Kubernetes version: the Calico release
 * its minor pins in definition/kubernetes-versions.ts. Throws for a minor outside that table.
 */
export function calicoManifestUrlFor(kubernetesVersion: string): string {
  const row = kubernetesSupportFor(kubernetesVersion);
  if (!row) throw new Error(`kubernetes.version ${kubernetesVersion} is not a Kubernetes minor kubeplane supports (${supportedKubernetesRange()})`);
  return calicoManifestUrl(row);
}

/** The Calico manifest applied for the default Kubernetes version. */
export const CALICO_MANIFEST_URL = calicoManifestUrlFor(DEFAULTS.kubernetes.version);

function calicoManifestUrl(row: KubernetesMinorSupport): string {
  return `https://raw.githubusercontent.com/projectcalico/calico/${row.calicoVersion}/manifests/calico.yaml`;
}

/** The table's row for the context's version; throws naming the cluster and the field. */
function versionsFor(context: UserDataContext): KubernetesMinorSupport {
  const row = kubernetesSupportFor(context.kubernetes.version);
  if (!row) {
    throw new Error(
      `cluster ${context.clusterName}: kubernetes.version ${context.kubernetes.version} is not a Kubernetes minor kubeplane supports (${supportedKubernetesRange()})`,
    );
  }
  return row;
}

/**
 * What Calico needs between nodes: BGP, IP-in-IP, VXLAN and Typha. The same for every Calico
 * release in the table (v3.32 and v3.33 system requirements, "Network requirements").
 */
export const CALICO_NODE_PORTS: readonly NodeNetworkPort[] = [
  { description: "Calico BGP", protocol: "tcp", fromPort: 179, toPort: 179 },
  { description: "Calico IP-in-IP", protocol: "4", fromPort: 0, toPort: 0 },
  { description: "Calico VXLAN", protocol: "udp", fromPort: 4789, toPort: 4789 },
  { description: "Calico Typha", protocol: "tcp", fromPort: 5473, toPort: 5473 },
];

export const kubeadmInstaller: Installer = {
  name: "kubeadm",
  nodeModules: ["installers/kubeadm.sh", "installers/containerd.sh"],
  cniPorts: CALICO_NODE_PORTS,
  settings: (context) => {
    const versions = versionsFor(context);
    return {
      KUBEPLANE_POD_CIDR: context.kubernetes.podCidr,
      KUBEPLANE_SERVICE_CIDR: context.kubernetes.serviceCidr,
      KUBEPLANE_CNI_MANIFEST_URL: calicoManifestUrl(versions),
      KUBEPLANE_KUBEADM_API_VERSION: versions.kubeadmApiVersion,
      KUBEPLANE_CONTAINERD_VERSION: versions.containerdAptVersion,
    };
  },
};
