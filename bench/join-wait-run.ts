/**
 * The join-wait figures: bench/join-wait.ts prints its own (for each join-lease backend); this
 * runs it and hands back what it printed.
 */
import { CommandMeasurement, measureCommand } from "./command-measurement";

export const JOIN_WAIT_SCRIPT = "bench/join-wait.ts";

/** Runs the join-wait benchmark `runs` times (it takes the count as its argument). */
export async function runJoinWait(projectDir: string, runs: number): Promise<CommandMeasurement> {
  return measureCommand(`node -r @swc-node/register ${JOIN_WAIT_SCRIPT} ${runs}`, {
    cwd: projectDir,
    env: process.env,
    captureStdout: true,
    timeoutSeconds: 1200,
  });
}
