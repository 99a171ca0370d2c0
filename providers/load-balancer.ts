/**
 * The load balancers in front of the Kubernetes API: an internal one for an HA control plane
 * (what nodes and in-VPC clients reach the API through), and an internet-facing one as an
 * additional way in when the definition opts into a public API.
 */
import { Network } from "./network";

/** Props for an API load balancer. */
export interface ApiLoadBalancerProps {
  /** The cluster's name; used in resource names. */
  readonly clusterName: string;
  /** The network the balancer lives in. */
  readonly network: Network;
  /** The API server port, for listener and health check: 1 to 65535. */
  readonly port: number;
  /**
   * Firewall groups attached to the balancer. At least one for an internal balancer; a public
   * balancer makes its own group (admitting only `allowedCidrs`) and attaches these besides.
   * @default none (allowed only for a public balancer)
   */
  readonly firewallGroupIds?: readonly string[];
  /**
   * Internet-facing (in public subnets) instead of internal: an additional way in, never what
   * the nodes use (in private subnets they would reach it only through NAT, from an address its
   * allow-list does not name).
   * @default false
   */
  readonly public?: boolean;
  /**
   * The CIDRs a public balancer admits on the API port (`controlPlane.publicApi.allowedCidrs`), and
   * nothing else. Required when `public`, not allowed otherwise.
   * @default none
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * Refuse deletion of the balancer until this is turned off again
   * (`controlPlane.apiLoadBalancer.deletionProtection`).
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/** A load balancer that forwards the API port to control-plane nodes. */
export interface ApiLoadBalancer {
  /** The balancer's own DNS name (the cluster's endpoint is its ApiDnsName, which points here). */
  readonly dnsName: string;
  /** Whether the balancer is internet-facing. */
  readonly isPublic: boolean;
  /** Registers a control-plane node (by instance id) as a target. A balancer needs at least one. */
  addTarget(id: string, instanceId: string): void;
}
