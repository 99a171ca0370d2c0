/** Workers: an auto-scaling group of identical nodes that join the cluster by themselves. */
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
  /** Root volume size in GiB, 8 to 16384; volumes are always encrypted. */
  readonly volumeSize: number;
  /** Image to boot. */
  readonly imageId: string;
  /**
   * The image's root device name (`MachineImage.rootDeviceName`): the launch template maps the
   * encrypted root volume under it. A name the image does not use adds a second volume and leaves
   * the root volume as the image's snapshot has it.
   * @default "/dev/sda1" (Ubuntu's root device)
   */
  readonly rootDeviceName?: string;
  /** Private subnets the pool spans. At least one. */
  readonly subnetIds: readonly string[];
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
