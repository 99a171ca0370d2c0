/**
 * Progress a person can follow during long operations: which stack, which phase, how long.
 *
 * On a terminal (the stream is a TTY) it is one live line, redrawn in place every second:
 *
 *   kubeplane deploy 42s │ dev-network applying 12s │ dev-cluster waiting
 *
 * Elsewhere (CI logs, pipes) it is quiet and line-oriented: one line when a stack enters a new
 * phase, with the seconds since the command started, and nothing else:
 *
 *   kubeplane deploy [12s] dev-network: planning
 *   kubeplane deploy [30s] dev-network: deployed after 18s
 *
 * The stream and the clock are injected (tests drive both). Nothing is written before the first
 * phase, so a command that fails before it starts prints only its error.
 */

/** Where progress goes: stderr, so that stdout keeps the commands' data (tables, JSON). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of Progress. */
export interface ProgressOptions {
  /** Where to write (usually process.stderr). */
  readonly stream: ProgressStream;
  /** The command, shown in every line: `deploy`, `audit`, ... */
  readonly command: string;
  /**
   * Milliseconds since some fixed point.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * A live line (true) or one line per change (false).
   * @default stream.isTTY === true
   */
  readonly live?: boolean;
  /**
   * How often the live line is redrawn, in ms; 0 redraws only on changes (tests call tick()).
   * @default 1000
   */
  readonly refreshMs?: number;
}

interface StackState {
  phase: string;
  since: number;
  started: number;
  finished: boolean;
}

/** Whole seconds, as shown. */
function seconds(ms: number): string {
  return `${Math.max(0, Math.floor(ms / 1000))}s`;
}

/** Erases the current terminal line and returns the cursor to its start. */
export const CLEAR_LINE = "\r\x1b[2K";

/** Progress of one command over its stacks. */
export class Progress {
  private readonly stream: ProgressStream;
  /** The stream's own write, kept so that interleave() can wrap the stream's. */
  private readonly write: (text: string) => unknown;
  private readonly command: string;
  private readonly now: () => number;
  private readonly started: number;
  private readonly stacks = new Map<string, StackState>();
  private readonly timer?: ReturnType<typeof setInterval>;
  private drawn = false;
  private stopped = false;
  /** Whether the output is a live line. */
  readonly live: boolean;

  constructor(options: ProgressOptions) {
    if (!options.command) throw new Error("Progress: `command` must name the command");
    this.stream = options.stream;
    this.write = options.stream.write.bind(options.stream);
    this.command = options.command;
    this.now = options.now ?? Date.now;
    this.live = options.live ?? options.stream.isTTY === true;
    this.started = this.now();
    const refresh = options.refreshMs ?? 1000;
    if (this.live && refresh > 0) {
      this.timer = setInterval(() => this.tick(), refresh);
      this.timer.unref();
    }
  }

  /** `stack` enters `phase` (e.g. `planning`). Repeating the current phase changes nothing. */
  phase(stack: string, phase: string): void {
    this.enter(stack, phase, false);
  }

  /** `stack` is done, with `outcome` (e.g. `deployed`, `failed`); its time is shown. */
  finish(stack: string, outcome: string): void {
    this.enter(stack, outcome, true);
  }

  /** The phase `stack` is in, if it has started. */
  phaseOf(stack: string): string | undefined {
    return this.stacks.get(stack)?.phase;
  }

  /** Writes a whole line of the command's own (above the live line, which is then redrawn). */
  line(text: string): void {
    if (this.stopped) return;
    this.clear();
    this.write(`${text}\n`);
    this.draw();
  }

  /** Redraws the live line (the timer calls this every refreshMs). */
  tick(): void {
    if (this.live && !this.stopped && this.stacks.size > 0) this.draw();
  }

  /** The live line's text (without control sequences), cut to the terminal's width. */
  liveText(): string {
    const now = this.now();
    const parts = [`kubeplane ${this.command} ${seconds(now - this.started)}`];
    for (const [name, s] of this.stacks) {
      parts.push(s.finished || s.phase === "waiting" ? `${name} ${s.phase}` : `${name} ${s.phase} ${seconds(now - s.since)}`);
    }
    const text = parts.join(" │ ");
    const width = this.stream.columns ?? 0;
    return width > 1 && text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
  }

  /**
   * Ends the progress: the live line is erased (its stacks' outcomes are already in the lines
   * above, or in the command's own output) and `summary`, if given, is written as a line.
   */
  stop(summary?: string): void {
    if (this.stopped) return;
    this.clear();
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
    if (summary !== undefined) this.write(`kubeplane ${this.command} [${this.elapsed()}] ${summary}\n`);
  }

  /**
   * Until the returned function is called, what other code writes to `stream` (the same stream,
   * or the other one on the same terminal) goes above the live line instead of through it.
   * Does nothing unless live.
   */
  interleave(stream: { write: (...args: never[]) => boolean }): () => void {
    if (!this.live) return () => undefined;
    const original = stream.write;
    const wrapped = (...args: never[]): boolean => {
      this.clear();
      const result = original.apply(stream, args);
      this.draw();
      return result;
    };
    stream.write = wrapped as typeof stream.write;
    return () => {
      if (stream.write === wrapped) stream.write = original;
    };
  }

  /** Seconds since the command started, as shown (`42s`). */
  elapsed(): string {
    return seconds(this.now() - this.started);
  }

  private enter(stack: string, phase: string, finished: boolean): void {
    if (this.stopped) return;
    const now = this.now();
    const current = this.stacks.get(stack);
    if (current && current.phase === phase && current.finished === finished) return;
    const state: StackState = { phase, since: now, started: current?.started ?? now, finished };
    this.stacks.set(stack, state);
    if (this.live) {
      this.draw();
      return;
    }
    const after = finished ? ` after ${seconds(now - state.started)}` : "";
    this.write(`kubeplane ${this.command} [${seconds(now - this.started)}] ${stack}: ${phase}${after}\n`);
  }

  private draw(): void {
    if (!this.live || this.stopped || this.stacks.size === 0) return;
    this.write(`${CLEAR_LINE}${this.liveText()}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.live && this.drawn) {
      this.write(CLEAR_LINE);
      this.drawn = false;
    }
  }
}

/** The steps of a Terraform run that Terraform's own output shows. */
export type TerraformStep = "init" | "plan" | "planned" | "no changes" | "apply" | "applied" | "destroyed" | "error";

/**
 * The step a line of Terraform's human-readable output (terraform 1.11, with or without colour)
 * marks, or undefined for every other line: "Initializing the backend...", "<addr>: Refreshing
 * state..." / "Reading...", "Plan: N to add, ...", "No changes.", "<addr>: Creating..." /
 * "Modifying..." / "Destroying..." / "Still creating...", "Apply complete! Resources: ...",
 * "Destroy complete! Resources: ...", and "Error: ..." (inside "│ " on a terminal). These are
 * terraform's own sentences, as the real binary prints them (__tests__/unit/cli/fixtures/).
 */
export function terraformStep(line: string): TerraformStep | undefined {
  const text = line.trim();
  if (/^Initializing (the backend|provider plugins|modules)/.test(text)) return "init";
  if (/^(│ )?Error: /.test(text)) return "error";
  if (/^Apply complete! Resources: /.test(text)) return "applied";
  if (/^Destroy complete! Resources: /.test(text)) return "destroyed";
  if (/^No changes\. /.test(text)) return "no changes";
  if (/^Plan: \d+ to (add|import)/.test(text) || /^Changes to Outputs:/.test(text)) return "planned";
  if (/: (Creating|Modifying|Destroying|Still (creating|modifying|destroying))\.\.\./.test(text)) return "apply";
  if (/: (Refreshing state|Reading)\.\.\./.test(text)) return "plan";
  return undefined;
}

/** How a command names each step in its progress (undefined: not shown). */
export type StepNames = Partial<Record<TerraformStep, string>>;

/** The progress phases of the cdktf commands. */
export const CDKTF_STEP_NAMES: Readonly<Record<"deploy" | "diff" | "destroy", StepNames>> = {
  deploy: { init: "initializing", plan: "planning", planned: "planned", "no changes": "no changes", apply: "applying", applied: "deployed", error: "failed" },
  diff: { init: "initializing", plan: "planning", planned: "planned", "no changes": "no changes", error: "failed" },
  destroy: { init: "initializing", plan: "planning", planned: "planned", "no changes": "nothing to destroy", apply: "destroying", destroyed: "destroyed", error: "failed" },
};

/** Steps after which a stack is done (for the command that names them). */
const FINAL_STEPS: ReadonlySet<TerraformStep> = new Set(["applied", "destroyed", "error"]);

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/**
 * Reads cdktf's output as it streams and reports each stack's phase to a Progress. cdktf prints
 * every line of a stack's Terraform output after the stack's name and two spaces
 * (cdktf-cli 0.21, src/bin/cmds/ui/components/stream-view.tsx: StreamPrefix in a Box with
 * marginRight={2}), e.g. `dev-network  aws_vpc.network: Creating...`; the further lines of
 * a multi-line entry are indented under the prefix, without it.
 */
export class CdktfProgressTap {
  private pending = "";
  private readonly final: ReadonlySet<TerraformStep>;
  private readonly finished = new Set<string>();
  /** The stack of the log entry being read (its first line named it). */
  private stack?: string;

  constructor(
    private readonly progress: Progress,
    private readonly names: StepNames,
    /** Steps that end a stack (default: applied, destroyed, error; diff also ends at planned / no changes). */
    final?: ReadonlySet<TerraformStep>,
  ) {
    this.final = final ?? FINAL_STEPS;
  }

  /** Feeds a chunk of cdktf's output (lines may span chunks). */
  feed(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    const lines = text.split(/\r?\n|\r/);
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.read(line);
  }

  /** Reads what is left after the last newline (call when cdktf exits). */
  end(): void {
    if (this.pending) this.read(this.pending);
    this.pending = "";
  }

  private read(raw: string): void {
    const line = raw.replace(ANSI, "");
    if (line.trim() === "") return; // blank lines inside an entry neither end it nor say anything
    const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*) {2,}(\S.*)$/.exec(line);
    // A log entry of several lines carries the prefix on its first line only; cdktf indents the
    // rest under it ("             Plan: 23 to add, ..."): they belong to the entry's stack.
    const continued = !match && this.stack !== undefined ? /^\s+(\S.*)$/.exec(line) : null;
    if (match) this.stack = match[1];
    else if (!continued) this.stack = undefined;
    const stack = this.stack;
    const content = match ? match[2] : continued?.[1];
    if (stack === undefined || content === undefined) return;
    const step = terraformStep(content);
    if (!step) return;
    const name = this.names[step];
    if (!name) return;
    if (this.finished.has(stack)) return;
    if (this.final.has(step)) {
      this.finished.add(stack);
      this.progress.finish(stack, name);
    } else {
      this.progress.phase(stack, name);
    }
  }
}
