/**
 * AWS's network model: how a cluster's VPC CIDR is divided (subnets are zonal): 16 equal blocks; private subnet i is block i, public
 * subnet i is block 8 + i. Explicit subnet lists in the definition replace the plan.
 */
import { format, parseCidr, subnet } from "../../definition/cidr";

/** Subnet CIDRs per zone. */
export interface AddressPlan {
  readonly privateSubnetCidrs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
}

/** Bits added to the VPC prefix for each subnet (16 blocks). */
export const SUBNET_NEW_BITS = 4;
/** Index of the first public block. */
export const PUBLIC_BLOCK_OFFSET = 8;

/** Plans subnets for `zoneCount` zones in `vpcCidr`, honouring explicit lists where given. */
export function planAddresses(
  vpcCidr: string,
  zoneCount: number,
  explicit: { privateSubnets?: readonly string[]; publicSubnets?: readonly string[] } = {},
): AddressPlan {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === "string") throw new Error(`network.cidr: ${vpc}`);
  if (zoneCount < 1 || zoneCount > PUBLIC_BLOCK_OFFSET) throw new Error(`network.azs: between 1 and ${PUBLIC_BLOCK_OFFSET} zones fit the address plan, got ${zoneCount}`);
  const carve = (offset: number) => Array.from({ length: zoneCount }, (_, i) => format(subnet(vpc, SUBNET_NEW_BITS, offset + i)));
  return {
    privateSubnetCidrs: explicit.privateSubnets ? [...explicit.privateSubnets] : carve(0),
    publicSubnetCidrs: explicit.publicSubnets ? [...explicit.publicSubnets] : carve(PUBLIC_BLOCK_OFFSET),
  };
}
