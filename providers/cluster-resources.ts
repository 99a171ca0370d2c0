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
  /**
   * When a destroy kept it (the backup store, backups.keepOnDestroy: the provider's `kept` tag,
   * an ISO 8601 time): no state tracks it, yet it is no orphan; a deploy of the cluster adopts it.
   * @default undefined (not kept)
   */
  readonly keptSince?: string;
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
  /** Only the kept ones (what `list` gives with `keptSince`), asking the cloud no more than that needs. */
  listKept(): Promise<TaggedResource[]>;
  /**
   * Removes `resources` in dependency order (what uses others first). Never rejects for one
   * resource: what fails is reported in `failed` and the rest still goes.
   */
  remove(resources: readonly TaggedResource[]): Promise<ClusterResourceRemoval>;
  /** Commands that remove `resources` by hand, in order, ready to paste into a shell. */
  manualRemoval(resources: readonly TaggedResource[]): string[];
  /**
   * Marks `resources` kept at `at` (a destroy keeping the backup store), so that later searches
   * list them as kept rather than as orphans; types that carry no tag are left as they are.
   * Rejects with the cloud's error (then nothing may be destroyed).
   */
  markKept(resources: readonly TaggedResource[], at: Date): Promise<void>;
  /**
   * What a deploy imports to adopt a kept store into its stack again: the Terraform import id of
   * the synthesized resource `type` with configuration `config`, given the `kept` resources;
   * undefined when it has none (the resource is then created).
   */
  adoptionImportId(type: string, config: Readonly<Record<string, unknown>>, kept: readonly TaggedResource[]): string | undefined;
}

/** The resources no state tracks: those whose id is not among `trackedIds`. */
export function orphansOf(resources: readonly TaggedResource[], trackedIds: ReadonlySet<string>): TaggedResource[] {
  return resources.filter((r) => !trackedIds.has(r.id) && r.keptSince === undefined);
}

/** The kept resources no state tracks (a destroy's kept backup store, not yet adopted). */
export function keptOf(resources: readonly TaggedResource[], trackedIds: ReadonlySet<string>): TaggedResource[] {
  return resources.filter((r) => !trackedIds.has(r.id) && r.keptSince !== undefined);
}

/** How kept resources are named in messages: when they were kept, and `type id` of each. */
export function keptSummary(kept: readonly TaggedResource[]): { since: string; resources: string } {
  return {
    since: [...new Set(kept.map((k) => k.keptSince).filter((t): t is string => Boolean(t)))].sort().join(", "),
    resources: kept.map((k) => `${k.type} ${k.id}`).join(", "),
  };
}
