/**
 * `kubeplane synth --hcl`: synthesizes the selected stacks, writes each as Terraform's native
 * syntax (hcl-render.ts) to `<outdir>/hcl/<stack>/main.tf`, and proves every file with
 * `terraform fmt`, `terraform init -backend=false` (offline with the provider mirror) and
 * `terraform validate`. Any stack that fails is named with Terraform's output, and the command
 * fails: a file that does not validate is never reported as written.
 *
 * The HCL keeps each stack's backend, so `terraform init` in its directory reaches the state the
 * JSON stack deployed, and `terraform plan` there shows no changes (tested against the emulator).
 */
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { renderHcl } from "./hcl-render";
import { providerShapes } from "./hcl-schema";
import { selectStacks, SynthesizedStack, synthesisDirectory, synthesizeApp } from "./synthesized-app";
import { runTerraform, TerraformResult } from "./terraform-command";

/** The file each stack's HCL is written to, in its own directory. */
export const HCL_FILE = "main.tf";

/** Where the HCL of the stacks goes: `<outdir>/hcl` (outdir: CDKTF_OUTDIR or cdktf.out). */
export function hclDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(synthesisDirectory(env), "hcl");
}

/** A stack written as HCL. */
export interface HclStack {
  readonly name: string;
  /** The directory holding `main.tf` (and, after validation, `.terraform.lock.hcl`). */
  readonly directory: string;
}

function failure(stack: string, step: string, result: TerraformResult): Error {
  return new Error(`${stack}: terraform ${step} failed (exit ${result.code}):\n${(result.stderr + result.stdout).trim()}`);
}

/**
 * Renders one synthesized stack's JSON as HCL into `<hclRoot>/<stack>/main.tf`, formats and
 * validates it. Throws naming the stack when rendering, formatting or validation fails.
 */
export async function writeHclStack(stack: SynthesizedStack, hclRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<HclStack> {
  const config = JSON.parse(readFileSync(path.join(stack.workingDirectory, "cdk.tf.json"), "utf8"));
  const shapes = await providerShapes(config.terraform?.required_providers, env);
  const directory = path.join(hclRoot, stack.name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, HCL_FILE), renderHcl(config, { stack: stack.name, shapes }));
  // fmt parses the file: a syntax error shows here, before the providers are installed.
  const fmt = await runTerraform(["fmt", "-no-color", HCL_FILE], { cwd: directory, env });
  if (fmt.code !== 0) throw failure(stack.name, "fmt", fmt);
  const init = await runTerraform(["init", "-backend=false", "-input=false", "-no-color"], { cwd: directory, env });
  if (init.code !== 0) throw failure(stack.name, "init -backend=false", init);
  const validate = await runTerraform(["validate", "-no-color"], { cwd: directory, env });
  if (validate.code !== 0) throw failure(stack.name, "validate", validate);
  return { name: stack.name, directory };
}

/** Options of synthesizeHcl. */
export interface HclSynthOptions {
  /** Stack names or globs (default: every stack). */
  readonly patterns?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Where the stacks' directories go (default hclDirectory(env)). */
  readonly directory?: string;
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void;
}

/**
 * Synthesizes the app, then writes and validates the HCL of every selected stack. Every stack
 * is tried; when any fails, throws one error naming each failed stack with Terraform's output.
 */
export async function synthesizeHcl(options: HclSynthOptions = {}): Promise<HclStack[]> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? (() => undefined);
  const stacks = selectStacks(await synthesizeApp(env), options.patterns ?? []);
  const root = options.directory ?? hclDirectory(env);
  const written: HclStack[] = [];
  const failures: string[] = [];
  for (const stack of stacks) {
    const started = Date.now();
    try {
      written.push(await writeHclStack(stack, root, env));
      progress(`${stack.name}: ${path.join(root, stack.name, HCL_FILE)} validated (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (failures.length > 0) throw new Error(`HCL of ${failures.length} of ${stacks.length} stacks is not valid:\n${failures.join("\n\n")}`);
  return written;
}
