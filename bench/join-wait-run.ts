/**
 * The join-wait figures: bench/join-wait.ts (written by the bootstrap side) prints its own;
 * this runs it, when it exists, and hands back what it printed.
 */
import { existsSync } from "fs";
import * as path from "path";
import { CommandMeasurement, measureCommand } from "./command-measurement";

export const JOIN_WAIT_SCRIPT = "bench/join-wait.ts";

/** Runs the join-wait benchmark, or returns undefined if there is none. */
export async function runJoinWait(projectDir: string): Promise<CommandMeasurement | undefined> {
  if (!existsSync(path.join(projectDir, JOIN_WAIT_SCRIPT))) return undefined;
  return measureCommand(`node -r @swc-node/register ${JOIN_WAIT_SCRIPT}`, {
    cwd: projectDir,
    env: process.env,
    captureStdout: true,
    timeoutSeconds: 1200,
  });
}
