/**
 * `npm run bench`: measures kubeplane's synth and unit tests against the targets of the issue
 * "Fast by design" and prints the figures as Markdown (see BENCHMARKS.md for the latest).
 *
 * - The baseline: the app of the `cdktf init --template=typescript` project (bench/baseline:
 *   ts-node, one VPC, deep imports), by the app command of its cdktf.json.
 * - kubeplane's app, by the app command of cdktf.json, over the example clusters (clusters/)
 *   and over synthetic fleets of clusters like clusters/dev.yaml (1, 15 and 60 by default).
 * - `npm run test:unit`, wall time and peak memory of the whole process tree.
 * - bench/join-wait.ts, if it exists, which prints its own figures.
 *
 * Synth runs are interleaved and the median is reported. Exits non-zero only when something
 * could not be measured (a synth failed, a bad option); a missed target is printed as FAIL.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { BENCH_USAGE, parseBenchOptions } from "./bench-options";
import { CommandMeasurement, hasGnuTime } from "./command-measurement";
import { writeFleet } from "./fleet";
import { JOIN_WAIT_SCRIPT, runJoinWait } from "./join-wait-run";
import { describeMachine, Machine } from "./machine";
import { markdownTable } from "./markdown-table";
import { exampleClusterCount, measureScenarios, ScenarioResult, SynthFailure, SynthScenario } from "./synth-scenarios";
import { readSynthApp } from "./synth-app";
import { evaluateTargets, marginalSeconds } from "./targets";
import { measureUnitTests, UNIT_TEST_COMMAND, UnitTestRun } from "./unit-test-run";

const PROJECT_DIR = path.resolve(__dirname, "..");
const BASELINE_DIR = path.join(__dirname, "baseline");
const FLEET_TEMPLATE = path.join(PROJECT_DIR, "clusters", "dev.yaml");
/** kubeplane writes a network and a cluster stack per cluster; the baseline one stack. */
const STACKS_PER_CLUSTER = 2;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const mib = (kb: number | undefined) => (kb === undefined ? "n/a" : `${Math.round(kb / 1024)}`);
const secs = (s: number | undefined, digits = 2) => (s === undefined ? "n/a" : s.toFixed(digits));

function scenarios(scratch: string, fleetSizes: number[]): SynthScenario[] {
  const app = readSynthApp(PROJECT_DIR);
  const list: SynthScenario[] = [
    {
      id: "baseline",
      description: "cdktf template app (ts-node, one VPC)",
      app: readSynthApp(BASELINE_DIR),
      stacksPerCluster: 1,
    },
    {
      // The same app without npx in front: the stricter comparison, shown for information.
      id: "baseline-no-npx",
      description: "the same, as node -r ts-node/register main.ts",
      app: { projectDir: BASELINE_DIR, command: "node -r ts-node/register main.ts" },
      stacksPerCluster: 1,
    },
    {
      id: "examples",
      description: "kubeplane app, clusters/*.yaml",
      app,
      clusterCount: exampleClusterCount(PROJECT_DIR),
      stacksPerCluster: STACKS_PER_CLUSTER,
    },
  ];
  for (const size of fleetSizes) {
    const directory = path.join(scratch, `fleet-${size}`);
    writeFleet(directory, size, FLEET_TEMPLATE);
    list.push({
      id: `fleet-${size}`,
      description: `kubeplane app, ${size} × clusters/dev.yaml`,
      app,
      clusters: directory,
      clusterCount: size,
      stacksPerCluster: STACKS_PER_CLUSTER,
    });
  }
  return list;
}

function synthTable(results: ScenarioResult[]): string {
  const baseline = results.find((r) => r.scenario.id === "baseline");
  return markdownTable(
    ["scenario", "clusters", "median wall s", "min–max s", "× baseline", "median CPU s", "largest process MiB", "tree peak MiB"],
    results.map((r) => {
      const walls = r.runs.map((m) => m.wallSeconds);
      return [
        `${r.scenario.id}: ${r.scenario.description}`,
        r.scenario.clusterCount === undefined ? "—" : String(r.scenario.clusterCount),
        secs(r.wallSeconds),
        `${secs(Math.min(...walls))}–${secs(Math.max(...walls))}`,
        baseline ? `${(r.wallSeconds / baseline.wallSeconds).toFixed(2)}×` : "n/a",
        secs(r.cpuSeconds),
        mib(r.largestProcessKb),
        mib(r.treeKb),
      ];
    }),
  );
}

function scalingTable(results: ScenarioResult[]): string {
  const fleets = results.filter((r) => r.scenario.id.startsWith("fleet-"));
  const rows: string[][] = [];
  for (let i = 1; i < fleets.length; i++) {
    const [from, to] = [fleets[i - 1], fleets[i]];
    rows.push([
      `${from.scenario.clusterCount} → ${to.scenario.clusterCount}`,
      secs(marginalSeconds(from, to, "wall"), 3),
      secs(marginalSeconds(from, to, "cpu"), 3),
    ]);
  }
  return markdownTable(["clusters", "wall s per extra cluster", "CPU s per extra cluster"], rows);
}

function unitTable(runs: UnitTestRun[]): string {
  return markdownTable(
    ["command", "exit", "wall s", "CPU s", "largest process MiB", "tree peak MiB", "tests"],
    runs.map(({ measurement: m, summary }) => [
      UNIT_TEST_COMMAND,
      String(m.exitCode),
      secs(m.wallSeconds, 1),
      secs(m.cpuSeconds, 1),
      mib(m.largestProcessKb),
      mib(m.treeKb),
      summary ?? "no summary",
    ]),
  );
}

function machineLine(start: Machine, end: Machine): string {
  return (
    `Machine: ${start.cores} cores (${start.cpuModel}), ${start.memoryGiB.toFixed(1)} GiB, Node.js ${start.node}; ` +
    `1-min load average ${start.loadAverage.toFixed(2)} at start, ${end.loadAverage.toFixed(2)} at end. ` +
    `Memory by ${hasGnuTime() ? "GNU time (largest process) and " : ""}/proc sampling (tree).`
  );
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const start = describeMachine();
  const scratch = mkdtempSync(path.join(tmpdir(), "kubeplane-bench-"));
  const out: string[] = [];
  let failed = false;
  try {
    const list = scenarios(scratch, options.fleetSizes);
    log(`synth: ${list.length} scenarios, ${options.warmup} warm-up + ${options.runs} measured rounds`);
    const synth = await measureScenarios(list, { runs: options.runs, warmup: options.warmup, scratch }, log);

    const unit: UnitTestRun[] = [];
    for (let i = 0; i < options.unitRuns; i++) {
      log(`${UNIT_TEST_COMMAND} ${i + 1}/${options.unitRuns}`);
      const run = await measureUnitTests(PROJECT_DIR);
      log(`${UNIT_TEST_COMMAND}: exit ${run.measurement.exitCode}, ${run.measurement.wallSeconds.toFixed(1)} s`);
      if (run.measurement.exitCode !== 0) {
        failed = true;
        process.stderr.write(run.measurement.outputTail + "\n");
      }
      unit.push(run);
    }

    let joinWait: CommandMeasurement | undefined;
    if (options.joinWaitRuns > 0) {
      log(`${JOIN_WAIT_SCRIPT} ${options.joinWaitRuns}`);
      joinWait = await runJoinWait(PROJECT_DIR, options.joinWaitRuns);
      if (joinWait.exitCode !== 0) {
        failed = true;
        process.stderr.write(joinWait.outputTail + "\n");
      }
    }

    const end = describeMachine();
    out.push(`## Synth (median of ${options.runs} interleaved runs, after ${options.warmup} warm-up)`, "", synthTable(synth), "");
    out.push("## Growth with the fleet", "", scalingTable(synth), "");
    if (unit.length > 0) out.push(`## Unit tests (${unit.length} run${unit.length > 1 ? "s" : ""})`, "", unitTable(unit), "");
    const targets = evaluateTargets(
      synth,
      unit.map((u) => u.measurement),
    );
    out.push(
      "## Targets",
      "",
      markdownTable(
        ["target", "measured", "limit", "verdict"],
        targets.map((t) => [t.target, t.measured, t.limit, t.verdict]),
      ),
      "",
    );
    if (joinWait) {
      out.push(`## Join wait (${JOIN_WAIT_SCRIPT} ${options.joinWaitRuns}: exit ${joinWait.exitCode}, ${joinWait.wallSeconds.toFixed(1)} s)`, "");
      out.push(joinWait.stdout.trimEnd(), "");
    } else {
      out.push("## Join wait", "", "Not measured: skipped; add --join-wait-runs N (about 50 s a run: both backends).", "");
    }
    out.push(machineLine(start, end));
    process.stdout.write(out.join("\n") + "\n");
    const missed = targets.filter((t) => t.verdict === "FAIL").length;
    log(missed === 0 ? "every target met" : `${missed} target(s) missed (reported, not an error)`);
    return failed ? 1 : 0;
  } catch (e) {
    if (e instanceof SynthFailure) {
      process.stderr.write(`[bench] cannot measure: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`[bench] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
