/**
 * Orphans: resources tagged with a cluster (providers/cluster-resources.ts) that no stack's
 * Terraform state tracks. An apply killed between creating a resource and saving the state leaves
 * them; the next deploy makes another, and destroy does not know them. `audit` lists them and
 * exits non-zero; `destroy` says how to remove them, and `destroy --orphans` removes them.
 *
 * A backup store an earlier destroy kept (tagged kept by the cloud) is no orphan: it is listed as
 * kept, with how to adopt (deploy) or delete it, and `remove` never touches it.
 *
 * What a state tracks is read with `terraform show -json` in each of the cluster's stack
 * directories: the `id` of every managed resource, in the root module and every child module.
 */
import type { ClusterDefinition } from "../definition";
import type { ClusterResourceRemoval, ClusterResources, TaggedResource } from "../providers/cluster-resources";
import { keptOf, keptSummary, orphansOf } from "../providers/cluster-resources";
import { stackNames } from "../stacks/cluster-stacks";
import type { SynthesizedStack } from "./synthesized-app";
import type { TerraformResult } from "./terraform-command";

interface JsonModule {
  resources?: { mode?: string; values?: { id?: unknown } }[];
  child_modules?: JsonModule[];
}

/** The ids of the managed resources in `terraform show -json` of a state. */
export function stateResourceIds(showJson: string): Set<string> {
  const parsed = JSON.parse(showJson) as { values?: { root_module?: JsonModule } };
  const found = new Set<string>();
  const walk = (module: JsonModule | undefined) => {
    for (const r of module?.resources ?? []) if (r.mode === "managed" && typeof r.values?.id === "string" && r.values.id) found.add(r.values.id);
    for (const child of module?.child_modules ?? []) walk(child);
  };
  walk(parsed.values?.root_module);
  return found;
}

/** A cluster's orphans, and where they were looked for. */
export interface ClusterOrphans {
  readonly cluster: string;
  readonly location: string;
  readonly orphans: readonly TaggedResource[];
  /**
   * Resources no state tracks that a destroy kept (the backup store and its snapshots,
   * backups.keepOnDestroy): no orphans; never removed by `remove`; a deploy adopts them.
   */
  readonly kept: readonly TaggedResource[];
  /** Commands that remove them by hand. */
  readonly manualRemoval: readonly string[];
  /** Commands that remove the kept resources by hand (deleting the snapshots). */
  readonly keptRemoval: readonly string[];
  /** Removes them (dependency order). */
  remove(): Promise<ClusterResourceRemoval>;
}

/** What findClusterOrphans uses. */
export interface OrphanDependencies {
  readonly resourcesFor: (definition: ClusterDefinition) => ClusterResources;
  readonly terraform: (args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) => Promise<TerraformResult>;
}

/**
 * The orphans of `definition`'s cluster: its tagged resources whose ids none of its stacks'
 * states (in `stacks`, initialized directories) records. Throws when a state cannot be read
 * (then nothing can be called an orphan) or the cloud cannot be asked.
 */
export async function findClusterOrphans(
  definition: ClusterDefinition,
  stacks: readonly SynthesizedStack[],
  deps: OrphanDependencies,
  env: NodeJS.ProcessEnv = process.env,
  keptNow: ReadonlySet<string> = new Set(),
): Promise<ClusterOrphans> {
  const names = Object.values(stackNames(definition.name));
  const tracked = new Set<string>(keptNow);
  for (const name of names) {
    const stack = stacks.find((s) => s.name === name);
    if (!stack) throw new Error(`stack ${name} is not synthesized: cannot tell which of cluster "${definition.name}"'s resources its state tracks`);
    const shown = await deps.terraform(["show", "-json", "-no-color"], { cwd: stack.workingDirectory, env });
    if (shown.code !== 0) throw new Error(`terraform show -json failed in ${name} (exit ${shown.code}): ${(shown.stderr || shown.stdout).trim()}`);
    for (const id of stateResourceIds(shown.stdout)) tracked.add(id);
  }
  const resources = deps.resourcesFor(definition);
  const listed = await resources.list();
  const orphans = orphansOf(listed, tracked);
  const kept = keptOf(listed, tracked);
  return {
    cluster: definition.name,
    location: resources.location,
    orphans,
    kept,
    manualRemoval: resources.manualRemoval(orphans),
    keptRemoval: resources.manualRemoval(kept),
    remove: () => resources.remove(orphans),
  };
}

/** `aws_eip: 2, aws_vpc: 1`: how many of each type, types in name order. */
export function countsByType(resources: readonly TaggedResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t}: ${n}`).join(", ");
}

/** The orphans table: CLUSTER TYPE ID, one row per orphan, by type then id. */
export function renderOrphanTable(found: readonly ClusterOrphans[]): string {
  const rows = found.flatMap((f) => [...f.orphans].sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id)).map((o) => [f.cluster, o.type, o.id]));
  const all = [["CLUSTER", "TYPE", "ID"], ...rows];
  const widths = [0, 1].map((i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`).join("\n");
}

/**
 * What `audit` and `destroy` say about a cluster's orphans (nothing when there are none): how
 * many of each type, where, and how to remove them.
 */
export function orphanAdvice(command: string, found: ClusterOrphans): string[] {
  if (found.orphans.length === 0) return [];
  const stacks = `'${found.cluster}-*'`;
  return [
    `kubeplane ${command}: ${found.cluster}: ${found.orphans.length} orphan(s), ${found.location} that no stack's state tracks (${countsByType(found.orphans)}).`,
    command === "destroy"
      ? `  Remove them: kubeplane destroy ${stacks} --orphans --auto-approve (Terraform has nothing left to destroy; the removal runs), or by hand:`
      : `  If the cluster is being removed: kubeplane destroy ${stacks} --orphans. To keep the cluster and remove only these, by hand:`,
    ...found.manualRemoval.map((c) => `    ${c}`),
  ];
}

/**
 * What `audit` and `destroy` say about a destroyed cluster's kept backup store (nothing when
 * there is none): that it is kept on purpose, since when, and how to adopt or delete it.
 */
export function keptAdvice(command: string, found: ClusterOrphans): string[] {
  if (found.kept.length === 0) return [];
  const summary = keptSummary(found.kept);
  return [
    `kubeplane ${command}: ${found.cluster}: kept backup store (a destroy kept it at ${summary.since}; backups.keepOnDestroy), no orphan: ${summary.resources}.`,
    `  kubeplane deploy '${found.cluster}-*' adopts it (its snapshots restore the cluster: README, "Backups and restore"); destroy --orphans never deletes it.`,
    `  To delete it and its snapshots, by hand:`,
    ...found.keptRemoval.map((c) => `    ${c}`),
  ];
}

/**
 * The orphans of `definition`'s cluster with the real dependencies: the stacks synthesized in
 * the output directory (`CDKTF_OUTDIR` or cdktf.out, initialized by the cdktf run that came
 * before), `terraform show`, and the cluster's cloud. Loads them when called.
 */
/** `kept`: ids no state tracks any more but that are no orphans (a destroy's kept backup store). */
export async function clusterOrphans(definition: ClusterDefinition, env: NodeJS.ProcessEnv = process.env, kept?: ReadonlySet<string>): Promise<ClusterOrphans> {
  const [{ readSynthesizedStacks, synthesisDirectory }, { runTerraform }, { clusterResourcesFor }] = await Promise.all([
    import("./synthesized-app"),
    import("./terraform-command"),
    import("../providers/cloud-registry"),
  ]);
  return findClusterOrphans(definition, readSynthesizedStacks(synthesisDirectory(env)), { resourcesFor: clusterResourcesFor, terraform: runTerraform }, env, kept);
}
