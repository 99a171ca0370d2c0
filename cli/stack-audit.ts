/**
 * Audits one stack: `terraform plan -detailed-exitcode` in its working directory, refreshing
 * against the running infrastructure, and the changes that would bring it back to the definition.
 */
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { JsonPlan, PlannedChange, plannedChanges } from "./plan-changes";
import type { SynthesizedStack } from "./synthesized-app";
import { initializeWorkingDirectory, runTerraform } from "./terraform-command";

/** How a stack compares with its definition. */
export type StackAuditStatus = "clean" | "drifted" | "failed";

/** The audit of one stack. */
export interface StackAudit {
  readonly stack: string;
  readonly status: StackAuditStatus;
  /** What the plan would change (empty when clean or failed). */
  readonly changes: readonly PlannedChange[];
  /** Terraform's error output when the plan could not be made. */
  readonly error?: string;
}

/** Options of auditStack. */
export interface StackAuditOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Passed as `-lock-timeout` (e.g. `60s`); default terraform's (0s). */
  readonly lockTimeout?: string;
}

/**
 * Initializes `stack`'s working directory, or returns the failed audit that says why it could
 * not be. Run these one at a time: Terraform's plugin cache is not safe for parallel installs.
 */
export async function prepareStackAudit(stack: SynthesizedStack, options: StackAuditOptions = {}): Promise<StackAudit | undefined> {
  try {
    await initializeWorkingDirectory(stack.workingDirectory, options.env);
    return undefined;
  } catch (e) {
    return { stack: stack.name, status: "failed", changes: [], error: (e as Error).message };
  }
}

/**
 * Plans `stack` (initialized by prepareStackAudit) and reports whether the running
 * infrastructure matches its definition.
 */
export async function auditStack(stack: SynthesizedStack, options: StackAuditOptions = {}): Promise<StackAudit> {
  const cwd = stack.workingDirectory;
  const planDirectory = mkdtempSync(path.join(os.tmpdir(), `kubeplane-audit-${stack.name}-`));
  const planFile = path.join(planDirectory, "plan");
  try {
    const args = ["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`];
    if (options.lockTimeout) args.push(`-lock-timeout=${options.lockTimeout}`);
    const plan = await runTerraform(args, { cwd, env: options.env });
    if (plan.code === 0) return { stack: stack.name, status: "clean", changes: [] };
    if (plan.code !== 2) return { stack: stack.name, status: "failed", changes: [], error: plan.stderr || plan.stdout };
    const shown = await runTerraform(["show", "-json", planFile], { cwd, env: options.env });
    if (shown.code !== 0) return { stack: stack.name, status: "failed", changes: [], error: shown.stderr };
    const changes = plannedChanges(JSON.parse(shown.stdout) as JsonPlan);
    return { stack: stack.name, status: "drifted", changes };
  } finally {
    rmSync(planDirectory, { recursive: true, force: true });
  }
}
