/**
 * `npm run destroy`: `cdktf destroy`, then, for every cluster whose cluster stack it destroyed,
 * removal of what the cluster's nodes wrote at run time (on AWS: the SSM parameters under
 * `/kubeplane/<cluster>/`), which Terraform does not know. Nothing is removed when the destroy
 * failed, or when it destroyed no cluster stack (only a network stack).
 *
 * Then, for the same clusters, the orphans (cli/orphans.ts): resources tagged with the cluster
 * that no stack's state tracks, which Terraform therefore did not destroy. destroy lists them and
 * says how to remove them (exit 1); `--orphans` (kubeplane's, not passed to cdktf) removes them.
 */
import type { ClusterDefinition } from "../definition";
import { countsByType, type ClusterOrphans, keptAdvice, orphanAdvice } from "./orphans";
import type { RuntimeData } from "../providers/runtime-data";
import { stackNames } from "../stacks/cluster-stacks";
import { matchesStackPattern } from "./synthesized-app";

/** cdktf destroy's options that take a value (`cdktf destroy --help`, cdktf-cli 0.21). */
const VALUE_OPTIONS = new Set(["-a", "--app", "-o", "--output", "--parallelism", "--terraform-parallelism"]);
/** Its array options: yargs gives them every following argument up to the next option. */
const ARRAY_OPTIONS = new Set(["--var", "--var-file"]);

/** The stack patterns (cdktf's positional `stacks..`) among destroy's arguments. */
export function stackPatterns(args: readonly string[]): string[] {
  const patterns: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      patterns.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-")) {
      patterns.push(arg);
      continue;
    }
    if (arg.includes("=")) continue;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (ARRAY_OPTIONS.has(arg)) while (i + 1 < args.length && !args[i + 1].startsWith("-")) i++;
  }
  return patterns;
}

/** What destroyMain uses. */
export interface DestroyDependencies {
  /** Runs `cdktf destroy <args>` and resolves to its exit code; never rejects. */
  readonly destroy: (args: readonly string[]) => Promise<number>;
  /** The definitions the destroy synthesized (KUBEPLANE_CLUSTERS); throws on bad ones. */
  readonly definitions: () => readonly ClusterDefinition[];
  /** The run-time data of a cluster (cloud-registry's runtimeDataFor). */
  readonly runtimeDataFor: (definition: ClusterDefinition) => RuntimeData;
  /** A destroyed cluster's orphans (cli/orphans.ts findClusterOrphans); without it, destroy does not look. */
  readonly findOrphans?: (definition: ClusterDefinition, kept?: ReadonlySet<string>) => Promise<ClusterOrphans>;
  /**
   * Before the destroy: takes the backup store of a cluster whose definition keeps it
   * (backups.keepOnDestroy, the default) out of Terraform's state, so that destroy leaves it and
   * its snapshots; resolves to what was kept, for the message (cli/etcd-keep-on-destroy.ts).
   */
  readonly keepBackupStore?: (definition: ClusterDefinition) => Promise<string | { readonly description: string; readonly ids: readonly string[] }>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const message = (e: unknown) => (e instanceof Error ? `${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}` : String(e));

/**
 * The whole of `npm run destroy -- <args>`: resolves to the exit code, cdktf's when it failed,
 * otherwise 1 when removing a cluster's run-time data failed (with what to do next), else 0.
 */
/** kubeplane's own option of destroy: remove the orphans too. */
export const ORPHANS_OPTION = "--orphans";

export async function destroyMain(allArgs: readonly string[], deps: DestroyDependencies): Promise<number> {
  const removeOrphans = allArgs.includes(ORPHANS_OPTION);
  const args = allArgs.filter((a) => a !== ORPHANS_OPTION);
  const keptIds = new Map<string, ReadonlySet<string>>();
  if (deps.keepBackupStore) {
    // The backup store outlives the cluster unless its definition says otherwise (issue 15).
    let keeping: readonly ClusterDefinition[];
    try {
      const patterns = stackPatterns(args);
      keeping = deps.definitions().filter((d) => d.backups.enabled && d.backups.keepOnDestroy && (patterns.length === 0 || patterns.some((p) => matchesStackPattern(stackNames(d.name).cluster, p))));
    } catch (e) {
      deps.err(`kubeplane destroy: the definitions cannot be read to keep the clusters' backup stores; nothing was destroyed: ${message(e)}`);
      return 1;
    }
    for (const definition of keeping) {
      const stack = stackNames(definition.name).cluster;
      try {
        const kept = await deps.keepBackupStore(definition);
        // What was kept is no orphan of this destroy (the orphan search counts it as tracked).
        if (typeof kept !== "string") keptIds.set(definition.name, new Set(kept.ids));
        deps.out(`kubeplane destroy: ${stack}: keeping ${typeof kept === "string" ? kept : kept.description} (backups.keepOnDestroy; set it to false to destroy them with the cluster)`);
      } catch (e) {
        deps.err(`kubeplane destroy: ${stack}: could not take the backup store out of Terraform's state, so nothing was destroyed: ${message(e)}`);
        return 1;
      }
    }
  }
  const code = await deps.destroy(args);
  if (code !== 0) {
    deps.err(`kubeplane destroy: cdktf destroy failed (exit ${code}); nothing the nodes wrote at run time was removed (a destroy that succeeds removes it)`);
    return code;
  }
  let clusters: readonly ClusterDefinition[];
  const patterns = stackPatterns(args);
  try {
    clusters = deps.definitions().filter((d) => patterns.length === 0 || patterns.some((p) => matchesStackPattern(stackNames(d.name).cluster, p)));
  } catch (e) {
    deps.err(`kubeplane destroy: Terraform destroyed the stacks, but the definitions cannot be read to remove what the nodes wrote at run time: ${message(e)}`);
    return 1;
  }
  let failed = false;
  for (const definition of clusters) {
    const stack = stackNames(definition.name).cluster;
    let data: RuntimeData | undefined;
    try {
      data = deps.runtimeDataFor(definition);
      const removed = await data.remove();
      deps.out(`kubeplane destroy: ${stack}: removed ${removed.count} ${removed.location} (written by the nodes at run time)`);
    } catch (e) {
      failed = true;
      const where = data?.location ?? `what the nodes of cluster "${definition.name}" wrote at run time`;
      deps.err(`kubeplane destroy: ${stack}: Terraform destroyed the stack, but removing ${where} failed: ${message(e)}`);
      deps.err(`  Re-run \`npm run destroy -- ${stack} --auto-approve\` (Terraform has nothing left to destroy; the removal runs again)`);
      if (data && data.manualRemoval.length > 0) {
        deps.err(`  or remove them by hand:`);
        for (const command of data.manualRemoval) deps.err(`    ${command}`);
      }
    }
  }
  if (deps.findOrphans) {
    const find = deps.findOrphans;
    for (const definition of clusters) if (!(await handleOrphans(definition, removeOrphans, deps, (d) => find(d, keptIds.get(d.name))))) failed = true;
  }
  return failed ? 1 : 0;
}

/** Lists or removes one destroyed cluster's orphans; false when some are left. */
async function handleOrphans(
  definition: ClusterDefinition,
  remove: boolean,
  deps: DestroyDependencies,
  findOrphans: (definition: ClusterDefinition) => Promise<ClusterOrphans>,
): Promise<boolean> {
  let found: ClusterOrphans;
  try {
    found = await findOrphans(definition);
  } catch (e) {
    deps.err(`kubeplane destroy: ${definition.name}: Terraform destroyed the stacks, but looking for orphans (resources tagged with the cluster that no state tracks) failed: ${message(e)}`);
    return false;
  }
  // A store an earlier destroy kept: said, never removed (what this destroy kept counts as tracked).
  for (const line of keptAdvice("destroy", found)) deps.out(line);
  if (found.orphans.length === 0) return true;
  if (!remove) {
    for (const line of orphanAdvice("destroy", found)) deps.err(line);
    return false;
  }
  const result = await found.remove();
  if (result.removed.length > 0) {
    deps.out(`kubeplane destroy: ${definition.name}: removed ${result.removed.length} orphan(s), ${found.location} (${countsByType(result.removed)})`);
  }
  if (result.failed.length === 0) return true;
  for (const f of result.failed) deps.err(`kubeplane destroy: ${definition.name}: removing orphan ${f.resource.type} ${f.resource.id} failed: ${f.error}`);
  const left = found.orphans.filter((o) => result.failed.some((f) => f.resource.id === o.id));
  deps.err(`  Run kubeplane destroy '${definition.name}-*' --orphans --auto-approve again, or remove them by hand:`);
  for (const command of found.manualRemoval) if (left.some((o) => command.includes(o.id))) deps.err(`    ${command}`);
  return false;
}
