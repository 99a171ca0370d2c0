/**
 * The synthesized app: `cdktf synth` of the clusters KUBEPLANE_CLUSTERS selects, and the stacks
 * its manifest lists, each with its Terraform working directory, in dependency order.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { runCdktf } from "./cdktf-command";
import { PROJECT_ROOT } from "./terraform-environment";

/** A synthesized stack. */
export interface SynthesizedStack {
  readonly name: string;
  /** Absolute path of the directory Terraform runs in for this stack. */
  readonly workingDirectory: string;
  /** Stacks this one reads from (deployed before it). */
  readonly dependencies: readonly string[];
}

/** The output directory: `CDKTF_OUTDIR` (relative to the working directory) or `cdktf.out`. */
export function synthesisDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.CDKTF_OUTDIR ? path.resolve(env.CDKTF_OUTDIR) : path.join(PROJECT_ROOT, "cdktf.out");
}

interface Manifest {
  stacks: Record<string, { name: string; workingDirectory: string; dependencies?: string[] }>;
}

/** The stacks in `outdir`'s manifest, dependencies first. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest;
  const stacks = Object.values(manifest.stacks).map((s) => ({
    name: s.name,
    workingDirectory: path.resolve(outdir, s.workingDirectory),
    dependencies: s.dependencies ?? [],
  }));
  return dependencyOrder(stacks);
}

function dependencyOrder(stacks: SynthesizedStack[]): SynthesizedStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const ordered: SynthesizedStack[] = [];
  const placed = new Set<string>();
  const place = (stack: SynthesizedStack, path: string[]) => {
    if (placed.has(stack.name)) return;
    if (path.includes(stack.name)) throw new Error(`stack dependency cycle: ${[...path, stack.name].join(" -> ")}`);
    for (const dependency of stack.dependencies) {
      const d = byName.get(dependency);
      if (d) place(d, [...path, stack.name]);
    }
    placed.add(stack.name);
    ordered.push(stack);
  };
  [...stacks].sort((a, b) => a.name.localeCompare(b.name)).forEach((s) => place(s, []));
  return ordered;
}

/** Whether a stack name matches a pattern with `*` and `?` wildcards, as cdktf's stack globs. */
export function matchesStackPattern(name: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name);
}

/**
 * The stacks matching any of `patterns` (all stacks when there are none), in dependency order.
 * Throws naming every pattern that matches no stack.
 */
export function selectStacks(stacks: readonly SynthesizedStack[], patterns: readonly string[]): SynthesizedStack[] {
  if (patterns.length === 0) return [...stacks];
  const unmatched = patterns.filter((p) => !stacks.some((s) => matchesStackPattern(s.name, p)));
  if (unmatched.length > 0) {
    throw new Error(`no stack matches ${unmatched.map((p) => `"${p}"`).join(", ")}; stacks: ${stacks.map((s) => s.name).join(", ")}`);
  }
  return stacks.filter((s) => patterns.some((p) => matchesStackPattern(s.name, p)));
}

/**
 * Runs `cdktf synth` quietly (its output is shown only when it fails) and returns the stacks.
 * Throws when synthesis fails, e.g. on an invalid definition.
 */
export async function synthesizeApp(env: NodeJS.ProcessEnv = process.env): Promise<SynthesizedStack[]> {
  const outdir = synthesisDirectory(env);
  const output: Buffer[] = [];
  const code = await runCdktf("synth", ["--output", outdir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    onOutput: (chunk) => output.push(chunk),
  });
  if (code !== 0) throw new Error(`cdktf synth failed (exit ${code}):\n${Buffer.concat(output).toString()}`);
  return readSynthesizedStacks(outdir);
}
