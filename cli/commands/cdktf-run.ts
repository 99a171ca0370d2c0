/**
 * Runs a cdktf subcommand (synth, deploy, diff, destroy) through cdktf-command.ts, with progress.
 *
 * Not on a terminal (CI), cdktf's output is passed through unchanged to stdout while
 * CdktfProgressTap reads it, and kubeplane adds one line per stack and phase to stderr
 * (`kubeplane deploy [12s] dev-network: planning`). On a terminal cdktf keeps the terminal: it
 * draws its own live status ("1 Stack deploying  0 Stacks done  1 Stack waiting") and asks for
 * approval there, which a second live line would garble; kubeplane adds only the closing line
 * with the elapsed time.
 */
import type { CdktfSubcommand } from "../cdktf-command";
import type { CdktfRunner, CliContext } from "./context";

/** Options of cdktfWithProgress. */
export interface CdktfWithProgressOptions {
  /**
   * Runs cdktf.
   * @default cli.runCdktf, else cdktf-command.ts's runCdktf
   */
  readonly run?: CdktfRunner;
  /**
   * The environment cdktf runs in.
   * @default cli.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `cdktf <subcommand> <args>` and resolves to its exit code. Never rejects: a cdktf that
 * cannot start is `kubeplane: <message>` and 1 (cdktfMain), with no progress line at all.
 */
export async function cdktfWithProgress(
  subcommand: CdktfSubcommand,
  args: readonly string[],
  cli: CliContext,
  options: CdktfWithProgressOptions = {},
): Promise<number> {
  const [{ cdktfMain, runCdktf }, { CDKTF_STEP_NAMES, CdktfProgressTap, Progress }] = await Promise.all([
    import("../cdktf-command"),
    import("../progress"),
  ]);
  const run = options.run ?? cli.runCdktf ?? runCdktf;
  const env = options.env ?? cli.env;
  const progress = new Progress({ stream: cli.stderr, command: subcommand, now: cli.now });
  const stderr = { write: (text: string) => (cli.stderr.write(text), true) };
  let code: number;
  let seen = false;
  if (progress.live || subcommand === "synth") {
    // A terminal: cdktf's own live display. synth: no stacks to follow, its output is its own.
    code = await cdktfMain(subcommand, args, (s, a) => run(s, a, { env }), stderr);
  } else {
    const names = CDKTF_STEP_NAMES[subcommand];
    const final = subcommand === "diff" ? new Set(["planned", "no changes", "error"] as const) : undefined;
    const tap = new CdktfProgressTap(progress, names, final);
    code = await cdktfMain(
      subcommand,
      args,
      (s, a) =>
        run(s, a, {
          env,
          // stderr stays cdktf's own; stdout is read as it streams and passed on unchanged.
          stdio: ["inherit", "pipe", "inherit"],
          onOutput: (chunk) => {
            seen = true;
            cli.stdout.write(chunk);
            tap.feed(chunk);
          },
        }),
      stderr,
    );
    tap.end();
  }
  // A closing line only for a run that got going: a cdktf that did not start printed its error.
  if (code === 0) progress.stop(subcommand === "synth" ? "synthesized" : "done");
  else if (seen || progress.live) progress.stop(`failed (exit ${code})`);
  else progress.stop();
  return code;
}
