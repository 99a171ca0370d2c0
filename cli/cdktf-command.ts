/**
 * Runs the project's pinned cdktf CLI (`node_modules/.bin/cdktf`) the way every kubeplane command
 * does: from the project root, with kubeplane's Terraform environment, into the output directory
 * `CDKTF_OUTDIR` names (if set and no `--output` is given), and — where providers come from
 * kubeplane's mirror config, i.e. offline — with `--skip-provider-lock`, since
 * `terraform providers lock` asks the registry. With the registry and no mirror nothing is added.
 */
import { spawn, StdioOptions } from "child_process";
import * as path from "path";
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
}

/**
 * Runs `cdktf <subcommand> <args>` and resolves to its exit code (1 if killed by a signal).
 * Rejects when cdktf cannot be started (e.g. `node_modules/.bin/cdktf` missing: run npm install).
 */
export async function runCdktf(subcommand: CdktfSubcommand, args: readonly string[], options: CdktfRunOptions = {}): Promise<number> {
  const env = terraformEnvironment(options.env ?? process.env);
  const child = spawn(CDKTF_BIN, cdktfArguments(subcommand, args, env), {
    cwd: PROJECT_ROOT,
    env,
    stdio: options.stdio ?? "inherit",
  });
  if (options.onOutput) {
    child.stdout?.on("data", options.onOutput);
    child.stderr?.on("data", options.onOutput);
  }
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? 1));
  });
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
