/**
 * `npm run test:unit` as a developer runs it, measured as a whole process tree (npm, Jest and
 * its workers). Its summary line ("Tests: … passed, … total") is kept for the report.
 */
import { CommandMeasurement, measureCommand } from "./command-measurement";

export const UNIT_TEST_COMMAND = "npm run test:unit";

export interface UnitTestRun {
  measurement: CommandMeasurement;
  /** Jest's "Tests:" summary, or undefined if it printed none. */
  summary?: string;
}

export async function measureUnitTests(projectDir: string): Promise<UnitTestRun> {
  const env = { ...process.env, CI: "true", FORCE_COLOR: "0" };
  const measurement = await measureCommand(UNIT_TEST_COMMAND, { cwd: projectDir, env, timeoutSeconds: 1800 });
  const summary = /^Tests:\s+(.*)$/m.exec(measurement.outputTail)?.[1]?.trim();
  return { measurement, summary };
}
