/**
 * The synth scenarios and how they are run: the baseline (the cdktf template's app, in
 * bench/baseline), kubeplane's app over the example clusters, and over synthetic fleets. Runs
 * are interleaved — one of each scenario per round — so that other work on the machine, which
 * comes and goes, weighs on every scenario alike; the median of the rounds is reported.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "fs";
import * as path from "path";
import { CommandMeasurement, measureCommand } from "./command-measurement";
import { median } from "./median";
import { SynthApp, synthEnvironment } from "./synth-app";

export const CLUSTERS_ENV = "KUBEPLANE_CLUSTERS";

export interface SynthScenario {
  id: string;
  description: string;
  app: SynthApp;
  /** KUBEPLANE_CLUSTERS, or undefined for the app's default (and unset in the environment). */
  clusters?: string;
  /** How many clusters it synthesizes (undefined for the baseline). */
  clusterCount?: number;
  /**
   * Stacks a correct synth writes per cluster or, for the baseline, in all. Checked so that a
   * synth that silently wrote nothing is not timed as a fast one.
   */
  stacksPerCluster: number;
}

export interface ScenarioResult {
  scenario: SynthScenario;
  runs: CommandMeasurement[];
  wallSeconds: number;
  cpuSeconds?: number;
  largestProcessKb?: number;
  treeKb?: number;
}

/** Raised when a synth fails or writes the wrong stacks: the figures would mean nothing. */
export class SynthFailure extends Error {}

function stacksWritten(outdir: string): number {
  const manifest = path.join(outdir, "manifest.json");
  if (!existsSync(manifest)) return 0;
  const stacks = (JSON.parse(readFileSync(manifest, "utf8")) as { stacks?: Record<string, unknown> }).stacks ?? {};
  return Object.keys(stacks).filter((name) => existsSync(path.join(outdir, "stacks", name))).length;
}

/** One run. The output directory is kept between runs, as cdktf.out is between syntheses. */
async function runOnce(scenario: SynthScenario, outdir: string): Promise<CommandMeasurement> {
  mkdirSync(outdir, { recursive: true });
  const env =
    scenario.clusters === undefined
      ? synthEnvironment(outdir, {}, [CLUSTERS_ENV])
      : synthEnvironment(outdir, { [CLUSTERS_ENV]: scenario.clusters });
  const measured = await measureCommand(scenario.app.command, { cwd: scenario.app.projectDir, env, timeoutSeconds: 600 });
  if (measured.exitCode !== 0) {
    throw new SynthFailure(`${scenario.id}: "${scenario.app.command}" exited with ${measured.exitCode}:\n${measured.outputTail}`);
  }
  const expected = scenario.stacksPerCluster * (scenario.clusterCount ?? 1);
  const written = stacksWritten(outdir);
  if (written !== expected) {
    throw new SynthFailure(`${scenario.id}: expected ${expected} synthesized stacks in ${outdir}, found ${written}`);
  }
  return measured;
}

function medianOf(runs: CommandMeasurement[], pick: (m: CommandMeasurement) => number | undefined): number | undefined {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length === runs.length ? median(values) : undefined;
}

/**
 * Runs every scenario `warmup` times unmeasured, then `runs` measured rounds, writing into
 * subdirectories of `scratch`. `progress` is told about each run.
 */
export async function measureScenarios(
  scenarios: SynthScenario[],
  options: { runs: number; warmup: number; scratch: string },
  progress: (line: string) => void = () => {},
): Promise<ScenarioResult[]> {
  const outdir = (s: SynthScenario) => path.join(options.scratch, "out", s.id);
  for (let round = 0; round < options.warmup; round++) {
    for (const scenario of scenarios) {
      const m = await runOnce(scenario, outdir(scenario));
      progress(`warm-up ${round + 1}/${options.warmup} ${scenario.id}: ${m.wallSeconds.toFixed(2)} s`);
    }
  }
  const runs = new Map(scenarios.map((s) => [s.id, [] as CommandMeasurement[]]));
  for (let round = 0; round < options.runs; round++) {
    for (const scenario of scenarios) {
      const m = await runOnce(scenario, outdir(scenario));
      runs.get(scenario.id)?.push(m);
      progress(`run ${round + 1}/${options.runs} ${scenario.id}: ${m.wallSeconds.toFixed(2)} s`);
    }
  }
  rmSync(path.join(options.scratch, "out"), { recursive: true, force: true });
  return scenarios.map((scenario) => {
    const measured = runs.get(scenario.id) ?? [];
    return {
      scenario,
      runs: measured,
      wallSeconds: median(measured.map((m) => m.wallSeconds)),
      cpuSeconds: medianOf(measured, (m) => m.cpuSeconds),
      largestProcessKb: medianOf(measured, (m) => m.largestProcessKb),
      treeKb: medianOf(measured, (m) => m.treeKb),
    };
  });
}

/** The number of definition files the app reads by default (`clusters/*.yaml`). */
export function exampleClusterCount(projectDir: string): number {
  return readdirSync(path.join(projectDir, "clusters")).filter((f) => /\.ya?ml$/.test(f)).length;
}
