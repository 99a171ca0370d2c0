/**
 * The cluster's stable API endpoint: a DNS name in a private zone of the cluster's network,
 * `api.<cluster>.<privateDnsZone>`, that every node uses (`controlPlaneEndpoint`: in the API
 * server certificate and every join command). It points at the internal API load balancer of an
 * HA control plane, or at the single control-plane node's private address, so replacing a node
 * or the balancer changes where it points and strands no one.
 */
import { ApiLoadBalancer } from "./load-balancer";
import { Network } from "./network";

/** Props for an API DNS name. */
export interface ApiDnsNameProps {
  /** The cluster's name: a DNS label, the zone is `<clusterName>.<zoneSuffix>`. */
  readonly clusterName: string;
  /** The network the private zone is visible in (and only there). */
  readonly network: Network;
  /** The private DNS domain the cluster's zone is made under, e.g. `kubeplane.internal` (`network.privateDnsZone`). */
  readonly zoneSuffix: string;
}

/** Where the API DNS name points: an internal load balancer, or a node's private address. */
export type ApiDnsTarget = { readonly loadBalancer: ApiLoadBalancer } | { readonly address: string };

/** A private DNS name for the API. */
export interface ApiDnsName {
  /** The fully qualified name, e.g. `api.dev.kubeplane.internal`: a plain string, known before anything is built. */
  readonly fqdn: string;
  /** Points the name at its target. Called exactly once; an internet-facing balancer is refused. */
  pointAt(target: ApiDnsTarget): void;
}

/** The fully qualified API name of a cluster: `api.<clusterName>.<zoneSuffix>`. */
export function apiFqdn(clusterName: string, zoneSuffix: string): string {
  return `api.${clusterName}.${zoneSuffix}`;
}
