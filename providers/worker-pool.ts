/** A worker pool: an auto-scaling group of nodes of one kind that join the cluster by themselves. */
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
  /**
   * The pool's name in the definition. The pool named `default` (the single `workers:` mapping)
   * keeps the names and addresses of the one pool clusters had before pools.
   * @default "default"
   */
  readonly name?: string;
  /** Machine types, at least one: the first is the launch template's, the others overrides. */
  readonly instanceTypes: readonly string[];
  /**
   * Mixed spot and on-demand capacity: `onDemandBase` instances on demand, then
   * `onDemandPercentageAboveBase` percent of the rest on demand, the others spot (the cloud
   * chooses the allocation strategy).
   * @default on demand only
   */
  readonly spot?: { readonly onDemandBase: number; readonly onDemandPercentageAboveBase: number };
  /**
   * The cluster autoscaler owns the pool's size between `min` and `max`: the pool carries the
   * tags the autoscaler discovers it by (with `labels` and `taints` as its node template, for
   * scale from zero), and infrastructure code no longer sets the current size after creation.
   * @default false
   */
  readonly autoscale?: boolean;
  /** Node labels the pool's nodes register with (the autoscaler's node template). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Node taints the pool's nodes register with (the autoscaler's node template). @default [] */
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
  /**
   * Seconds a terminating worker is held so that it can drain itself (then it completes the
   * termination; past the timeout the cloud terminates it anyway).
   * @default 600
   */
  readonly drainTimeoutSeconds?: number;
  /**
   * The share of the pool that stays in service while a changed template rolls the pool.
   * @default 90
   */
  readonly minHealthyPercentage?: number;
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
  /**
   * The name of the hook that holds a terminating worker while it drains (the node completes it).
   */
  readonly drainHookName: string;
}
