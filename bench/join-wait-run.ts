/**
 * The join-wait figures: bench/join-wait.ts (written by the bootstrap side) prints its own;
 * this runs it, when it exists, and hands back what it printed.
 */
import { existsSync } from "fs";
import * as path from "path";
import { CommandMeasurement, measureCommand } from "./command-measurement";

export const JOIN_WAIT_SCRIPT = "bench/join-wait.ts";

/** Whether the join-wait benchmark exists yet. */
export function hasJoinWait(projectDir: string): boolean {
  return existsSync(path.join(projectDir, JOIN_WAIT_SCRIPT));
}

/** Runs the join-wait benchmark `runs` times (it takes the count as its argument). */
export async function runJoinWait(projectDir: string, runs: number): Promise<CommandMeasurement> {
  return measureCommand(`node -r @swc-node/register ${JOIN_WAIT_SCRIPT} ${runs}`, {
    cwd: projectDir,
    env: process.env,
    captureStdout: true,
    timeoutSeconds: 1200,
  });
}
