/**
 * Runs the project's pinned cdktf CLI (`node_modules/.bin/cdktf`) the way every kubeplane command
 * does: from the project root, with kubeplane's Terraform environment, into the output directory
 * `CDKTF_OUTDIR` names (if set and no `--output` is given), and — where providers come from
 * kubeplane's mirror config, i.e. offline — with `--skip-provider-lock`, since
 * `terraform providers lock` asks the registry. With the registry and no mirror nothing is added.
 */
import { spawn, StdioOptions } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { heldLockMessage, parseLockError } from "./state-lock";
import { failedInvocations, readRecords, recordingEnvironment, renderFailures, runningInvocations, TerraformInvocation } from "./terraform-errors";
import { PROJECT_ROOT, terraformEnvironment, usesMirrorCliConfig } from "./terraform-environment";

/** The cdktf subcommands kubeplane wraps. */
export type CdktfSubcommand = "synth" | "deploy" | "diff" | "destroy";

const LOCKING_SUBCOMMANDS: ReadonlySet<CdktfSubcommand> = new Set(["deploy", "diff", "destroy"]);

/** The cdktf executable of the project. */
export const CDKTF_BIN = path.join(PROJECT_ROOT, "node_modules", ".bin", "cdktf");

function hasFlag(args: readonly string[], ...names: string[]): boolean {
  return args.some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
}

/** The full cdktf argument list for `subcommand` with the user's `args`, in environment `env`. */
export function cdktfArguments(subcommand: CdktfSubcommand, args: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const full = [subcommand, ...args];
  if (env.CDKTF_OUTDIR && !hasFlag(args, "--output", "-o")) full.push("--output", path.resolve(env.CDKTF_OUTDIR));
  if (LOCKING_SUBCOMMANDS.has(subcommand) && usesMirrorCliConfig(env) && !hasFlag(args, "--skip-provider-lock")) {
    full.push("--skip-provider-lock");
  }
  return full;
}

/** Options of runCdktf. */
export interface CdktfRunOptions {
  /** Base environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: inherit this process's stdio. */
  readonly stdio?: StdioOptions;
  /** Receives stdout and stderr where `stdio` pipes them. */
  readonly onOutput?: (chunk: Buffer) => void;
  /**
   * Receives, line by line, what kubeplane says when deploy, diff or destroy fails: Terraform's
   * error text per failed stack, and what to do about a held state lock (default: stderr).
   */
  readonly report?: (line: string) => void;
  /** The time lock ages are measured from (default: now). */
  readonly now?: () => Date;
}

/**
 * What kubeplane adds when cdktf `subcommand` failed, from the Terraform runs recorded: per failed
 * run, which stack and Terraform's own error text; for a held state lock, who holds it since when
 * and `kubeplane unlock <stack>`. Empty when no Terraform run failed (cdktf failed before one ran).
 */
export function failureReport(subcommand: CdktfSubcommand, invocations: readonly TerraformInvocation[], now: Date): string[] {
  const failed = failedInvocations(invocations);
  const lines = renderFailures(subcommand, failed);
  const locked = new Set<string>();
  for (const run of failed) {
    const lock = parseLockError(run.stderr);
    if (!lock || locked.has(run.stack)) continue;
    locked.add(run.stack);
    lines.push(...heldLockMessage(subcommand, run.stack, lock, now));
  }
  return lines;
}

/**
 * Waits while a recorded Terraform run is still going (interrupted, finishing its graceful stop),
 * saying once which stacks it waits for; stops waiting when `giveUp` says so (a second Ctrl-C).
 */
async function waitForTerraform(subcommand: CdktfSubcommand, recordDirectory: string, report: (line: string) => void, giveUp: () => boolean): Promise<void> {
  let said = false;
  for (;;) {
    const running = runningInvocations(readRecords(recordDirectory));
    if (running.length === 0) return;
    const which = running.map((r) => `${r.stack} (terraform ${r.args.split(" ")[0]}, pid ${r.pid})`).join(", ");
    if (giveUp()) {
      report(`kubeplane ${subcommand}: not waiting any longer; Terraform may still be running: ${which}`);
      return;
    }
    if (!said) report(`kubeplane ${subcommand}: waiting for Terraform to stop and save its state: ${which} (Ctrl-C again to stop waiting)`);
    said = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs `cdktf <subcommand> <args>` and resolves to its exit code (1 if killed by a signal).
 * Rejects when cdktf cannot be started (e.g. `node_modules/.bin/cdktf` missing: run npm install).
 *
 * deploy, diff and destroy run Terraform through the recorder (terraform-errors.ts): when cdktf
 * exits non-zero, Terraform's error text is reported per stack, whatever cdktf printed. While
 * cdktf runs, SIGINT and SIGTERM do not end this process: the first is passed on to cdktf (which
 * interrupts Terraform; Terraform then finishes what it is doing and writes its state) and this
 * process waits for cdktf to end, and then for Terraform, which cdktf does not wait for (the
 * recorder keeps it from being hung up when cdktf leaves). A terminal's Ctrl-C reaches cdktf
 * directly too; cdktf's abort is idempotent, so Terraform is interrupted once, gracefully.
 */
export async function runCdktf(subcommand: CdktfSubcommand, args: readonly string[], options: CdktfRunOptions = {}): Promise<number> {
  // KUBEPLANE_RECORD_TERRAFORM=false runs Terraform directly (no error report, no wait after Ctrl-C).
  const recorded = LOCKING_SUBCOMMANDS.has(subcommand) && (options.env ?? process.env).KUBEPLANE_RECORD_TERRAFORM !== "false";
  const base = terraformEnvironment(options.env ?? process.env);
  const recordDirectory = recorded ? mkdtempSync(path.join(os.tmpdir(), `kubeplane-${subcommand}-`)) : undefined;
  const env = recordDirectory ? recordingEnvironment(base, recordDirectory) : base;
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    const child = spawn(CDKTF_BIN, cdktfArguments(subcommand, args, env), {
      cwd: PROJECT_ROOT,
      env,
      stdio: options.stdio ?? "inherit",
    });
    if (options.onOutput) {
      child.stdout?.on("data", options.onOutput);
      child.stderr?.on("data", options.onOutput);
    }
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) return;
      report(`kubeplane ${subcommand}: ${signal}: interrupting; waiting for Terraform to stop and save its state`);
      child.kill(signal);
    };
    const handled: NodeJS.Signals[] = recorded ? ["SIGINT", "SIGTERM"] : [];
    for (const s of handled) process.on(s, onSignal);
    let code: number;
    try {
      code = await new Promise<number>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (c) => resolve(c ?? 1));
      });
      // cdktf does not wait for an interrupted Terraform (it leaves the pseudo-terminal at once):
      // wait here until Terraform has stopped gracefully, saved its state and released its lock.
      if (signals > 0 && recordDirectory) await waitForTerraform(subcommand, recordDirectory, report, () => signals > 1);
    } finally {
      for (const s of handled) process.removeListener(s, onSignal);
    }
    if (code !== 0 && recordDirectory) {
      for (const line of failureReport(subcommand, readRecords(recordDirectory), options.now?.() ?? new Date())) report(line);
    }
    return code;
  } finally {
    if (recordDirectory) rmSync(recordDirectory, { recursive: true, force: true });
  }
}

/**
 * The whole of `npm run deploy|diff|destroy|synth`: runs cdktf and resolves to the exit code to
 * end with. Never rejects: a failure to start cdktf (or to prepare its environment) is printed as
 * `kubeplane: <message>`, without a stack trace, and gives 1.
 */
export async function cdktfMain(
  subcommand: CdktfSubcommand,
  args: readonly string[],
  run: typeof runCdktf = runCdktf,
  stderr: Pick<NodeJS.WritableStream, "write"> = process.stderr,
): Promise<number> {
  try {
    return await run(subcommand, args);
  } catch (e) {
    stderr.write(`kubeplane: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
