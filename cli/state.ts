/**
 * `kubeplane state <stack> <terraform state args>` (`npm run state -- ...`), e.g.
 * `kubeplane state dev-cluster list` or `kubeplane state dev-network show 'aws_vpc.network_vpc_4E8F0223'`:
 * `terraform state` in the stack's working directory, after synthesizing the clusters
 * KUBEPLANE_CLUSTERS selects and initializing the directory (quietly), so it reads whichever
 * backend the definition names. The wiring is cli/commands/state.ts.
 */
import { synthesizeApp } from "./synthesized-app";
import { initializeWorkingDirectory, runTerraform } from "./terraform-command";

/** What stateMain uses, for tests. */
export interface StateDependencies {
  readonly synthesize: typeof synthesizeApp;
  readonly initialize: typeof initializeWorkingDirectory;
  readonly terraform: typeof runTerraform;
  /** Called when a phase starts (synthesizing, initializing, terraform state). */
  readonly phase?: (stack: string, phase: string) => void;
}

/** The real ones. */
export const STATE_DEPENDENCIES: StateDependencies = { synthesize: synthesizeApp, initialize: initializeWorkingDirectory, terraform: runTerraform };

/**
 * Runs `terraform state <stateArgs>` for `stackName` with terraform's output on this process's
 * stdio, and resolves to its exit code. Throws naming the stacks when there is no such stack.
 */
export async function stateMain(
  stackName: string,
  stateArgs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  deps: StateDependencies = STATE_DEPENDENCIES,
): Promise<number> {
  deps.phase?.(stackName, "synthesizing");
  const stacks = await deps.synthesize(env);
  const stack = stacks.find((s) => s.name === stackName);
  if (!stack) throw new Error(`no stack "${stackName}"; stacks: ${stacks.map((s) => s.name).join(", ")}`);
  deps.phase?.(stackName, "initializing");
  await deps.initialize(stack.workingDirectory, env);
  deps.phase?.(stackName, `terraform state ${stateArgs[0]}`);
  const result = await deps.terraform(["state", ...stateArgs], { cwd: stack.workingDirectory, env, inherit: true });
  return result.code;
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("./kubeplane") as typeof import("./kubeplane")).main(["state", ...process.argv.slice(2)]);
}
