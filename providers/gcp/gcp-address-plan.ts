/**
 * GCP's network model: a VPC network has no address space of its own, and a subnet is regional
 * (it spans every zone of the region). A cluster gets one subnet for its nodes, the definition's
 * `network.cidr` whole, or the one block `network.privateSubnets` names instead; every placement
 * is a zone with that subnet. There are no public subnets: egress is Cloud NAT (a regional,
 * managed service, not a gateway per zone), and an internet-facing balancer's address needs none.
 */

/** The addresses of a cluster's network on GCP. */
export interface GcpAddressPlan {
  /** The nodes' regional subnet. */
  readonly nodeSubnetCidr: string;
}

/** The plan for `cidr`, or for the definition's one explicit node subnet. */
export function planGcpAddresses(cidr: string, privateSubnetCidrs?: readonly string[]): GcpAddressPlan {
  if (privateSubnetCidrs && privateSubnetCidrs.length !== 1) {
    throw new Error(`GCP networks have one regional subnet for the nodes: name one block, not ${privateSubnetCidrs.length}`);
  }
  return { nodeSubnetCidr: privateSubnetCidrs?.[0] ?? cidr };
}
