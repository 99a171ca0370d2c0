/**
 * The audit of the running infrastructure against the central definition: synthesizes the
 * selected clusters, plans every stack (or those named) in parallel, prints the table and the
 * verdict, and returns the exit code (0 clean, 2 drift, 1 a stack could not be planned).
 */
import { auditExitCode, auditRows, renderTable, renderVerdict } from "./audit-report";
import { auditStack, prepareStackAudit, StackAudit } from "./stack-audit";
import { selectStacks, synthesizeApp } from "./synthesized-app";

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
  const stacks = selectStacks(await synthesizeApp(env), options.patterns ?? []);
  process.stderr.write(`audit: planning ${stacks.map((s) => s.name).join(", ")}\n`);
  const stackOptions = { env, lockTimeout: options.lockTimeout };
  const unprepared = new Map<string, StackAudit>();
  for (const stack of stacks) {
    const failed = await prepareStackAudit(stack, stackOptions);
    if (failed) unprepared.set(stack.name, failed);
  }
  const audits: StackAudit[] = await inParallel(stacks, options.concurrency ?? 4, (s) =>
    unprepared.get(s.name) ? Promise.resolve(unprepared.get(s.name)!) : auditStack(s, stackOptions),
  );
  process.stdout.write(`${renderTable(auditRows(audits))}\n\n${renderVerdict(audits)}\n`);
  return auditExitCode(audits);
}
