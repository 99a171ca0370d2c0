/**
 * `npm run audit [-- <stacks|globs>] [--concurrency=N] [--lock-timeout=60s]`: audits the running
 * infrastructure against the central definition. Synthesizes the clusters KUBEPLANE_CLUSTERS
 * selects, plans every stack (or those named) with `-detailed-exitcode`, prints a table of
 * stack, resource address and change, and exits 0 when everything matches, 2 when anything
 * drifted (naming each drifted address), 1 when a stack could not be planned.
 */
import { parseArgs } from "util";
import { auditExitCode, auditRows, renderTable, renderVerdict } from "./audit-report";
import { auditStack, StackAudit } from "./stack-audit";
import { selectStacks, SynthesizedStack, synthesizeApp } from "./synthesized-app";

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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      concurrency: { type: "string", default: "4" },
      "lock-timeout": { type: "string" },
    },
  });
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`);
  const stacks: SynthesizedStack[] = selectStacks(await synthesizeApp(), positionals);
  process.stderr.write(`audit: planning ${stacks.map((s) => s.name).join(", ")}\n`);
  const audits: StackAudit[] = await inParallel(stacks, concurrency, (s) => auditStack(s, { lockTimeout: values["lock-timeout"] }));
  process.stdout.write(`${renderTable(auditRows(audits))}\n\n${renderVerdict(audits)}\n`);
  return auditExitCode(audits);
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`kubeplane audit: ${e.message}\n`);
    process.exitCode = 1;
  },
);
