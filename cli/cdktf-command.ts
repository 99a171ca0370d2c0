/**
 * Runs the project's pinned cdktf CLI (`node_modules/.bin/cdktf`) the way every kubeplane command
 * does: from the project root, with kubeplane's Terraform environment, into the output directory
 * `CDKTF_OUTDIR` names (if set and no `--output` is given), and — where providers come from
 * kubeplane's mirror config, i.e. offline — with `--skip-provider-lock`, since
 * `terraform providers lock` asks the registry. With the registry and no mirror nothing is added.
 */
import { ChildProcess, execFileSync, spawn, StdioOptions } from "child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { CHANGING_SUBCOMMANDS, Interruption, InterruptionDecision } from "./interruption";
import { heldLockMessage, parseLockError } from "./state-lock";
import { failedInvocations, readRecords, recordingEnvironment, renderFailures, runningInvocations, TerraformInvocation, terraformSubcommand } from "./terraform-errors";
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

/** Process group id of `pid` (`ps -o pgid=`), or undefined when it is gone. */
function processGroupOf(pid: number): number | undefined {
  try {
    const out = execFileSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const pgid = Number(out.trim());
    return Number.isInteger(pgid) && pgid > 0 ? pgid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to process group `pgid`; false when the group is gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Watches one cdktf run started in a process group (and session) of its own, so that a
 * terminal's Ctrl-C reaches kubeplane only, and applies interruption.ts's decisions to it:
 * finish what changes things (the recorder starts no further Terraform run once
 * `<record>/interrupted` exists), interrupt Terraform now, end it hard. Terraform of deploy and
 * destroy runs in cdktf's pseudo-terminal, a session whose process group is the recorder's pid:
 * it is interrupted there as a Ctrl-C in that terminal would (SIGINT to the group: Terraform, its
 * providers, the recorder; cdktf would write ^C there, which is the same). A Terraform in cdktf's
 * own group (diff's plan) goes with cdktf's group.
 */
class CdktfSupervisor {
  private readonly interruption: Interruption;
  private readonly handled: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  private poll?: ReturnType<typeof setInterval>;
  private grace?: ReturnType<typeof setTimeout>;
  private cdktfInterrupted = false;
  private exited = false;
  private readonly signalled = new Set<number>();

  constructor(
    private readonly subcommand: CdktfSubcommand,
    private readonly child: ChildProcess,
    private readonly recordDirectory: string,
    private readonly report: (line: string) => void,
    env: NodeJS.ProcessEnv,
  ) {
    const grace = Number(env.KUBEPLANE_TERMINATE_GRACE_SECONDS ?? 20);
    this.interruption = new Interruption({ command: subcommand, graceMs: Number.isFinite(grace) && grace >= 0 ? grace * 1000 : 20_000 });
    for (const s of this.handled) process.on(s, this.onSignal);
    process.on("exit", this.onExit);
    child.once("close", () => (this.exited = true));
  }

  /** Whether a signal interrupted the run. */
  get interrupted(): boolean {
    return this.interruption.step !== "running";
  }

  /** The exit code of the interrupted run (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number | undefined {
    return this.interruption.exitCode();
  }

  private running(): (TerraformInvocation & { pid: number })[] {
    return runningInvocations(readRecords(this.recordDirectory)) as (TerraformInvocation & { pid: number })[];
  }

  private described(runs: readonly TerraformInvocation[]) {
    return runs.map((r) => ({ stack: r.stack, subcommand: terraformSubcommand(r.args) }));
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    const running = this.running();
    this.apply(this.interruption.signal(signal, this.described(running)), running);
  };

  private apply(decision: InterruptionDecision, running: (TerraformInvocation & { pid: number })[]): void {
    if (!decision.changed) return;
    for (const line of decision.lines) this.report(line);
    // From the first signal on, no further Terraform run starts (terraform-recorder.sh).
    writeFileSync(path.join(this.recordDirectory, "interrupted"), `${decision.step}\n`);
    if (decision.step === "stopping" || decision.step === "ending") this.interruptTerraform(running, decision.step === "ending");
    if (decision.endAfterMs !== undefined) {
      this.grace = setTimeout(() => {
        const now = this.running();
        this.apply(this.interruption.graceExpired(this.described(now)), now);
      }, decision.endAfterMs);
      this.grace.unref();
    }
    this.poll ??= setInterval(() => this.stopCdktfWhenDone(), 250);
  }

  /**
   * SIGINT to each running Terraform, once per step: the first is Terraform's graceful stop, the
   * second (ending) its immediate exit; when ending, whatever is left is SIGKILLed 5 s later.
   */
  private interruptTerraform(running: readonly (TerraformInvocation & { pid: number })[], hard: boolean): void {
    let inCdktfGroup = running.length === 0;
    for (const run of running) {
      const pgid = processGroupOf(run.pid);
      if (pgid === run.pid) {
        signalGroup(pgid, "SIGINT");
        this.signalled.add(pgid);
      } else inCdktfGroup = true;
    }
    if (inCdktfGroup) this.interruptCdktf();
    if (hard) {
      setTimeout(() => this.killAll(), 5000).unref();
    }
  }

  /** SIGINT to cdktf's group (cdktf aborts; writes ^C into its pseudo-terminals). Once. */
  private interruptCdktf(): void {
    if (this.cdktfInterrupted || this.exited || this.child.pid === undefined) return;
    this.cdktfInterrupted = true;
    signalGroup(this.child.pid, "SIGINT");
  }

  /**
   * Once nothing that matters runs any more (finishing: no apply or destroy; later: no
   * Terraform at all), cdktf is stopped: it would only go on to runs the recorder refuses.
   */
  private stopCdktfWhenDone(): void {
    const running = this.running();
    const waitingFor = this.interruption.step === "finishing" ? running.filter((r) => CHANGING_SUBCOMMANDS.has(terraformSubcommand(r.args))) : running;
    if (waitingFor.length === 0) this.interruptCdktf();
  }

  /** SIGKILL of cdktf's group and every Terraform group signalled, those still there. */
  private killAll(): void {
    if (this.child.pid !== undefined) signalGroup(this.child.pid, "SIGKILL");
    for (const run of this.running()) {
      const pgid = processGroupOf(run.pid);
      if (pgid === run.pid) signalGroup(pgid, "SIGKILL");
    }
    for (const pgid of this.signalled) signalGroup(pgid, "SIGKILL");
  }

  /** If kubeplane exits before the run is wound up (an error), nothing of it stays running. */
  private readonly onExit = () => this.killAll();

  /**
   * After cdktf has exited: waits for the Terraform runs still going (cdktf does not wait for
   * an interrupted Terraform; it saves its state and releases its lock after), saying once which;
   * then makes sure nothing of cdktf's group is left. Ends hard when the interruption does.
   */
  async finish(): Promise<void> {
    let said = false;
    try {
      for (;;) {
        const running = this.running();
        if (running.length === 0) break;
        if (this.interruption.step === "ending") {
          await sleep(5000);
          this.killAll();
          break;
        }
        if (!said && this.interrupted) {
          const which = running.map((r) => `${r.stack} (terraform ${terraformSubcommand(r.args)}, pid ${r.pid})`).join(", ");
          this.report(`kubeplane ${this.subcommand}: waiting for Terraform to finish and save its state: ${which}`);
          said = true;
        }
        await sleep(250);
      }
      if (this.child.pid !== undefined && signalGroup(this.child.pid, 0)) signalGroup(this.child.pid, "SIGKILL");
      if (this.interrupted) {
        for (const line of notStartedReport(this.subcommand, this.recordDirectory)) this.report(line);
      }
    } finally {
      this.dispose();
    }
  }

  /** Removes the signal handlers and timers. */
  dispose(): void {
    for (const s of this.handled) process.removeListener(s, this.onSignal);
    process.removeListener("exit", this.onExit);
    if (this.poll) clearInterval(this.poll);
    if (this.grace) clearTimeout(this.grace);
  }
}

/** The runs the recorder refused after the interruption, per stack: run the command again to go on. */
export function notStartedReport(subcommand: CdktfSubcommand, recordDirectory: string): string[] {
  const stacks = readdirSync(recordDirectory)
    .filter((f) => f.endsWith(".not-started"))
    .map((f) => f.slice(0, -".not-started".length))
    .sort();
  if (stacks.length === 0) return [];
  return [`kubeplane ${subcommand}: interrupted: not started: ${stacks.join(", ")}; run kubeplane ${subcommand} again to go on.`];
}

/**
 * Runs `cdktf <subcommand> <args>` and resolves to its exit code (1 if killed by a signal; 130
 * or 143 when SIGINT or SIGTERM interrupted it). Rejects when cdktf cannot be started (e.g.
 * `node_modules/.bin/cdktf` missing: run npm install).
 *
 * deploy, diff and destroy run Terraform through the recorder (terraform-errors.ts): when cdktf
 * exits non-zero, Terraform's error text is reported per stack, whatever cdktf printed. cdktf
 * runs in a process group and session of its own, so a terminal's Ctrl-C (and the copy npm
 * forwards) reaches this process only, which decides (interruption.ts): the first Ctrl-C lets
 * the applies going on finish and save their state and starts no further stack, the second
 * interrupts Terraform now, the third ends it; SIGTERM and SIGHUP interrupt Terraform now and end
 * it after KUBEPLANE_TERMINATE_GRACE_SECONDS (20). No process of the run outlives this one
 * (only a SIGKILL of kubeplane itself leaves them: then `kubeplane unlock` and `audit`).
 */
export async function runCdktf(subcommand: CdktfSubcommand, args: readonly string[], options: CdktfRunOptions = {}): Promise<number> {
  // KUBEPLANE_RECORD_TERRAFORM=false runs Terraform directly (no error report, no wait after
  // Ctrl-C: cdktf stays in this process's group and gets the terminal's signals itself).
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
      detached: recordDirectory !== undefined,
    });
    if (options.onOutput) {
      child.stdout?.on("data", options.onOutput);
      child.stderr?.on("data", options.onOutput);
    }
    const closed = new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (c) => resolve(c ?? 1));
    });
    const supervisor = recordDirectory && child.pid !== undefined ? new CdktfSupervisor(subcommand, child, recordDirectory, report, env) : undefined;
    let code: number;
    try {
      code = await closed;
    } catch (e) {
      supervisor?.dispose();
      throw e;
    }
    await supervisor?.finish();
    if (code !== 0 && recordDirectory) {
      for (const line of failureReport(subcommand, readRecords(recordDirectory), options.now?.() ?? new Date())) report(line);
    }
    return supervisor?.exitCode() ?? code;
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
