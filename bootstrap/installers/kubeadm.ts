/**
 * kubeadm (the default installer): containerd, kubelet/kubeadm/kubectl pinned to the cluster's
 * Kubernetes version from pkgs.k8s.io, `kubeadm init` from a config file, Calico as the CNI.
 */
import { Installer } from "./installer";

/** The pinned Calico release (BGP 179/tcp, IP-in-IP, VXLAN 4789/udp and Typha 5473/tcp are open between nodes). */
export const CALICO_VERSION = "v3.29.1";

/** The pinned Calico manifest applied after `kubeadm init`. */
export const CALICO_MANIFEST_URL = `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/calico.yaml`;

export const kubeadmInstaller: Installer = {
  name: "kubeadm",
  nodeModule: "installers/kubeadm.sh",
  settings: (context) => ({
    KUBEPLANE_POD_CIDR: context.kubernetes.podCidr,
    KUBEPLANE_SERVICE_CIDR: context.kubernetes.serviceCidr,
    KUBEPLANE_CNI_MANIFEST_URL: CALICO_MANIFEST_URL,
  }),
};
