/**
 * kubeadm (the default installer): containerd, kubelet/kubeadm/kubectl pinned to the cluster's
 * Kubernetes version from pkgs.k8s.io, `kubeadm init` from a config file, Calico as the CNI.
 */
import { Installer, NodeNetworkPort } from "./installer";

/**
 * The pinned Calico release (its ports: CALICO_NODE_PORTS). v3.29 is tested by Calico against
 * Kubernetes 1.29-1.32 only; v3.31 covers the examples' 1.33. Move it with kubernetes.version.
 */
export const CALICO_VERSION = "v3.31.3";

/** The pinned Calico manifest applied after `kubeadm init`. */
export const CALICO_MANIFEST_URL = `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/calico.yaml`;

/** What Calico needs between nodes: BGP, IP-in-IP, VXLAN and Typha. */
export const CALICO_NODE_PORTS: readonly NodeNetworkPort[] = [
  { description: "Calico BGP", protocol: "tcp", fromPort: 179, toPort: 179 },
  { description: "Calico IP-in-IP", protocol: "4", fromPort: 0, toPort: 0 },
  { description: "Calico VXLAN", protocol: "udp", fromPort: 4789, toPort: 4789 },
  { description: "Calico Typha", protocol: "tcp", fromPort: 5473, toPort: 5473 },
];

export const kubeadmInstaller: Installer = {
  name: "kubeadm",
  nodeModules: ["installers/kubeadm.sh"],
  cniPorts: CALICO_NODE_PORTS,
  settings: (context) => ({
    KUBEPLANE_POD_CIDR: context.kubernetes.podCidr,
    KUBEPLANE_SERVICE_CIDR: context.kubernetes.serviceCidr,
    KUBEPLANE_CNI_MANIFEST_URL: CALICO_MANIFEST_URL,
    // TODO(issue 10): both from the supported-versions table.
    KUBEPLANE_KUBEADM_API_VERSION: Number(context.kubernetes.version.split(".")[1]) >= 31 ? "v1beta4" : "v1beta3",
    KUBEPLANE_CONTAINERD_VERSION: "1.7.*",
  }),
};
