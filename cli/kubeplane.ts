/**
 * The `kubeplane` command line (bin/kubeplane; `npx kubeplane <command>`; the npm scripts
 * `npm run deploy -- ...` etc. are aliases of `kubeplane deploy ...`).
 *
 * Adding a subcommand takes one file and one line:
 *   1. cli/commands/<name>.ts exports `register<Name>: RegisterSubcommand` (see
 *      cli/commands/context.ts): `program.command("<name>")` with its `.summary()`,
 *      `.description()`, arguments, options, `.addHelpText("after", examples([...]))`, and an
 *      async `.action()` that loads the command's logic with `await import("../<logic>")` (so
 *      that `kubeplane --help` and other commands stay fast: no cdktf, no AWS SDK) and sets
 *      `cli.exitCode`. The logic lives in its own module (cli/<name>-command.ts or similar),
 *      testable without the wiring; the wiring writes to `cli.stdout` / `cli.stderr`.
 *   2. Add `register<Name>` to SUBCOMMANDS below, where it should appear in `kubeplane --help`.
 * Errors: throw (or let the logic throw) an Error; it is printed as `kubeplane: <message>`, with
 * no stack trace, and the run exits 1. Bad arguments are commander's errors, printed the same way.
 * Long operations report progress with cli/progress.ts (stderr; a live line on a terminal).
 */
import { Command, CommanderError } from "commander";
import { registerAudit } from "./commands/audit";
import { registerBootstrap } from "./commands/bootstrap";
import type { CdktfRunner, CliContext, CliOutput, RegisterSubcommand } from "./commands/context";
import { registerDeploy } from "./commands/deploy";
import { registerDestroy } from "./commands/destroy";
import { registerDiff } from "./commands/diff";
import { registerEtcd } from "./commands/etcd";
import { registerKubeconfig } from "./commands/kubeconfig";
import { registerLocal } from "./commands/local";
import { registerRoll } from "./commands/roll";
import { registerStacks } from "./commands/stacks";
import { registerState } from "./commands/state";
import { registerSynth } from "./commands/synth";
import { registerTunnel } from "./commands/tunnel";
import { registerUnlock } from "./commands/unlock";
import { registerValidate } from "./commands/validate";

/** Every subcommand, in the order `kubeplane --help` lists them. */
export const SUBCOMMANDS: readonly RegisterSubcommand[] = [
  registerSynth,
  registerDiff,
  registerDeploy,
  registerDestroy,
  registerRoll,
  registerAudit,
  registerState,
  registerStacks,
  registerUnlock,
  registerLocal,
  registerKubeconfig,
  registerTunnel,
  registerValidate,
  registerEtcd,
  registerBootstrap,
];

const SELECTION_HELP = `
Every command acts on the clusters KUBEPLANE_CLUSTERS selects (a definition file, a directory, or
a comma-separated list of either; default clusters/), with local state under KUBEPLANE_STATE_DIR
(default state/) and synthesized stacks under CDKTF_OUTDIR (default cdktf.out/).

Examples:
  $ kubeplane synth
  $ kubeplane deploy 'dev-*' --auto-approve
  $ kubeplane audit
  $ kubeplane stacks --json
  $ kubeplane <command> --help
`;

/** The program with `subcommands`, writing to `cli`'s streams; it never exits the process. */
export function kubeplaneProgram(cli: CliContext, subcommands: readonly RegisterSubcommand[] = SUBCOMMANDS): Command {
  const program = new Command("kubeplane")
    .description("Self-managed Kubernetes clusters on AWS from one YAML definition per cluster (CDK for Terraform).")
    .version(packageVersion(), "-V, --version")
    .enablePositionalOptions()
    .showHelpAfterError("(kubeplane --help lists the commands; kubeplane <command> --help shows one)")
    .addHelpText("after", SELECTION_HELP);
  const output = {
    writeOut: (s: string) => cli.stdout.write(s),
    writeErr: (s: string) => cli.stderr.write(s),
    // commander's "error: <message>" becomes kubeplane's "kubeplane: <message>".
    outputError: (s: string, write: (s: string) => void) => write(s.replace(/^error: /, "kubeplane: ")),
  };
  program.configureOutput(output).exitOverride();
  for (const register of subcommands) register(program, cli);
  for (const command of program.commands) command.configureOutput(output).exitOverride();
  return program;
}

function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../package.json") as { version: string }).version;
}

/** Options of runKubeplane, for tests. */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: CliOutput;
  readonly stderr?: CliOutput;
  readonly now?: () => number;
  readonly subcommands?: readonly RegisterSubcommand[];
  /** Stands in for cdktf (tests). */
  readonly runCdktf?: CdktfRunner;
  /** Stands in for the cloud's tagged resources (tests). */
  readonly clusterResourcesFor?: CliContext["clusterResourcesFor"];
}

/**
 * Runs `kubeplane <argv>` in-process and resolves to the exit code. Never rejects: an error is
 * `kubeplane: <message>` on stderr and 1; `--help` and `--version` are 0.
 */
export async function runKubeplane(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const cli: CliContext = {
    env: options.env ?? process.env,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    now: options.now ?? Date.now,
    runCdktf: options.runCdktf,
    clusterResourcesFor: options.clusterResourcesFor,
    exitCode: 0,
  };
  try {
    const program = kubeplaneProgram(cli, options.subcommands);
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 1;
    }
    await program.parseAsync([...argv], { from: "user" });
    return cli.exitCode;
  } catch (e) {
    // commander has printed its own errors (and help) already; its exit code says how it ended.
    if (e instanceof CommanderError) return e.exitCode;
    cli.stderr.write(`kubeplane: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** The process entry (bin/kubeplane and the cli/<command>.ts aliases): sets the exit code. */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runKubeplane(argv).then((code) => (process.exitCode = code));
}

if (require.main === module) main();
