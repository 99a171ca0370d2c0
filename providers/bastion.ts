/** An optional bastion host: reachable through the cloud's session manager, never by open SSH. */
import { MachineImage } from "./machine-image";
import { Placement } from "./network";
import { NodeIdentity } from "./node-identity";

/** Props for a bastion. */
export interface BastionProps {
  /** The cluster's name; used in names and tags. */
  readonly clusterName: string;
  /** Image to boot. */
  readonly image: MachineImage;
  /** Where the bastion lives (a node placement: private addresses only). */
  readonly placement: Placement;
  /** Firewall groups attached to the bastion. At least one. */
  readonly firewallGroupIds: readonly string[];
  /** Identity the bastion runs as. */
  readonly identity: NodeIdentity;
  /**
   * Machine type.
   * @default the cloud's smallest general-purpose type (on AWS, `t3.micro`)
   */
  readonly instanceType?: string;
}

/** A provisioned bastion. */
export interface Bastion {
  /** The bastion's instance id (the target of a session). */
  readonly instanceId: string;
}
