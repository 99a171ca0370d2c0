/**
 * The resources in a cluster's cloud that carry the cluster's tag (every resource kubeplane
 * creates does, through the provider's default tags), found by the tag rather than by
 * Terraform's state. `audit` compares them with what the stacks' states track: a tagged resource
 * no state tracks is an orphan (an apply killed between creating a resource and saving the state
 * leaves one; the next deploy then makes a second). `destroy --orphans` removes them.
 *
 * Each cloud implements it in its own folder (providers/aws/tagged-resources.ts);
 * `clusterResourcesFor` in cloud-registry.ts picks it. Implementations load their cloud SDK only
 * when `list` or `remove` runs.
 */

/** One tagged resource. */
export interface TaggedResource {
  /** The Terraform resource type it would be (`aws_vpc`, `aws_eip`), for grouping and messages. */
  readonly type: string;
  /** The id Terraform's state records for it (`vpc-0abc...`, `eipalloc-...`). */
  readonly id: string;
}

/** What `remove` did. */
export interface ClusterResourceRemoval {
  /** Removed, in the order removed. */
  readonly removed: readonly TaggedResource[];
  /** Not removed, each with the cloud's error. */
  readonly failed: readonly { readonly resource: TaggedResource; readonly error: string }[];
}

/** A cluster's tagged resources in its cloud. */
export interface ClusterResources {
  /** What is searched, for messages: e.g. `resources tagged kubeplane:cluster=dev in eu-west-1 and IAM`. */
  readonly location: string;
  /** Every tagged resource that exists (not those being deleted or already gone). Rejects with the cloud's error. */
  list(): Promise<TaggedResource[]>;
  /**
   * Removes `resources` in dependency order (what uses others first). Never rejects for one
   * resource: what fails is reported in `failed` and the rest still goes.
   */
  remove(resources: readonly TaggedResource[]): Promise<ClusterResourceRemoval>;
  /** Commands that remove `resources` by hand, in order, ready to paste into a shell. */
  manualRemoval(resources: readonly TaggedResource[]): string[];
}

/** The resources no state tracks: those whose id is not among `trackedIds`. */
export function orphansOf(resources: readonly TaggedResource[], trackedIds: ReadonlySet<string>): TaggedResource[] {
  return resources.filter((r) => !trackedIds.has(r.id));
}
