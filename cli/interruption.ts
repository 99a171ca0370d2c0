/**
 * What kubeplane does when it is interrupted while cdktf runs Terraform (deploy, diff, destroy):
 * the decision, separate from the processes it is applied to (cli/cdktf-command.ts).
 *
 * Terraform cannot be asked to stop scheduling without also cancelling the provider calls in
 * flight: its graceful stop (one SIGINT) cancels the plugin SDK's stop context, and an object the
 * cloud has made but not yet answered for is never recorded (a named one, like the flow-log IAM
 * role, then fails the next deploy with EntityAlreadyExists; the others become orphans). So,
 * after Pulumi's semantics:
 *
 * 1. The first Ctrl-C (SIGINT) lets every Terraform run that changes things (apply, destroy)
 *    finish and save its state, and starts no further run (no next stack). When nothing that
 *    changes things is running (synthesis, init, a plan), it interrupts at once: nothing is lost.
 * 2. The second Ctrl-C interrupts Terraform now (its graceful stop: it saves its state and
 *    releases its lock, but what it was creating may be left untracked: `kubeplane audit` lists
 *    it, `kubeplane destroy --orphans` removes it).
 * 3. The third ends it hard: Terraform's own immediate exit, then SIGKILL of what is left; the
 *    state lock may stay held (`kubeplane unlock <stack>`).
 *
 * SIGTERM and SIGHUP (a CI runner cancelling the job, a closed terminal) give seconds, not the
 * minutes an apply can take: they go to step 2 at once, and to step 3 when Terraform has not
 * stopped after the grace period (or on the next signal).
 *
 * A signal repeated within `debounceMs` of the one before counts once: `npm run deploy` forwards
 * the SIGINT that the terminal also sends to kubeplane (npm's @npmcli/run-script
 * signal-manager.js forwards SIGINT and SIGTERM to the script), so one Ctrl-C arrives twice.
 */

/** How far the interruption has gone. */
export type InterruptionStep = "running" | "finishing" | "stopping" | "ending";

/** What to do about a signal. */
export interface InterruptionDecision {
  /** The step now; unchanged when the signal was a repeat. */
  readonly step: InterruptionStep;
  /** Whether the step changed (else: do nothing). */
  readonly changed: boolean;
  /** What to tell the person, line by line. */
  readonly lines: readonly string[];
  /** For `stopping` after SIGTERM/SIGHUP: end hard after this many ms if Terraform has not stopped. */
  readonly endAfterMs?: number;
}

/** A Terraform run going on, as the recorder saw it start. */
export interface RunningTerraform {
  readonly stack: string;
  /** Terraform's subcommand: apply, destroy, plan, init, output, ... */
  readonly subcommand: string;
}

/** Options of Interruption. */
export interface InterruptionOptions {
  /** The kubeplane command, for messages: deploy, diff, destroy. */
  readonly command: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** A signal this soon after the last one counts once. @default 1000 */
  readonly debounceMs?: number;
  /** After SIGTERM/SIGHUP, how long Terraform may take to stop before it is ended hard. @default 20000 */
  readonly graceMs?: number;
}

/** Terraform subcommands that change the cloud, and so must not be cut short. */
export const CHANGING_SUBCOMMANDS: ReadonlySet<string> = new Set(["apply", "destroy", "import"]);

const ORDER: readonly InterruptionStep[] = ["running", "finishing", "stopping", "ending"];

/** The interruption of one cdktf run. */
export class Interruption {
  private current: InterruptionStep = "running";
  private last?: { signal: NodeJS.Signals; at: number };
  /** The first signal received (it decides the exit code). */
  first?: NodeJS.Signals;
  private readonly now: () => number;
  private readonly debounceMs: number;
  private readonly graceMs: number;

  constructor(private readonly options: InterruptionOptions) {
    if (!options.command) throw new Error("Interruption: `command` must name the command");
    this.now = options.now ?? Date.now;
    this.debounceMs = options.debounceMs ?? 1000;
    this.graceMs = options.graceMs ?? 20_000;
    if (!(this.graceMs >= 0)) throw new Error(`Interruption: graceMs must be a number of ms >= 0, got ${options.graceMs}`);
  }

  /** The step reached. */
  get step(): InterruptionStep {
    return this.current;
  }

  /** The exit code of an interrupted run: 128 + the first signal's number (SIGINT 130, SIGTERM 143). */
  exitCode(): number | undefined {
    if (!this.first) return undefined;
    return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[this.first]!;
  }

  /** Decides what `signal` does, with `running` the Terraform runs going on now. */
  signal(signal: NodeJS.Signals, running: readonly RunningTerraform[]): InterruptionDecision {
    const at = this.now();
    if (this.last && this.last.signal === signal && at - this.last.at < this.debounceMs) {
      return { step: this.current, changed: false, lines: [] };
    }
    this.last = { signal, at };
    this.first ??= signal;
    const cmd = `kubeplane ${this.options.command}`;
    const changing = running.filter((r) => CHANGING_SUBCOMMANDS.has(r.subcommand));
    const which = (runs: readonly RunningTerraform[]) => runs.map((r) => `${r.stack}: terraform ${r.subcommand}`).join(", ");
    const name = signal === "SIGINT" ? "Ctrl-C" : signal;
    const soft = signal === "SIGINT";
    let next: InterruptionStep;
    if (this.current === "running") next = soft && changing.length > 0 ? "finishing" : "stopping";
    else next = ORDER[Math.min(ORDER.indexOf(this.current) + 1, ORDER.length - 1)];
    // A signal at the last step changes nothing more.
    if (next === this.current) return { step: this.current, changed: false, lines: [] };
    this.current = next;
    const untracked = "what it was creating may be left untracked: kubeplane audit lists it, kubeplane destroy --orphans removes it";
    switch (next) {
      case "finishing":
        return {
          step: next,
          changed: true,
          lines: [
            `${cmd}: ${name}: letting Terraform finish the changes it has started and save its state (${which(changing)}); no further stack starts.`,
            `${cmd}: Ctrl-C again to interrupt Terraform now (${untracked}).`,
          ],
        };
      case "stopping": {
        const lines =
          running.length === 0
            ? [`${cmd}: ${name}: stopping (no Terraform run is changing anything).`]
            : changing.length === 0
              ? [`${cmd}: ${name}: interrupting Terraform (${which(running)}: nothing is being changed); waiting for it to stop.`]
              : [
                  `${cmd}: ${name}: interrupting Terraform now (${which(changing)}): it stops gracefully, saving its state and releasing its lock; ${untracked}.`,
                  `${cmd}: Ctrl-C again to end it at once (its state lock may then stay held).`,
                ];
        return { step: next, changed: true, lines, ...(soft ? {} : { endAfterMs: this.graceMs }) };
      }
      case "ending":
      default:
        return {
          step: next,
          changed: true,
          lines: [
            `${cmd}: ${name}: ending Terraform at once${running.length > 0 ? ` (${which(running)})` : ""}: its state lock may stay held (kubeplane unlock <stack>) and ${untracked}.`,
          ],
        };
    }
  }

  /** The step reached when the grace period after SIGTERM ran out. */
  graceExpired(running: readonly RunningTerraform[]): InterruptionDecision {
    if (this.current !== "stopping") return { step: this.current, changed: false, lines: [] };
    this.current = "ending";
    const which = running.map((r) => `${r.stack}: terraform ${r.subcommand}`).join(", ");
    return {
      step: "ending",
      changed: true,
      lines: [`kubeplane ${this.options.command}: Terraform did not stop within ${Math.round(this.graceMs / 1000)} s${which ? ` (${which})` : ""}: ending it at once; its state lock may stay held (kubeplane unlock <stack>).`],
    };
  }
}
