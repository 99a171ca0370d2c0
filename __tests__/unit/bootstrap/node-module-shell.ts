/**
 * Runs bash with node-side modules sourced from the source tree, in a scratch root laid out as on
 * a node (KUBEPLANE_ROOT/usr/local/lib/kubeplane is the source directory), so that a unit test can
 * call one module function with a fake environment.
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, symlinkSync } from "fs";
import * as os from "os";
import * as path from "path";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";

export interface ShellRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch node root whose library is the source directory. */
export function scratchRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "kubeplane-module-"));
  mkdirSync(path.join(root, "usr/local/lib"), { recursive: true });
  symlinkSync(NODE_SOURCE_DIR, path.join(root, "usr/local/lib/kubeplane"));
  return root;
}

/** Sources common.sh and `modules` (paths under bootstrap/node), then runs `script`, in strict mode. */
export function runWithModules(modules: readonly string[], script: string, env: Record<string, string>, root = scratchRoot()): ShellRun {
  const sources = ["common.sh", ...modules].map((m) => `. "$KUBEPLANE_ROOT/usr/local/lib/kubeplane/${m}"`).join("\n");
  const result = spawnSync("bash", ["-c", `set -euo pipefail\n${sources}\n${script}`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", KUBEPLANE_ROOT: root, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
