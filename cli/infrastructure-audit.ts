/**
 * The audit of the running infrastructure against the central definition: synthesizes the
 * selected clusters, plans every stack (or those named) in parallel, prints the table and the
 * verdict; then, for every cluster whose stacks were all audited, lists the resources tagged with
 * the cluster that no stack's state tracks (orphans, cli/orphans.ts). Returns the exit code: 0
 * clean, 2 drift or orphans, 1 a stack could not be planned (or its orphans not looked for).
 */
import type { ClusterDefinition } from "../definition";
import { auditExitCode, auditRows, renderTable, renderVerdict } from "./audit-report";
import { ClusterOrphans, findClusterOrphans, keptAdvice, OrphanDependencies, orphanAdvice, renderOrphanTable } from "./orphans";
import { auditStack, prepareStackAudit, StackAudit } from "./stack-audit";
import { selectStacks, SynthesizedStack, synthesizeApp } from "./synthesized-app";

/** Options of auditInfrastructure. */
export interface InfrastructureAuditOptions {
  /** Stack names or globs; all stacks of the selected clusters when empty. */
  readonly patterns?: readonly string[];
  /** How many stacks are planned at once (default 4). */
  readonly concurrency?: number;
  /** Passed to terraform as `-lock-timeout`. */
  readonly lockTimeout?: string;
  /** Environment of the run (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where each stack's phase goes (initializing, waiting, planning; then clean, drifted or
   * failed), and each cluster's orphan search.
   * @default none
   */
  readonly progress?: AuditProgress;
  /**
   * Where orphans are looked for; `false` skips the search.
   * @default the selected definitions, their clouds' tagged resources, and terraform show
   */
  readonly orphans?: OrphanSearch | false;
}

/** Where the audit reports progress (cli/progress.ts's Progress is one). */
export interface AuditProgress {
  /** `name` (a stack, or a cluster for its orphan search) enters `phase`. */
  phase(name: string, phase: string): void;
  /** `name` is done, with `outcome`. */
  finish(name: string, outcome: string): void;
}

/** How each stack is prepared and audited (stack-audit.ts's, or tests' stand-ins). */
export interface StackAuditSteps {
  /** Initializes the stack; a failed audit when it cannot be. Called one stack at a time. */
  prepare(stack: SynthesizedStack): Promise<StackAudit | undefined>;
  /** Plans the prepared stack against the running infrastructure. */
  audit(stack: SynthesizedStack): Promise<StackAudit>;
}

/** The outcome a stack's audit shows in the progress. */
export function auditOutcome(audit: StackAudit): string {
  if (audit.status === "drifted") return `drifted (${audit.changes.length} change${audit.changes.length === 1 ? "" : "s"})`;
  return audit.status;
}

/**
 * Prepares `stacks` one at a time, then plans them `concurrency` at a time, reporting each
 * stack's phase to `progress`: initializing, waiting, planning, and its outcome.
 */
export async function auditStacks(stacks: readonly SynthesizedStack[], steps: StackAuditSteps, concurrency: number, progress?: AuditProgress): Promise<StackAudit[]> {
  for (const stack of stacks) progress?.phase(stack.name, "waiting");
  const unprepared = new Map<string, StackAudit>();
  for (const stack of stacks) {
    progress?.phase(stack.name, "initializing");
    const failed = await steps.prepare(stack);
    if (failed) {
      unprepared.set(stack.name, failed);
      progress?.finish(stack.name, auditOutcome(failed));
    } else progress?.phase(stack.name, "waiting");
  }
  return inParallel(stacks, concurrency, async (s) => {
    const failed = unprepared.get(s.name);
    if (failed) return failed;
    progress?.phase(s.name, "planning");
    const audit = await steps.audit(s);
    progress?.finish(s.name, auditOutcome(audit));
    return audit;
  });
}

/** What the orphan search uses. */
export interface OrphanSearch extends OrphanDependencies {
  /** The definitions the audit synthesized (KUBEPLANE_CLUSTERS). */
  readonly definitions: (env: NodeJS.ProcessEnv) => readonly ClusterDefinition[];
}

/** The real orphan search, loaded when called. */
async function defaultOrphanSearch(): Promise<OrphanSearch> {
  const [{ CLUSTERS_ENV, loadSelectedDefinitions }, { cloudFor, clusterResourcesFor }, { runTerraform }, { PROJECT_ROOT }] = await Promise.all([
    import("../definition"),
    import("../providers/cloud-registry"),
    import("./terraform-command"),
    import("./terraform-environment"),
  ]);
  return {
    // The app (main.ts) runs from the project root: the same definitions it synthesized.
    definitions: (env) => loadSelectedDefinitions(env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((l) => l.definition),
    resourcesFor: clusterResourcesFor,
    terraform: runTerraform,
  };
}

/** The orphans of every cluster whose stacks are all among `audited`; failures as text. */
export async function auditOrphans(
  audited: readonly SynthesizedStack[],
  search: OrphanSearch,
  env: NodeJS.ProcessEnv,
  progress?: AuditProgress,
): Promise<{ found: ClusterOrphans[]; failures: string[] }> {
  const found: ClusterOrphans[] = [];
  const failures: string[] = [];
  const names = new Set(audited.map((s) => s.name));
  for (const definition of search.definitions(env)) {
    if (![`${definition.name}-network`, `${definition.name}-cluster`].every((n) => names.has(n))) continue;
    progress?.phase(definition.name, "looking for orphans");
    try {
      const orphans = await findClusterOrphans(definition, audited, search, env);
      found.push(orphans);
      progress?.finish(definition.name, orphans.orphans.length === 0 ? "no orphans" : `${orphans.orphans.length} orphan(s)`);
    } catch (e) {
      progress?.finish(definition.name, "orphan search failed");
      failures.push(`audit: ${definition.name}: could not look for orphans: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { found, failures };
}

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Audits, prints the table (stdout) and returns the exit code. */
export async function auditInfrastructure(options: InfrastructureAuditOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const progress = options.progress;
  progress?.phase("synthesis", "synthesizing");
  let synthesized: SynthesizedStack[];
  try {
    synthesized = await synthesizeApp(env);
  } catch (e) {
    progress?.finish("synthesis", "failed");
    throw e;
  }
  progress?.finish("synthesis", "synthesized");
  const stacks = selectStacks(synthesized, options.patterns ?? []);
  process.stderr.write(`audit: planning ${stacks.map((s) => s.name).join(", ")}\n`);
  const stackOptions = { env, lockTimeout: options.lockTimeout };
  const audits: StackAudit[] = await auditStacks(
    stacks,
    { prepare: (s) => prepareStackAudit(s, stackOptions), audit: (s) => auditStack(s, stackOptions) },
    options.concurrency ?? 4,
    progress,
  );
  process.stdout.write(`${renderTable(auditRows(audits))}\n\n${renderVerdict(audits)}\n`);
  let code = auditExitCode(audits);
  if (options.orphans === false) return code;
  const { found, failures } = await auditOrphans(stacks, options.orphans ?? (await defaultOrphanSearch()), env, progress);
  const withOrphans = found.filter((f) => f.orphans.length > 0);
  // A destroyed cluster's kept backup store is no orphan and no failure: said, with what to do.
  const kept = found.flatMap((f) => keptAdvice("audit", f));
  if (kept.length > 0) process.stdout.write(`${kept.join("\n")}\n`);
  if (withOrphans.length > 0) {
    process.stdout.write(`\nOrphans: tagged with their cluster, tracked by no stack's state\n${renderOrphanTable(withOrphans)}\n\n`);
    process.stdout.write(`${withOrphans.flatMap((f) => orphanAdvice("audit", f)).join("\n")}\n`);
    if (code === 0) code = 2;
  } else if (found.length > 0) {
    process.stdout.write(`audit: no orphans (${found.map((f) => f.cluster).join(", ")}: every tagged resource is in a stack's state)\n`);
  }
  for (const failure of failures) process.stderr.write(`${failure}\n`);
  return failures.length > 0 ? 1 : code;
}
