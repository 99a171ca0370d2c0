/**
 * `npm run audit [-- <stacks|globs>] [--concurrency=N] [--lock-timeout=60s]`: audits the running
 * infrastructure against the central definition. Synthesizes the clusters KUBEPLANE_CLUSTERS
 * selects, plans every stack (or those named) with `-detailed-exitcode`, prints a table of
 * stack, resource address and change, and exits 0 when everything matches, 2 when anything
 * drifted (naming each drifted address), 1 when a stack could not be planned.
 */
import { parseArgs } from "util";
import { auditInfrastructure } from "./infrastructure-audit";

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
  return auditInfrastructure({ patterns: positionals, concurrency, lockTimeout: values["lock-timeout"] });
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`kubeplane audit: ${e.message}\n`);
    process.exitCode = 1;
  },
);
