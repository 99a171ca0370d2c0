/**
 * A kubeplane command interrupted while it works, as a terminal or a CI runner does it: started
 * in a process group of its own, watched until its output shows it is mid-apply, then either
 * sent SIGINT to the whole group (Ctrl-C in a terminal) or SIGKILLed with every process under it
 * (a cancelled runner: nothing gets to clean up, not even Terraform in cdktf's pseudo-terminal,
 * which is a session of its own and so outside the group).
 */
import { execFileSync, spawn } from "child_process";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";
import { CommandResult, KubeplaneWorkspace, plainText } from "./kubeplane-workspace";

/** How the run is interrupted. */
export type Interruption = "SIGINT to the process group" | "SIGKILL of the process tree";

/** Every process below `root` (children, their children, ...), from one `ps` listing. */
export function descendants(root: number): number[] {
  const listing = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of listing.trim().split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/**
 * Runs `npm run <script> -- <args>` in `workspace`, interrupts it `how` as soon as its output
 * matches `when`, and resolves once every process of it has ended. Rejects if the output never
 * matches before the command ends (the test's premise failed).
 */
export function interruptedRun(workspace: KubeplaneWorkspace, script: string, args: readonly string[], when: RegExp, how: Interruption): Promise<CommandResult & { interrupted: boolean }> {
  const started = Date.now();
  const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
    cwd: PROJECT_ROOT,
    env: workspace.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  const interrupt = () => {
    if (interrupted || child.pid === undefined) return;
    if (!when.test(plainText(stdout))) return;
    interrupted = true;
    if (how === "SIGINT to the process group") {
      process.kill(-child.pid, "SIGINT");
    } else {
      for (const pid of [child.pid, ...descendants(child.pid)]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  };
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    interrupt();
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const result = { code: code ?? (signal ? 128 : 1), stdout: plainText(stdout), stderr: plainText(stderr), seconds: (Date.now() - started) / 1000, interrupted };
      if (!interrupted) reject(new Error(`${script} ended (exit ${code}) before its output matched ${when}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`));
      else resolve(result);
    });
  });
}
