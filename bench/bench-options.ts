/** The command line of `npm run bench -- [options]`. */
import { parseArgs } from "util";

export interface BenchOptions {
  /** Measured runs of each synth scenario; the median is reported. */
  runs: number;
  /** Unmeasured runs of each scenario first (warm file cache and transform caches). */
  warmup: number;
  /** Fleet sizes to synthesize, besides the examples. */
  fleetSizes: number[];
  /** Measured runs of `npm run test:unit` (0 skips it). */
  unitRuns: number;
  /** Runs of bench/join-wait.ts, if it exists (0 skips it: about 25 s a run). */
  joinWaitRuns: number;
  help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --runs N            measured runs of each synth (median reported; default 5)
  --warmup N          unmeasured runs of each synth first (default 1)
  --fleet-sizes LIST  fleet sizes to synthesize, comma-separated (default 1,15,60; 15 is the target)
  --unit-runs N       measured runs of npm run test:unit (default 1; 0 skips it)
  --join-wait-runs N  also run bench/join-wait.ts with N runs (about 25 s each; default 0: skipped)
  --help              this text`;

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${value}"`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string" },
      warmup: { type: "string" },
      "fleet-sizes": { type: "string" },
      "unit-runs": { type: "string" },
      "join-wait-runs": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const fleetSizes = (values["fleet-sizes"] ?? "1,15,60")
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((s) => count("fleet-sizes", s.trim(), 0, 1));
  return {
    runs: count("runs", values.runs, 5, 1),
    warmup: count("warmup", values.warmup, 1, 0),
    fleetSizes: [...new Set(fleetSizes)].sort((a, b) => a - b),
    unitRuns: count("unit-runs", values["unit-runs"], 1, 0),
    joinWaitRuns: count("join-wait-runs", values["join-wait-runs"], 0, 0),
    help: values.help ?? false,
  };
}
