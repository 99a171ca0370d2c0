/**
 * Terraform's own error text for `deploy`, `diff` and `destroy`, whatever cdktf printed.
 *
 * Why cdktf loses it (cdktf-cli 0.21.0 with @cdktf/cli-core 0.21.0, read in node_modules): `cdktf
 * deploy` and `cdktf destroy` run `terraform apply|destroy` in a pseudo-terminal
 * (cli-core src/lib/models/deploy-machine.js `terraformPtyService` → pty-process.js `spawnPty` →
 * @cdktf/node-pty-prebuilt-multiarch 0.10.2 lib/unixTerminal.js). When Terraform exits, node-pty's
 * `onexit` waits at most `DESTROY_SOCKET_TIMEOUT_MS` (200 ms) for the pty socket to be drained and
 * closed, then calls `socket.destroy()`, dropping whatever output it has not read yet; the state
 * machine then ends on `EXITED` and terraform-cli.js `handleService` throws `Invoking Terraform
 * CLI failed with exit code 1`, which is all cdktf prints. The output that is lost is the last
 * Terraform wrote: its errors. How much is lost depends on how busy the event loop is when
 * Terraform exits — cdktf re-renders its ink UI for every line, and with `CI` set ink writes each
 * line to stdout as it comes (ink's `is-ci` branch in `onRender`) — so a large plan on a loaded
 * machine loses it most often (3 runs of 4 here; `CDKTF_LOG_LEVEL=debug` shows the lines never
 * reached cdktf's log handler). deploy-machine.js `bufferUnterminatedLines` also drops a last
 * line without a newline. `cdktf diff` runs `terraform plan` through a child process instead
 * (@cdktf/commons `exec`), but prints through the same UI.
 *
 * So kubeplane does not depend on it: cdktf runs Terraform through terraform-recorder.sh, which
 * appends Terraform's stderr to a record per stack, and when cdktf exits non-zero kubeplane
 * prints, for each stack whose Terraform failed, the error text Terraform wrote.
 */
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";

/** The Terraform wrapper cdktf runs (TERRAFORM_BINARY_NAME) so that Terraform's stderr is recorded. */
export const TERRAFORM_RECORDER = path.join(__dirname, "terraform-recorder.sh");

const START = "##kubeplane:start## ";
const EXIT = "##kubeplane:exit## ";

/** One Terraform run the recorder saw. */
export interface TerraformInvocation {
  /** The stack (the name of the directory Terraform ran in). */
  readonly stack: string;
  /** Terraform's arguments, e.g. `apply -auto-approve`. */
  readonly args: string;
  /** What Terraform wrote to stderr, without terminal control sequences. */
  readonly stderr: string;
  /** Its exit code; undefined when the run ended without one (killed, or still running). */
  readonly exitCode?: number;
  /** The recorder's process id (alive while Terraform runs). */
  readonly pid?: number;
}

/**
 * The environment for cdktf that runs Terraform through the recorder into `recordDirectory`,
 * keeping the user's own `TERRAFORM_BINARY_NAME` (or `terraform`) as the binary it runs.
 */
export function recordingEnvironment(env: NodeJS.ProcessEnv, recordDirectory: string): NodeJS.ProcessEnv {
  return {
    ...env,
    KUBEPLANE_TERRAFORM_BINARY: env.KUBEPLANE_TERRAFORM_BINARY ?? env.TERRAFORM_BINARY_NAME ?? "terraform",
    KUBEPLANE_TERRAFORM_RECORD: recordDirectory,
    TERRAFORM_BINARY_NAME: TERRAFORM_RECORDER,
  };
}

/** Removes terminal control sequences (Terraform's colours). */
export function withoutControlSequences(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** The Terraform runs in one stack's record, in the order they ran. */
export function parseRecord(stack: string, text: string): TerraformInvocation[] {
  const invocations: TerraformInvocation[] = [];
  let current: { args: string; pid?: number; lines: string[] } | undefined;
  const close = (exitCode?: number) => {
    if (!current) return;
    const stderr = withoutControlSequences(current.lines.join("\n")).replace(/^\n+|\s+$/g, "");
    invocations.push({ stack, args: current.args, stderr, ...(exitCode === undefined ? {} : { exitCode }), ...(current.pid ? { pid: current.pid } : {}) });
    current = undefined;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith(START)) {
      close();
      const [, pid, args] = /^(\d+) ?(.*)$/.exec(line.slice(START.length)) ?? [undefined, undefined, line.slice(START.length)];
      current = { args: args ?? "", ...(pid ? { pid: Number(pid) } : {}), lines: [] };
    } else if (line.startsWith(EXIT) && current) {
      close(Number(line.slice(EXIT.length)));
    } else if (current) {
      current.lines.push(line);
    }
  }
  close();
  return invocations;
}

/** Every Terraform run recorded in `recordDirectory`, stacks in name order. */
export function readRecords(recordDirectory: string): TerraformInvocation[] {
  if (!existsSync(recordDirectory)) return [];
  return readdirSync(recordDirectory)
    .filter((f) => f.endsWith(".stderr"))
    .sort()
    .flatMap((f) => parseRecord(f.slice(0, -".stderr".length), readFileSync(path.join(recordDirectory, f), "utf8")));
}

/** Whether process `pid` exists (signal 0 tests without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The runs still going: no exit line yet, and the recorder's process alive. */
export function runningInvocations(invocations: readonly TerraformInvocation[], alive: (pid: number) => boolean = processAlive): TerraformInvocation[] {
  return invocations.filter((i) => i.exitCode === undefined && i.pid !== undefined && alive(i.pid));
}

/** The runs that failed: a non-zero exit code, or none at all. */
export function failedInvocations(invocations: readonly TerraformInvocation[]): TerraformInvocation[] {
  return invocations.filter((i) => i.exitCode !== 0);
}

/** The Terraform subcommand of a run (`apply`, `plan`, `init`, ...). */
export function terraformSubcommand(args: string): string {
  return args.split(/\s+/).find((a) => a !== "" && !a.startsWith("-")) ?? "terraform";
}

/**
 * The error report for failed runs: per run, a line naming the stack and what failed, then
 * Terraform's stderr indented by two spaces.
 */
export function renderFailures(command: string, failed: readonly TerraformInvocation[]): string[] {
  const lines: string[] = [];
  for (const run of failed) {
    const how = run.exitCode === undefined ? "ended without an exit code" : `failed (exit ${run.exitCode})`;
    const what = run.stderr ? "; Terraform said:" : ", and wrote nothing to stderr";
    lines.push(`kubeplane ${command}: ${run.stack}: terraform ${terraformSubcommand(run.args)} ${how}${what}`);
    for (const line of run.stderr.split("\n")) if (run.stderr) lines.push(`  ${line}`.trimEnd());
  }
  return lines;
}
