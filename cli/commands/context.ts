/**
 * What every kubeplane subcommand's wiring gets: the environment, the output streams, the clock,
 * and the exit code to set. Injected, so that tests run the commands in-process.
 */
import type { Command } from "commander";
import type { CdktfRunOptions, CdktfSubcommand } from "../cdktf-command";
import type { ClusterDefinition } from "../../definition";
import type { ClusterResources } from "../../providers/cluster-resources";

/** cdktf-command.ts's runCdktf, or a test's stand-in. */
export type CdktfRunner = (subcommand: CdktfSubcommand, args: readonly string[], options?: CdktfRunOptions) => Promise<number>;

/** An output stream (process.stdout / process.stderr, or a test's collector). */
export interface CliOutput {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The run of one kubeplane command line. */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Milliseconds (Date.now), for progress. */
  readonly now: () => number;
  /**
   * Runs cdktf (tests stand in for it).
   * @default cdktf-command.ts's runCdktf
   */
  readonly runCdktf?: CdktfRunner;
  /**
   * A cluster's tagged resources in its cloud, for deploy's look for a kept backup store (tests
   * stand in for the cloud).
   * @default cloud-registry.ts's clusterResourcesFor
   */
  readonly clusterResourcesFor?: (definition: ClusterDefinition) => ClusterResources;
  /** The exit code the run ends with; actions set it (default 0). */
  exitCode: number;
}

/**
 * Adds one subcommand to the program: `program.command(name)`, its arguments, options, help
 * with examples (`addHelpText("after", ...)`) and an async action that sets `cli.exitCode`.
 * The action loads the command's logic with `await import(...)`, so that `kubeplane --help` and
 * the other subcommands do not load cdktf or the AWS SDK.
 */
export type RegisterSubcommand = (program: Command, cli: CliContext) => void;

/** Help text after a command's options: its examples, one per line, then notes. */
export function examples(lines: readonly string[], notes: readonly string[] = []): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n${notes.length > 0 ? `\n${notes.join("\n")}\n` : ""}`;
}
