/** Workers: an auto-scaling group of identical nodes that join the cluster by themselves. */
import { MachineImage } from "./machine-image";
import { Placement } from "./network";
import { NodeIdentity } from "./node-identity";

/** Props for a worker pool. */
export interface WorkerPoolProps {
  /** The cluster's name; used in names and tags. */
  readonly clusterName: string;
  /** Fewest workers: a whole number, at most `max`. */
  readonly min: number;
  /** Workers to run now: a whole number from `min` to `max`. */
  readonly desired: number;
  /** Most workers: a whole number. */
  readonly max: number;
  /** Machine type, e.g. `t3.large`. */
  readonly instanceType: string;
  /** Root volume size in GiB, within the cloud's bounds; volumes are always encrypted. */
  readonly volumeSizeGiB: number;
  /**
   * Image to boot; its root device name is where the encrypted root volume is mapped (a name the
   * image does not use would add a second volume and leave the root volume as the snapshot has it).
   */
  readonly image: MachineImage;
  /** Where the pool may start workers (it balances over them). At least one. */
  readonly placements: readonly Placement[];
  /** Firewall groups attached to every worker. At least one. */
  readonly firewallGroupIds: readonly string[];
  /** Identity the workers run as. */
  readonly identity: NodeIdentity;
  /** User data of every worker, as text; the cloud delivers it gzip-compressed, which cloud-init unpacks. */
  readonly userData: string;
  /**
   * Tags (labels) the pool and its machines carry, e.g. the definition's `tags`.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A provisioned worker pool. */
export interface WorkerPool {
  /** The pool's name (on AWS, the auto-scaling group's name). */
  readonly poolName: string;
}
