/**
 * The ports Kubernetes' own components listen on, in one place (as kOps's `wellknownports`):
 * what the firewall opens, what the load balancers forward and what the nodes are told.
 * Sources: https://kubernetes.io/docs/reference/networking/ports-and-protocols/
 */

/** A TCP port range. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** kube-apiserver's secure port (kubeadm's default `--secure-port`). */
export const KUBE_API_SERVER_PORT = 6443;
/** The kubelet API. */
export const KUBELET_API_PORT = 10250;
/** etcd's client and peer ports. */
export const ETCD_PORTS: PortRange = { from: 2379, to: 2380 };
/** kube-controller-manager's secure port. */
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
/** kube-scheduler's secure port. */
export const KUBE_SCHEDULER_PORT = 10259;
/** The default NodePort range (`--service-node-port-range`). */
export const NODE_PORTS: PortRange = { from: 30000, to: 32767 };
