/**
 * Workarounds for moto 5.2.1, in the tests only (the product stays as it would be for AWS):
 *
 * - (moto copies a launch template's own tags into the template's first version, so the first
 *   plan after creation showed a one-time change to the template and a second deploy converged:
 *   the emulator now keeps them on the template, as AWS does, cli/moto-patches/sitecustomize.py,
 *   and one deploy converges; the suites' audits and diffs after it prove it.)
 * - Under parallel load moto once answered a CreateNatGateway with "already associated"; a
 *   failed first deploy that says so is run again.
 * - Under load, a delete the SDK retries after a slow answer finds the object already gone, and
 *   moto names that `InvalidLaunchTemplateName.NotFoundException` where AWS answers with the
 *   `...NotFound` code the provider treats as done; a destroy that fails so is run again, and
 *   refreshes the object out of the state.
 */
import { CommandResult, describeResult, KubeplaneWorkspace } from "./kubeplane-workspace";

/** Deploy failures that come from the emulator, not from kubeplane. */
const TRANSIENT_EMULATOR_ERRORS = [/already associated/i];
/** Destroy failures that come from the emulator answering a retried delete. */
const RETRIED_DELETE_ERRORS = [/NotFoundException/];

/** The deploys it took to converge, each with its time. */
export interface ConvergedDeploy {
  readonly runs: readonly CommandResult[];
  /** The first successful deploy (the one that created everything). */
  readonly first: CommandResult;
}

/**
 * Deploys `patterns`, once more after a transient emulator failure. (It deployed a second time to
 * converge moto's launch template tags, which the emulator no longer needs: ~25 s per suite.)
 */
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
  return { runs, first };
}

/** Destroys `patterns`, running the destroy once more after an emulator-side retried delete. */
export async function destroyUntilGone(workspace: KubeplaneWorkspace, patterns: readonly string[]): Promise<CommandResult> {
  const destroy = () => workspace.run("destroy", [...patterns, "--auto-approve"]);
  let result = await destroy();
  if (result.code !== 0 && RETRIED_DELETE_ERRORS.some((e) => e.test(result.stdout + result.stderr))) {
    const again = await destroy();
    result = { ...again, seconds: result.seconds + again.seconds };
  }
  if (result.code !== 0) throw new Error(describeResult("destroy", result));
  return result;
}
