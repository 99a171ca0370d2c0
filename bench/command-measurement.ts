/**
 * Runs one shell command (as `cdktf synth` runs an app: `/bin/sh -c`) and measures it: wall
 * time, CPU time of the whole tree, peak memory of the whole tree and of its largest process.
 *
 * CPU time and the largest process's peak come from GNU time (`/usr/bin/time`, Debian package
 * `time`) when it is installed: exact figures from the kernel for every process that was waited
 * for. Without it, the largest process's peak comes from sampling /proc and CPU time is not
 * reported. The tree's peak always comes from sampling /proc (see process-tree-memory.ts).
 */
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { canSampleProcessTree, ProcessTreeMemorySampler } from "./process-tree-memory";

const GNU_TIME = "/usr/bin/time";

/** One run of a command. Memory in kibibytes, times in seconds. */
export interface CommandMeasurement {
  command: string;
  exitCode: number;
  wallSeconds: number;
  /** User + system CPU of the tree; undefined without GNU time. */
  cpuSeconds?: number;
  /** Peak RSS of the largest single process; undefined if it could not be measured. */
  largestProcessKb?: number;
  /** Peak of the summed RSS of the tree; undefined without /proc. */
  treeKb?: number;
  /** The end of what the command wrote (both streams), for reporting a failure. */
  outputTail: string;
  /** Everything the command wrote to stdout, when `captureStdout` was asked for. */
  stdout: string;
}

export interface CommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Keep the whole of stdout (otherwise only a tail is kept). */
  captureStdout?: boolean;
  /** Kill the command after this long; it then counts as failed. */
  timeoutSeconds?: number;
}

/** Whether GNU time is installed (it gives exact CPU time and peak RSS). */
export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

const TAIL_CHARS = 4000;

/** Runs `command` once and measures it. Never throws for a failing command: see `exitCode`. */
export async function measureCommand(command: string, options: CommandOptions): Promise<CommandMeasurement> {
  const scratch = mkdtempSync(path.join(tmpdir(), "kubeplane-bench-time-"));
  const timeFile = path.join(scratch, "time");
  const useGnuTime = hasGnuTime();
  const [file, args] = useGnuTime
    ? [GNU_TIME, ["-f", "%U %S %M", "-o", timeFile, "/bin/sh", "-c", command]]
    : ["/bin/sh", ["-c", command]];
  try {
    const started = performance.now();
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const sampler = canSampleProcessTree() && child.pid !== undefined ? new ProcessTreeMemorySampler(child.pid) : undefined;
    let tail = "";
    let stdout = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_CHARS);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      keep(chunk);
      if (options.captureStdout) stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", keep);
    const timeout =
      options.timeoutSeconds === undefined
        ? undefined
        : setTimeout(() => {
            tail += `\n[bench] killed after ${options.timeoutSeconds} s`;
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          }, options.timeoutSeconds * 1000);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (timeout) clearTimeout(timeout);
    const peaks = sampler?.stop();
    const measured: CommandMeasurement = {
      command,
      exitCode,
      wallSeconds,
      treeKb: peaks?.treeKb,
      largestProcessKb: peaks?.largestProcessKb,
      outputTail: tail,
      stdout,
    };
    if (useGnuTime && existsSync(timeFile)) {
      // GNU time writes "Command exited with non-zero status N" above the figures on failure.
      const figures = readFileSync(timeFile, "utf8").trim().split("\n").pop() ?? "";
      const [user, system, maxRssKb] = figures.split(" ").map(Number);
      if ([user, system, maxRssKb].every(Number.isFinite)) {
        measured.cpuSeconds = user + system;
        measured.largestProcessKb = Math.max(maxRssKb, measured.largestProcessKb ?? 0);
      }
    }
    return measured;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
