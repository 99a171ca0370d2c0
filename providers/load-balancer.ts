/** The load balancer in front of the Kubernetes API of an HA (or publicly reachable) control plane. */
import { Network } from "./network";

/** Props for an API load balancer. */
export interface ApiLoadBalancerProps {
  /** The cluster's name; used in resource names. */
  readonly clusterName: string;
  /** The network the balancer lives in. */
  readonly network: Network;
  /** The API server port, for listener and health check: 1 to 65535. */
  readonly port: number;
  /** Firewall groups attached to the balancer. At least one. */
  readonly firewallGroupIds: readonly string[];
  /**
   * Internet-facing (in public subnets) instead of internal.
   * @default false
   */
  readonly public?: boolean;
}

/** A load balancer that forwards the API port to control-plane nodes. */
export interface ApiLoadBalancer {
  /** The balancer's DNS name: the cluster's stable API endpoint. */
  readonly dnsName: string;
  /** Registers a control-plane node (by instance id) as a target. A balancer needs at least one. */
  addTarget(id: string, instanceId: string): void;
}
