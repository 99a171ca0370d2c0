/**
 * Workarounds for moto 5.2.1, in the tests only (the product stays as it would be for AWS):
 *
 * - moto copies a launch template's own tags into the template's first version, so the first
 *   plan after creation shows a one-time change to the template; a second deploy converges.
 * - Under parallel load moto once answered a CreateNatGateway with "already associated"; a
 *   failed first deploy that says so is run again.
 */
import { CommandResult, describeResult, KubeplaneWorkspace } from "./kubeplane-workspace";

/** Deploy failures that come from the emulator, not from kubeplane. */
const TRANSIENT_EMULATOR_ERRORS = [/already associated/i];

/** The deploys it took to converge, each with its time. */
export interface ConvergedDeploy {
  readonly runs: readonly CommandResult[];
  /** The first successful deploy (the one that created everything). */
  readonly first: CommandResult;
}

/** Deploys `patterns` until the emulator's quirks are converged: twice, plus one retry. */
export async function deployUntilConverged(workspace: KubeplaneWorkspace, patterns: readonly string[]): Promise<ConvergedDeploy> {
  const runs: CommandResult[] = [];
  const deploy = async () => {
    const result = await workspace.run("deploy", [...patterns, "--auto-approve"]);
    runs.push(result);
    return result;
  };
  let first = await deploy();
  if (first.code !== 0 && TRANSIENT_EMULATOR_ERRORS.some((e) => e.test(first.stdout + first.stderr))) {
    first = await deploy();
  }
  if (first.code !== 0) throw new Error(describeResult("first deploy", first));
  const second = await deploy();
  if (second.code !== 0) throw new Error(describeResult("second deploy", second));
  return { runs, first };
}
