/**
 * What a cluster's nodes wrote at run time, outside Terraform: the join lease, the rotation lock,
 * the cluster claim and status. Terraform does not know these, so `destroy` removes them once the
 * cluster stack is gone; otherwise a re-created cluster of the same name would meet a lease it
 * cannot read (its key was scheduled for deletion) and a claim that blocks its init.
 *
 * Each cloud implements it in its own folder (providers/aws/: SSM parameters under
 * `/kubeplane/<cluster>/`); `runtimeDataFor` in cloud-registry.ts picks it. Implementations
 * load their cloud SDK only when `remove` runs, so synth and the other commands do not pay for it.
 */

/** What `remove` removed. */
export interface RuntimeDataRemoval {
  /** How many items (e.g. parameters) were removed. */
  readonly count: number;
  /** Where, for messages: e.g. `SSM parameters under /kubeplane/dev/ in eu-west-1`. */
  readonly location: string;
}

/** A cluster's run-time data in its cloud. */
export interface RuntimeData {
  /** Where the data lives, for messages: e.g. `SSM parameters under /kubeplane/dev/ in eu-west-1`. */
  readonly location: string;
  /**
   * Commands a user can run to remove the data by hand, when `remove` failed (one per line,
   * ready to paste into a shell).
   */
  readonly manualRemoval: readonly string[];
  /**
   * Removes everything under the cluster's location, in the environment's account and
   * credentials. Rejects with the cloud's error when it cannot (unreachable, access denied);
   * what was removed before the failure stays removed, and running it again is safe.
   */
  remove(): Promise<RuntimeDataRemoval>;
}
