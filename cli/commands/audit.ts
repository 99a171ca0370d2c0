/**
 * `kubeplane audit [stacks|globs] [--concurrency=N] [--lock-timeout=60s]`: the audit of the
 * running infrastructure against the definitions (cli/infrastructure-audit.ts).
 */
import { InvalidArgumentError } from "commander";
import { examples, RegisterSubcommand } from "./context";

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a positive integer, got ${value}`);
  return n;
}

/** What the audit's exit code says, for the closing line. */
const VERDICT: Readonly<Record<number, string>> = { 0: "clean", 2: "drift" };

export const registerAudit: RegisterSubcommand = (program, cli) => {
  program
    .command("audit")
    .summary("compare the running infrastructure with the definitions (exit 0 clean, 2 drift, 1 failed)")
    .description(
      "Synthesizes the clusters KUBEPLANE_CLUSTERS selects, plans every stack (or those named) with\n" +
        "-detailed-exitcode against the running infrastructure, and prints STACK / ADDRESS / CHANGE /\n" +
        "DETAIL. Exits 0 when everything matches, 2 on drift (naming each drifted address), 1 when a\n" +
        "stack cannot be planned (for example, its state is locked).",
    )
    .argument("[stacks...]", "stack names or globs (default: every stack of the selected clusters)")
    .option("--concurrency <n>", "how many stacks are planned at once", positiveInteger, 4)
    .option("--lock-timeout <duration>", "how long to wait for a held state lock (terraform -lock-timeout), e.g. 120s")
    .addHelpText(
      "after",
      examples(["kubeplane audit", "kubeplane audit 'prod-*' --lock-timeout=120s", "KUBEPLANE_CLUSTERS=customers/ kubeplane audit --concurrency=8"]),
    )
    .action(async (patterns: string[], options: { concurrency: number; lockTimeout?: string }) => {
      const [{ auditInfrastructure }, { Progress }] = await Promise.all([import("../infrastructure-audit"), import("../progress")]);
      const progress = new Progress({ stream: cli.stderr, command: "audit", now: cli.now });
      // The audit's own lines (its table on stdout, its notes on stderr) go above the live line.
      // Per stack: initializing, waiting, planning, then clean / drifted / failed; per cluster the
      // orphan search; on a terminal one live line, elsewhere one line per change (progress.ts).
      const restore = [progress.interleave(process.stdout), progress.interleave(process.stderr)];
      try {
        cli.exitCode = await auditInfrastructure({ patterns, concurrency: options.concurrency, lockTimeout: options.lockTimeout, env: cli.env, progress });
      } catch (e) {
        progress.stop();
        throw e;
      } finally {
        restore.forEach((r) => r());
      }
      progress.stop(`${VERDICT[cli.exitCode] ?? "failed"} (exit ${cli.exitCode})`);
    });
};
