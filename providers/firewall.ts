/** Which traffic may reach the cluster's nodes and load balancer: only what Kubernetes needs. */
import type { NodeNetworkPort } from "../bootstrap/installers/installer";
import { Network } from "./network";

export type { NodeNetworkPort } from "../bootstrap/installers/installer";

/** Props for a cluster firewall. */
export interface ClusterFirewallProps {
  /** The cluster's name; used in resource names and tags. */
  readonly clusterName: string;
  /** The network the groups belong to; its CIDR is the "inside" for NodePorts and the API. */
  readonly network: Network;
  /** The Kubernetes API server port. */
  readonly apiServerPort: number;
  /**
   * CIDRs outside the network that may reach the API through a public load balancer.
   * @default none: the API is reachable from inside the network only
   */
  readonly publicApiCidrs?: readonly string[];
  /**
   * Whether a bastion group is made.
   * @default false
   */
  readonly bastion?: boolean;
  /**
   * Whether the API load balancer's group is made (HA or public API).
   * @default false
   */
  readonly apiLoadBalancer?: boolean;
  /**
   * What the cluster's CNI needs open between every two nodes: the installer's `cniPorts`
   * (`installerNamed(name).cniPorts`, e.g. Flannel's VXLAN for kURL).
   * @default Calico's (BGP 179/tcp, IP-in-IP, VXLAN 4789/udp, Typha 5473/tcp): the kubeadm installer's CNI
   */
  readonly cniPorts?: readonly NodeNetworkPort[];
}

/** Firewall groups (security groups on AWS) for each kind of member. */
export interface ClusterFirewall {
  /** Groups attached to control-plane nodes. */
  readonly controlPlaneGroupIds: readonly string[];
  /** Groups attached to workers. */
  readonly workerGroupIds: readonly string[];
  /** Groups attached to the API load balancer; empty without one. */
  readonly loadBalancerGroupIds: readonly string[];
  /** Groups attached to the bastion; empty without one. */
  readonly bastionGroupIds: readonly string[];
}
