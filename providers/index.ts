/** The cloud abstraction: the interfaces stacks use, and the registry that picks a cloud. */
export type { CloudProvider } from "./cloud-provider";
export type { Network, NetworkProps, Placement } from "./network";
export type { ClusterFirewall, ClusterFirewallProps } from "./firewall";
export type { NodeIdentities, NodeIdentitiesProps, NodeIdentity, NodeKind } from "./node-identity";
export type { ParameterBackend, ParameterBackendProps } from "./parameter-backend";
export type { MachineImage, MachineImageProps } from "./machine-image";
export type { ApiLoadBalancer, ApiLoadBalancerProps } from "./load-balancer";
export type { ApiDnsName, ApiDnsNameProps, ApiDnsTarget } from "./api-dns-name";
export { apiFqdn } from "./api-dns-name";
export type { ControlPlane, ControlPlaneProps } from "./control-plane";
export type { WorkerPool, WorkerPoolProps } from "./worker-pool";
export type { Bastion, BastionProps } from "./bastion";
export * from "./well-known-ports";
export { cloudFor } from "./cloud-registry";
