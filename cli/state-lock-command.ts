/**
 * `kubeplane unlock <stack> [--force]`: releases a stack's state lock that a killed run left
 * behind. Synthesizes the selected clusters, initializes the stack's directory, finds the lock by
 * asking Terraform for it (a `plan -refresh=false -lock-timeout=0s`, which fails on a held lock
 * with the lock's info and otherwise takes and releases it at once), refuses a lock younger than
 * 15 minutes (a deploy may be running) unless `--force`, and then runs
 * `terraform force-unlock -force <lock id>` in the stack's directory. The wiring is
 * cli/commands/unlock.ts.
 */
import { describeLock, parseLockError, unlockRefusal, DEFAULT_UNLOCK_MIN_AGE_MS } from "./state-lock";
import type { SynthesizedStack } from "./synthesized-app";
import type { TerraformResult } from "./terraform-command";

/** What unlockMain uses (tests stand in for Terraform). */
export interface UnlockDependencies {
  readonly synthesize: (env: NodeJS.ProcessEnv) => Promise<readonly SynthesizedStack[]>;
  readonly initialize: (cwd: string, env: NodeJS.ProcessEnv) => Promise<void>;
  readonly terraform: (args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) => Promise<TerraformResult>;
  readonly now: () => Date;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Options of unlockMain. */
export interface UnlockOptions {
  /** Release even a lock younger than `minAgeMs`. @default false */
  readonly force?: boolean;
  /** @default DEFAULT_UNLOCK_MIN_AGE_MS (15 minutes) */
  readonly minAgeMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** The real dependencies, loaded when called. */
export async function unlockDependencies(out: (line: string) => void, err: (line: string) => void): Promise<UnlockDependencies> {
  const [{ synthesizeApp }, { initializeWorkingDirectory, runTerraform }] = await Promise.all([import("./synthesized-app"), import("./terraform-command")]);
  return { synthesize: synthesizeApp, initialize: initializeWorkingDirectory, terraform: runTerraform, now: () => new Date(), out, err };
}

/**
 * Resolves to the exit code: 0 released (or no lock held), 1 refused or failed (with why and what
 * to do). Throws naming the stacks when there is no such stack.
 */
export async function unlockMain(stackName: string, options: UnlockOptions, deps: UnlockDependencies): Promise<number> {
  const env = options.env ?? process.env;
  const prefix = `kubeplane unlock: ${stackName}`;
  const stacks = await deps.synthesize(env);
  const stack = stacks.find((s) => s.name === stackName);
  if (!stack) throw new Error(`no stack "${stackName}"; stacks: ${stacks.map((s) => s.name).join(", ")}`);
  const cwd = stack.workingDirectory;
  await deps.initialize(cwd, env);

  const probe = await deps.terraform(["plan", "-input=false", "-no-color", "-refresh=false", "-lock-timeout=0s"], { cwd, env });
  const lock = parseLockError(probe.stderr);
  if (!lock) {
    if (probe.code === 0) {
      deps.out(`${prefix}: no lock is held (Terraform took the state lock and released it); nothing to do`);
      return 0;
    }
    deps.err(`${prefix}: could not find out whether the state is locked; terraform plan failed (exit ${probe.code}):`);
    for (const line of (probe.stderr || probe.stdout).trim().split("\n")) deps.err(`  ${line}`.trimEnd());
    return 1;
  }
  const now = deps.now();
  const refusal = unlockRefusal(lock, now, options.force ?? false, options.minAgeMs ?? DEFAULT_UNLOCK_MIN_AGE_MS);
  if (refusal) {
    deps.err(`${prefix}: the state is locked by ${describeLock(lock, now)}; not released: ${refusal}:`);
    deps.err(`  kubeplane unlock ${stackName} --force`);
    return 1;
  }
  const unlocked = await deps.terraform(["force-unlock", "-force", "-no-color", lock.id], { cwd, env });
  if (unlocked.code !== 0) {
    deps.err(`${prefix}: terraform force-unlock ${lock.id} failed (exit ${unlocked.code}):`);
    for (const line of (unlocked.stderr || unlocked.stdout).trim().split("\n")) deps.err(`  ${line}`.trimEnd());
    return unlocked.code;
  }
  deps.out(`${prefix}: released the state lock held by ${describeLock(lock, now)}`);
  return 0;
}
