/**
 * Runs the terraform binary (`TERRAFORM_BINARY_NAME`, as for cdktf, or `terraform`) in a stack's
 * working directory with kubeplane's Terraform environment and cdktf's shared plugin cache, so a
 * directory cdktf initialized is reused as it is.
 */
import { spawn } from "child_process";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { terraformEnvironment } from "./terraform-environment";

/** What a captured terraform run printed, and how it ended. */
export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment for terraform runs: kubeplane's, plus the plugin cache cdktf uses. */
export function terraformRunEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TF_IN_AUTOMATION: "1", ...terraformEnvironment(base) };
  if (!env.TF_PLUGIN_CACHE_DIR && !env.CDKTF_DISABLE_PLUGIN_CACHE_ENV) {
    env.TF_PLUGIN_CACHE_DIR = path.join(os.homedir(), ".terraform.d", "plugin-cache");
  }
  if (env.TF_PLUGIN_CACHE_DIR) mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  return env;
}

/** Runs terraform with `args` in `cwd`; output is captured unless `inherit` is set. */
export function runTerraform(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; inherit?: boolean },
): Promise<TerraformResult> {
  const env = terraformRunEnvironment(options.env ?? process.env);
  const child = spawn(env.TERRAFORM_BINARY_NAME ?? "terraform", args, {
    cwd: options.cwd,
    env,
    stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * `terraform init` of a stack's working directory, quietly; throws with terraform's output when
 * it fails (e.g. a changed backend that needs `npm run deploy -- <stack> --migrate-state`).
 */
export async function initializeWorkingDirectory(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const result = await runTerraform(["init", "-input=false", "-no-color"], { cwd, env });
  if (result.code !== 0) {
    throw new Error(`terraform init failed in ${cwd}:\n${result.stderr || result.stdout}`);
  }
}
