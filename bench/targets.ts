/**
 * The performance targets of kubeplane (issue "Fast by design") and how a set of measurements
 * meets them. A missed target is reported, not raised: the benchmark is not a test.
 */
import type { CommandMeasurement } from "./command-measurement";
import { median } from "./median";
import type { ScenarioResult } from "./synth-scenarios";

/** Limits, as stated in the issue. */
export const TARGETS = {
  /** The app over the example clusters, against the template's ts-node app. */
  examplesVsBaseline: 0.5,
  /** The 15-cluster fleet against the examples. */
  fleetVsExamples: 3,
  fleetSize: 15,
  unitWallSeconds: 60,
  /** 2 GB, in KiB. */
  unitTreeKb: 2e9 / 1024,
  /**
   * How much dearer one more cluster may be from 15 to the largest fleet than from 1 to 15
   * before the growth counts as faster than linear (the figures are medians on a shared machine).
   */
  marginalCostGrowth: 1.5,
} as const;

export type Verdict = "PASS" | "FAIL" | "n/a";

export interface TargetResult {
  target: string;
  measured: string;
  limit: string;
  verdict: Verdict;
}

const seconds = (s: number) => `${s.toFixed(2)} s`;
const mib = (kb: number) => `${Math.round(kb / 1024)} MiB`;

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? "n/a" : ok ? "PASS" : "FAIL";
}

/** Seconds per extra cluster between two fleet sizes, by wall time or CPU time. */
export function marginalSeconds(from: ScenarioResult, to: ScenarioResult, by: "wall" | "cpu"): number | undefined {
  const pick = (r: ScenarioResult) => (by === "wall" ? r.wallSeconds : r.cpuSeconds);
  const a = pick(from);
  const b = pick(to);
  const n = (to.scenario.clusterCount ?? 0) - (from.scenario.clusterCount ?? 0);
  return a === undefined || b === undefined || n <= 0 ? undefined : (b - a) / n;
}

export function evaluateTargets(synth: ScenarioResult[], unit: CommandMeasurement[]): TargetResult[] {
  const byId = new Map(synth.map((r) => [r.scenario.id, r]));
  const baseline = byId.get("baseline");
  const baselineNoNpx = byId.get("baseline-no-npx");
  const examples = byId.get("examples");
  const fleets = synth.filter((r) => r.scenario.id.startsWith("fleet-"));
  const fleet15 = fleets.find((r) => r.scenario.clusterCount === TARGETS.fleetSize);
  const results: TargetResult[] = [];

  if (baseline && examples) {
    const ratio = examples.wallSeconds / baseline.wallSeconds;
    const cpu =
      examples.cpuSeconds !== undefined && baseline.cpuSeconds !== undefined
        ? `; CPU ${(examples.cpuSeconds / baseline.cpuSeconds).toFixed(2)}×`
        : "";
    const noNpx = baselineNoNpx ? `; without npx ${(examples.wallSeconds / baselineNoNpx.wallSeconds).toFixed(2)}×` : "";
    results.push({
      target: "app synth of the examples vs the cdktf template baseline (ts-node, one VPC)",
      measured: `${ratio.toFixed(2)}× (${seconds(examples.wallSeconds)} / ${seconds(baseline.wallSeconds)}${cpu}${noNpx})`,
      limit: `≤ ${TARGETS.examplesVsBaseline}×`,
      verdict: verdict(ratio <= TARGETS.examplesVsBaseline),
    });
  }
  if (fleet15 && examples) {
    const ratio = fleet15.wallSeconds / examples.wallSeconds;
    results.push({
      target: `app synth of a ${TARGETS.fleetSize}-cluster fleet vs the examples`,
      measured: `${ratio.toFixed(2)}× (${seconds(fleet15.wallSeconds)} / ${seconds(examples.wallSeconds)})`,
      limit: `≤ ${TARGETS.fleetVsExamples}×`,
      verdict: verdict(ratio <= TARGETS.fleetVsExamples),
    });
  }
  if (fleets.length >= 3) {
    const [smallest, middle, largest] = [fleets[0], fleets[Math.floor(fleets.length / 2)], fleets[fleets.length - 1]];
    const by = smallest.cpuSeconds !== undefined ? "cpu" : "wall";
    const early = marginalSeconds(smallest, middle, by);
    const late = marginalSeconds(middle, largest, by);
    const growth = early !== undefined && late !== undefined && early > 0 ? late / early : undefined;
    results.push({
      target: `growth ${smallest.scenario.clusterCount} → ${middle.scenario.clusterCount} → ${largest.scenario.clusterCount} clusters is linear (${by} s per extra cluster, later / earlier)`,
      measured:
        growth === undefined
          ? "n/a"
          : `${growth.toFixed(2)} (${(late as number).toFixed(3)} / ${(early as number).toFixed(3)} s per cluster)`,
      limit: `≤ ${TARGETS.marginalCostGrowth}`,
      verdict: verdict(growth === undefined ? undefined : growth <= TARGETS.marginalCostGrowth),
    });
  }
  if (unit.length > 0) {
    const failures = unit.filter((m) => m.exitCode !== 0).length;
    const wall = median(unit.map((m) => m.wallSeconds));
    const trees = unit.map((m) => m.treeKb).filter((v): v is number => v !== undefined);
    const tree = trees.length > 0 ? Math.max(...trees) : undefined;
    results.push({
      target: "npm run test:unit passes",
      measured: failures === 0 ? "passed" : `failed ${failures} of ${unit.length} runs`,
      limit: "exit 0",
      verdict: verdict(failures === 0),
    });
    results.push({
      target: "npm run test:unit wall time",
      measured: seconds(wall),
      limit: `≤ ${TARGETS.unitWallSeconds} s`,
      verdict: verdict(wall <= TARGETS.unitWallSeconds),
    });
    results.push({
      target: "npm run test:unit peak memory, whole process tree",
      measured: tree === undefined ? "n/a" : mib(tree),
      limit: `≤ ${mib(TARGETS.unitTreeKb)} (2 GB)`,
      verdict: verdict(tree === undefined ? undefined : tree <= TARGETS.unitTreeKb),
    });
  }
  return results;
}
