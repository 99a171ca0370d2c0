/** An optional bastion host: reachable through the cloud's session manager, never by open SSH. */
import { NodeIdentity } from "./node-identity";

/** Props for a bastion. */
export interface BastionProps {
  /** The cluster's name; used in names and tags. */
  readonly clusterName: string;
  /** Image to boot. */
  readonly imageId: string;
  /** The (private) subnet the bastion lives in. */
  readonly subnetId: string;
  /** Firewall groups attached to the bastion. At least one. */
  readonly firewallGroupIds: readonly string[];
  /** Identity the bastion runs as. */
  readonly identity: NodeIdentity;
  /**
   * Machine type.
   * @default "t3.micro"
   */
  readonly instanceType?: string;
}

/** A provisioned bastion. */
export interface Bastion {
  /** The bastion's instance id (the target of a session). */
  readonly instanceId: string;
}
