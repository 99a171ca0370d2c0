/**
 * A kubeplane checkout as a user drives it, pointed at an emulator: runs the real npm scripts
 * (`npm run deploy|diff|audit|state|destroy`) with the clusters it selects, local state in a
 * temporary directory and synthesized stacks in a temporary output directory, so tests never
 * touch the developer's `state/` or `cdktf.out/`.
 */
import { spawn } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

/** How a command ended and what it printed. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Removes terminal control sequences (cdktf's progress UI) from captured output. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** A workspace: emulator environment, cluster selection, temporary state and output. */
export class KubeplaneWorkspace {
  readonly directory: string;
  readonly stateDirectory: string;
  readonly outputDirectory: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(emulatorEnv: NodeJS.ProcessEnv, clusters: string) {
    this.directory = mkdtempSync(path.join(os.tmpdir(), "kubeplane-deploy-"));
    this.stateDirectory = path.join(this.directory, "state");
    this.outputDirectory = path.join(this.directory, "cdktf.out");
    this.env = {
      ...emulatorEnv,
      KUBEPLANE_CLUSTERS: clusters,
      KUBEPLANE_STATE_DIR: this.stateDirectory,
      CDKTF_OUTDIR: this.outputDirectory,
      FORCE_COLOR: "0",
      CI: "1",
    };
  }

  /** Runs `npm run <script> -- <args>` from the project root. */
  run(script: string, args: readonly string[] = []): Promise<CommandResult> {
    const started = Date.now();
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: PROJECT_ROOT,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) =>
        resolve({ code: code ?? 1, stdout: plainText(stdout), stderr: plainText(stderr), seconds: (Date.now() - started) / 1000 }),
      );
    });
  }

  /** Removes the temporary directories. */
  dispose(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A failure message that shows what a command printed. */
export function describeResult(name: string, result: CommandResult): string {
  const tail = (s: string) => s.split("\n").slice(-60).join("\n");
  return `${name} exited ${result.code} after ${result.seconds.toFixed(1)} s\n--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`;
}
