/**
 * `kubeplane bootstrap <region>`: from an empty account (a single bootstrap user) to a state
 * store that clusters can keep their state in, and the deploy and plan-only CI policies
 * (stacks/bootstrap-stack.ts).
 *
 * The stack's own state cannot start in a bucket that does not exist yet, so it runs in two steps:
 *   1. with local state (`<state-dir>/kubeplane-bootstrap-<region>.tfstate`): init, apply;
 *   2. the same stack with its state in the new bucket (`kubeplane-bootstrap/<region>.tfstate`,
 *      locked with use_lockfile): `terraform init -migrate-state -force-copy` copies the state in,
 *      a `plan -detailed-exitcode` proves the bucket's copy is complete (no changes), and only then
 *      is the local file renamed `<file>.migrated` and the bucket noted in
 *      `<state-dir>/kubeplane-bootstrap-<region>.json`.
 * A later run finds that note and works on the state in the bucket directly (an update of the
 * policies, say); a run interrupted between the steps finds the local state and resumes.
 */
import { App } from "cdktf";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import * as path from "path";
import { cloudFor } from "../providers/cloud-registry";
import { auditApp } from "../rules";
import { BOOTSTRAP_STATE_PREFIX } from "../providers/aws/aws-deployer-policies";
import { BootstrapBackend, BootstrapStack, bootstrapStackName } from "../stacks/bootstrap-stack";
import { synthesisDirectory } from "./synthesized-app";
import { runTerraform, TerraformResult } from "./terraform-command";
import { PROJECT_ROOT } from "./terraform-environment";

/** Options of bootstrap. */
export interface BootstrapOptions {
  readonly region: string;
  /**
   * The bucket's name.
   * @default kubeplane-state-<account>-<region>
   */
  readonly bucket?: string;
  /**
   * Where the bootstrap stack's local state (and the note of where it moved) is kept.
   * @default <KUBEPLANE_STATE_DIR or state/>/bootstrap
   */
  readonly stateDir?: string;
  /** Apply without asking (otherwise Terraform asks on the terminal). */
  readonly autoApprove?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  readonly progress?: (line: string) => void;
}

/** What bootstrap made. */
export interface BootstrapResult {
  readonly bucket: string;
  /** Where the bootstrap stack's state is now: `s3://<bucket>/<key>`. */
  readonly stateKey: string;
  readonly deployPolicyArns: readonly string[];
  readonly planPolicyArns: readonly string[];
}

/** The note of where the bootstrap state moved. */
interface MovedNote {
  readonly bucket: string;
  readonly key: string;
}

/** The key of the bootstrap stack's state in the bucket. */
export function bootstrapStateKey(region: string): string {
  return `${BOOTSTRAP_STATE_PREFIX}/${region}.tfstate`;
}

/** The default directory of the bootstrap stack's local state. */
export function defaultBootstrapStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(PROJECT_ROOT, env.KUBEPLANE_STATE_DIR ?? "state", "bootstrap");
}

function failed(step: string, result: TerraformResult): Error {
  return new Error(`bootstrap: terraform ${step} failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
}

/** Synthesizes the bootstrap stack with `backend` into `outdir`; returns its working directory. */
export function synthesizeBootstrap(outdir: string, region: string, bucket: string | undefined, backend: BootstrapBackend): string {
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const name = bootstrapStackName(region);
  new BootstrapStack(app, name, { cloud: cloudFor({ cloud: "aws" }), region, storeName: bucket, backend });
  auditApp(app); // every rule violation at once, as for the clusters (throws RuleViolationError)
  app.synth();
  return path.join(outdir, "stacks", name);
}

async function outputs(cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const result = await runTerraform(["output", "-json"], { cwd, env });
  if (result.code !== 0) throw failed("output", result);
  return Object.fromEntries(Object.entries(JSON.parse(result.stdout) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
}

/** Runs the bootstrap (see the file comment). Throws with Terraform's output when a step fails. */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? (() => undefined);
  const { region } = options;
  const stateDir = path.resolve(options.stateDir ?? defaultBootstrapStateDir(env));
  mkdirSync(stateDir, { recursive: true });
  const localState = path.join(stateDir, `${bootstrapStackName(region)}.tfstate`);
  const notePath = path.join(stateDir, `${bootstrapStackName(region)}.json`);
  const outdir = path.join(synthesisDirectory(env), "bootstrap");
  const key = bootstrapStateKey(region);
  const apply = async (cwd: string) => {
    const args = ["apply", "-no-color", ...(options.autoApprove ? ["-auto-approve", "-input=false"] : [])];
    const result = await runTerraform(args, { cwd, env, inherit: !options.autoApprove });
    if (result.code !== 0) throw failed("apply", result);
    const summary = /^Apply complete! Resources: .*$/m.exec(result.stdout)?.[0];
    if (summary) progress(`${bootstrapStackName(region)}: ${summary}`);
  };

  let moved: MovedNote | undefined = existsSync(notePath) ? (JSON.parse(readFileSync(notePath, "utf8")) as MovedNote) : undefined;
  if (moved && existsSync(localState)) {
    throw new Error(`bootstrap: both ${localState} and ${notePath} exist: the state moved to s3://${moved.bucket}/${moved.key}; remove the local file if that copy is current`);
  }
  let cwd: string;
  if (!moved) {
    progress(`${bootstrapStackName(region)}: applying with local state ${localState}`);
    cwd = synthesizeBootstrap(outdir, region, options.bucket, { kind: "local", path: localState });
    const init = await runTerraform(["init", "-input=false", "-no-color", "-reconfigure"], { cwd, env });
    if (init.code !== 0) throw failed("init", init);
    await apply(cwd);
    const bucket = String((await outputs(cwd, env)).state_store);

    progress(`${bootstrapStackName(region)}: moving its state into s3://${bucket}/${key}`);
    cwd = synthesizeBootstrap(outdir, region, options.bucket, { kind: "store", storeName: bucket, key });
    const migrate = await runTerraform(["init", "-migrate-state", "-force-copy", "-input=false", "-no-color"], { cwd, env });
    if (migrate.code !== 0) throw failed("init -migrate-state", migrate);
    const check = await runTerraform(["plan", "-detailed-exitcode", "-input=false", "-no-color"], { cwd, env });
    if (check.code !== 0) throw failed(`plan against the moved state (exit 2: it differs from what was applied)`, check);
    renameSync(localState, `${localState}.migrated`);
    if (existsSync(`${localState}.backup`)) renameSync(`${localState}.backup`, `${localState}.backup.migrated`);
    moved = { bucket, key };
    writeFileSync(notePath, `${JSON.stringify(moved, null, 2)}\n`);
  } else {
    progress(`${bootstrapStackName(region)}: applying with its state in s3://${moved.bucket}/${moved.key}`);
    cwd = synthesizeBootstrap(outdir, region, options.bucket, { kind: "store", storeName: moved.bucket, key: moved.key });
    const init = await runTerraform(["init", "-input=false", "-no-color", "-reconfigure"], { cwd, env });
    if (init.code !== 0) throw failed("init", init);
    await apply(cwd);
  }
  const out = await outputs(cwd, env);
  return {
    bucket: String(out.state_store),
    stateKey: `s3://${moved.bucket}/${moved.key}`,
    deployPolicyArns: out.deploy_policy_arns as string[],
    planPolicyArns: out.plan_policy_arns as string[],
  };
}
