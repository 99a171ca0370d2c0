/**
 * The deploy loop with the S3 state backend, against the emulator's S3: the dev example with
 * `state: { backend: s3 }` keeps one state object per stack under its key, holds a lock file
 * while Terraform works (`use_lockfile`), audits clean, refuses to plan while another run holds
 * the lock, and destroys cleanly, keeping the backup bucket and its key (backups.keepOnDestroy:
 * true, the default) and saying so.
 */
import { execFileSync } from "child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { Emulator, startEmulator } from "../support/emulator";
import { clusterExpectations } from "../support/deploy/cluster-expectations";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { deployUntilConverged, destroyUntilGone } from "../support/deploy/emulator-quirks";
import { describeResult, KubeplaneWorkspace } from "../support/deploy/kubeplane-workspace";
import { simulateNodeWrites, writeOtherClusterParameter } from "../support/deploy/node-runtime-writes";
import { PROJECT_ROOT } from "../../cli/terraform-environment";
import { backupBucketOf, backupKey, bucketExists } from "../support/deploy/backup-bucket-inventory";

jest.setTimeout(15 * 60_000);

const BUCKET = "kubeplane-test-state";
const KEY = "teams/platform/dev";

let emulator: Emulator;
let workspace: KubeplaneWorkspace;
let inventory: EmulatorInventory;
let definitionFile: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  emulator = await startEmulator();
  const dev = parse(readFileSync(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), "utf8"));
  workspace = new KubeplaneWorkspace(emulator.env, "");
  definitionFile = path.join(workspace.directory, "dev.yaml");
  // backups.keepOnDestroy back at its default (dev.yaml turns it off): destroy keeps the backup store.
  writeFileSync(definitionFile, stringify({ ...dev, state: { backend: "s3", bucket: BUCKET, key: KEY }, backups: { ...dev.backups, keepOnDestroy: true } }));
  workspace.env.KUBEPLANE_CLUSTERS = definitionFile;
  inventory = new EmulatorInventory(emulator.env, dev.region);
  await inventory.aws("s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", `LocationConstraint=${dev.region}`);
});

afterAll(async () => {
  workspace?.dispose();
  await emulator?.stop();
  process.stdout.write(`deploy loop timings (S3 state), seconds: ${JSON.stringify(timings)}\n`);
});

async function stateObjects(): Promise<string[]> {
  const listed = await inventory.aws("s3api", "list-objects-v2", "--bucket", BUCKET);
  return (listed.Contents ?? []).map((o: { Key: string }) => o.Key).sort();
}

async function stateOf(stack: string): Promise<{ resources: { type: string }[] }> {
  const target = path.join(workspace.directory, `${stack}.downloaded.tfstate`);
  await inventory.aws("s3api", "get-object", "--bucket", BUCKET, "--key", `${KEY}/${stack}.tfstate`, target);
  return JSON.parse(readFileSync(target, "utf8"));
}

test("deploy keeps one state object per stack in the bucket, locked with a lock file", async () => {
  const { definition, stacks } = clusterExpectations(definitionFile);
  const deployed = await deployUntilConverged(workspace, [`${definition.name}-*`]);
  timings.firstDeploy = deployed.first.seconds;
  timings.convergingDeploy = deployed.runs[deployed.runs.length - 1].seconds;

  const synthesized = JSON.parse(readFileSync(path.join(workspace.outputDirectory, "stacks", stacks.cluster, "cdk.tf.json"), "utf8"));
  expect(synthesized.terraform.backend.s3).toMatchObject({ bucket: BUCKET, key: `${KEY}/${stacks.cluster}.tfstate`, use_lockfile: true, encrypt: true });

  // Both states, and no lock file left behind once the runs ended.
  expect(await stateObjects()).toEqual([`${KEY}/${stacks.cluster}.tfstate`, `${KEY}/${stacks.network}.tfstate`]);
  expect((await stateOf(stacks.network)).resources.map((r) => r.type)).toContain("aws_vpc");
  expect((await stateOf(stacks.cluster)).resources.map((r) => r.type)).toContain("aws_autoscaling_group");
  // Nothing went to local state.
  const localState = workspace.stateDirectory;
  expect(existsSync(localState) ? readdirSync(localState, { recursive: true }) : []).toEqual([]);

  expect((await inventory.vpcs(definition.name)).map((v) => v.CidrBlock)).toEqual([definition.network.cidr]);
  const [group] = await inventory.autoScalingGroups(definition.name);
  expect(group.DesiredCapacity).toBe(definition.workerPools[0].desired);
});

test("npm run audit is clean, and npm run state reads the S3 state", async () => {
  const { stacks } = clusterExpectations(definitionFile);
  const audit = await workspace.run("audit");
  timings.cleanAudit = audit.seconds;
  if (audit.code !== 0) throw new Error(describeResult("audit", audit));
  expect(audit.stdout).toMatch(new RegExp(`^${stacks.cluster}\\s+-\\s+none`, "m"));
  const list = await workspace.run("state", [stacks.network, "list"]);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^aws_vpc\.network_vpc_\w+$/m);
});

test("while another run holds a stack's lock, the audit cannot plan that stack and says so", async () => {
  const { stacks } = clusterExpectations(definitionFile);
  const lockKey = `${KEY}/${stacks.cluster}.tfstate.tflock`;
  const lock = path.join(workspace.directory, "held.tflock");
  writeFileSync(lock, JSON.stringify({ ID: "held-by-another-run", Operation: "OperationTypeApply", Who: "someone@elsewhere", Version: "1.11.4", Created: new Date().toISOString(), Path: `${BUCKET}/${KEY}/${stacks.cluster}.tfstate` }));
  await inventory.aws("s3api", "put-object", "--bucket", BUCKET, "--key", lockKey, "--body", lock);
  try {
    const audit = await workspace.run("audit");
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^${stacks.cluster}\\s+-\\s+error\\s+Error: Error acquiring the state lock`, "m"));
    expect(audit.stdout).toContain("held-by-another-run");
    expect(audit.stdout).toMatch(new RegExp(`^${stacks.network}\\s+-\\s+none`, "m"));
  } finally {
    await inventory.aws("s3api", "delete-object", "--bucket", BUCKET, "--key", lockKey);
  }
  expect((await workspace.run("audit", [stacks.cluster])).code).toBe(0);
});

test("npm run destroy empties both states and leaves nothing of the cluster, not even what its nodes wrote; another cluster's parameters stay", async () => {
  const { definition, stacks } = clusterExpectations(definitionFile);
  const key = (await inventory.enabledKmsKeys(definition.name)).find((k) => /join lease/.test(k.Description));
  const writes = await simulateNodeWrites(inventory, definition.name, key.Arn);
  const other = await writeOtherClusterParameter(inventory, `${definition.name}-other`);
  expect((await inventory.ssmParameters(definition.name)).map((p) => p.Name)).toEqual(writes.all);
  // Before: every kind the leftovers check looks at has something, so "nothing left" means gone.
  expect(await inventory.deployedSummary(definition.name)).toEqual({
    missingKinds: [],
    instances: definition.controlPlane.count + definition.workerPools[0].desired,
  });
  const backups = await backupKey(inventory, definition.name);
  const destroyed = await destroyUntilGone(workspace, [`${definition.name}-*`]);
  timings.destroy = destroyed.seconds;
  expect(destroyed.stdout).toContain(`kubeplane destroy: ${stacks.cluster}: removed ${writes.all.length} SSM parameters under /kubeplane/${definition.name}/ in ${definition.region}`);
  // Kept, and said so: the bucket, the key and its alias; nothing else.
  const kept = destroyed.stdout.split("\n").find((l) => l.startsWith(`kubeplane destroy: ${stacks.cluster}: keeping the backup store and its snapshots (`));
  expect(kept).toMatch(/aws_s3_bucket\.backups_bucket_\w+/);
  expect(kept).toMatch(/aws_kms_key\.backups_key_\w+/);
  expect(kept).toContain("no longer in Terraform's state) (backups.keepOnDestroy; set it to false to destroy them with the cluster)");
  expect(await bucketExists(inventory, backupBucketOf(definition))).toBe(true);
  // (No object is put in it here: its policy refuses requests without TLS, which the emulator enforces.)
  expect(await backupKey(inventory, definition.name)).toEqual({ alias: backups.alias, key: expect.objectContaining({ KeyId: backups.key.KeyId, KeyState: "Enabled" }) });
  expect(await inventory.leftovers(definition.name)).toEqual({ kmsAliases: [`alias/kubeplane/${definition.name}/backups`], kmsKeys: [backups.key.KeyId] });
  expect((await inventory.aws("ssm", "get-parameter", "--name", other.name)).Parameter.Value).toBe(other.value);
  expect((await stateOf(stacks.cluster)).resources).toEqual([]);
  expect((await stateOf(stacks.network)).resources).toEqual([]);
});

test("when removing the parameters fails (SSM unreachable), destroy exits non-zero and the aws commands it prints remove them", async () => {
  const { definition, stacks } = clusterExpectations(definitionFile);
  const left = `/kubeplane/${definition.name}/cluster/claim`;
  await inventory.aws("ssm", "put-parameter", "--name", left, "--type", "String", "--value", "i-0123456789abcdef0", "--overwrite");
  workspace.env.AWS_ENDPOINT_URL_SSM = "http://127.0.0.1:1";
  let failed;
  try {
    failed = await workspace.run("destroy", [`${definition.name}-*`, "--auto-approve"]);
  } finally {
    delete workspace.env.AWS_ENDPOINT_URL_SSM;
  }
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`kubeplane destroy: ${stacks.cluster}: Terraform destroyed the stack, but removing SSM parameters under /kubeplane/${definition.name}/ in ${definition.region} failed: `);
  expect(failed.stderr).not.toContain("cdktf destroy failed");
  expect((await stateOf(stacks.cluster)).resources).toEqual([]);
  expect((await inventory.ssmParameters(definition.name)).map((p) => p.Name)).toEqual([left]);

  // The printed commands, as a user pastes them.
  const lines = failed.stderr.split("\n");
  const command = lines[lines.indexOf("  or remove them by hand:") + 1].trim();
  expect(command).toMatch(/^aws ssm get-parameters-by-path /);
  execFileSync("bash", ["-euo", "pipefail", "-c", command], { env: emulator.env, stdio: "pipe" });
  expect(await inventory.ssmParameters(definition.name)).toEqual([]);
  expect((await inventory.aws("ssm", "get-parameter", "--name", `/kubeplane/${definition.name}-other/join/worker`)).Parameter.Value).toBe(`lease of ${definition.name}-other`);
});

test("the kept store: a later audit and destroy --orphans call it kept, not an orphan; deploy adopts it; with keepOnDestroy false, destroy leaves nothing", async () => {
  const { definition, stacks } = clusterExpectations(definitionFile);
  const bucket = backupBucketOf(definition);
  const { key } = await backupKey(inventory, definition.name);
  const keptTag = async () => ((await inventory.aws("s3api", "get-bucket-tagging", "--bucket", bucket)).TagSet as { Key: string; Value: string }[]).find((t) => t.Key === "kubeplane:kept");
  expect((await keptTag())?.Value).toMatch(/^\d{4}-\d\d-\d\dT/);
  const kmsTags = (await inventory.aws("kms", "list-resource-tags", "--key-id", key.KeyId)).Tags as { TagKey: string }[];
  expect(kmsTags.map((t) => t.TagKey)).toContain("kubeplane:kept");

  // audit: the stacks are not deployed (so it is not clean), but the store is kept, not an orphan.
  const audited = await workspace.run("audit", []);
  expect(audited.stdout).toContain(`kubeplane audit: ${definition.name}: kept backup store (a destroy kept it at `);
  expect(audited.stdout).toContain(`no orphan: aws_s3_bucket ${bucket}, aws_kms_key ${key.KeyId}.`);
  expect(audited.stdout).not.toContain("Orphans:");
  // destroy --orphans leaves it.
  const orphansRemoved = await workspace.run("destroy", [`${definition.name}-*`, "--auto-approve", "--orphans"]);
  expect(orphansRemoved.code).toBe(0);
  expect(orphansRemoved.stdout).toContain(`kubeplane destroy: ${definition.name}: kept backup store`);
  expect(await bucketExists(inventory, bucket)).toBe(true);

  // deploy adopts it: imported, not created again (BucketAlreadyOwnedByYou before), its tag dropped.
  const deployed = await deployUntilConverged(workspace, [`${definition.name}-*`]);
  const said = deployed.runs.map((r) => r.stderr).join("\n");
  expect(said).toContain(`kubeplane deploy: ${stacks.cluster}: adopting the backup store a destroy kept at `);
  expect(said).toContain("importing 8 resources into its state");
  expect(await keptTag()).toBeUndefined();
  expect(await backupKey(inventory, definition.name)).toEqual({ alias: expect.objectContaining({ TargetKeyId: key.KeyId }), key: expect.objectContaining({ KeyId: key.KeyId, KeyState: "Enabled" }) });
  const clean = await workspace.run("audit", []);
  expect([clean.code, clean.stdout]).toEqual([0, expect.not.stringContaining("kept backup store")]);

  // keepOnDestroy false: the store goes with the cluster, and nothing is left.
  const dev = parse(readFileSync(definitionFile, "utf8"));
  writeFileSync(definitionFile, stringify({ ...dev, backups: { ...dev.backups, keepOnDestroy: false } }));
  const destroyed = await destroyUntilGone(workspace, [`${definition.name}-*`]);
  expect(destroyed.stdout).not.toContain("keeping the backup store");
  expect(await bucketExists(inventory, bucket)).toBe(false);
  expect(await inventory.leftovers(definition.name)).toEqual({});
});
