/** Which traffic may reach the cluster's nodes and load balancer: only what Kubernetes needs. */
import type { NodeNetworkPort } from "../bootstrap/installers/installer";
import { Network } from "./network";

export type { NodeNetworkPort } from "../bootstrap/installers/installer";

/** One more way out for the nodes, from the definition (`network.extraEgress`). */
export interface EgressRule {
  /** Why the nodes need it; shown on the rule. */
  readonly description: string;
  /** `tcp` or `udp` with a port range, or `all` (every protocol and port, no ports given). */
  readonly protocol: "tcp" | "udp" | "all";
  /**
   * First port of the range (tcp/udp, 1-65535).
   * @default none: required for tcp/udp, not allowed for all
   */
  readonly fromPort?: number;
  /**
   * Last port of the range (tcp/udp, at least fromPort).
   * @default none: required for tcp/udp, not allowed for all
   */
  readonly toPort?: number;
  /** IPv4 destinations, at least one. */
  readonly cidrs: readonly string[];
}

/** Props for a cluster firewall. */
export interface ClusterFirewallProps {
  /** The cluster's name; used in resource names and tags. */
  readonly clusterName: string;
  /** The network the groups belong to; its CIDR is the "inside" for NodePorts and the API. */
  readonly network: Network;
  /** The Kubernetes API server port. */
  readonly apiServerPort: number;
  /**
   * Whether a bastion group is made.
   * @default false
   */
  readonly bastion?: boolean;
  /**
   * Whether the internal API load balancer's group is made (HA); it admits the network only. A
   * public API's internet-facing balancer has a group of its own (ApiLoadBalancerProps.allowedCidrs).
   * @default false
   */
  readonly apiLoadBalancer?: boolean;
  /**
   * What the cluster's CNI needs open between every two nodes: the installer's `cniPorts`
   * (`installerNamed(name).cniPorts`, e.g. Flannel's VXLAN for kURL).
   * @default Calico's (BGP 179/tcp, IP-in-IP, VXLAN 4789/udp, Typha 5473/tcp): the kubeadm installer's CNI
   */
  readonly cniPorts?: readonly NodeNetworkPort[];
  /**
   * Ways out for the nodes besides HTTPS and HTTP to the internet and everything inside the network.
   * @default none
   */
  readonly extraEgress?: readonly EgressRule[];
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
