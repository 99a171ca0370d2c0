/**
 * Faults, against the emulator with S3 state (moto's S3, `use_lockfile`), on the network stack
 * alone where that proves the point (the cheapest apply):
 *
 * - A runner killed mid-apply (SIGKILL of every process): the lock file stays; the next deploy
 *   fails saying which stack, who holds the lock since when, and `kubeplane unlock <stack>`;
 *   unlock refuses the young lock, `unlock --force` releases it, and the deploy converges.
 * - Ctrl-C mid-apply (SIGINT to the process group): Terraform stops gracefully, releases its
 *   lock, and the next deploy converges. Both interrupt an apply that updates (a changed tag):
 *   an interrupted create is another matter (see the note on the Ctrl-C test).
 *   A destroy blocked by the lock shows Terraform's lock error too.
 * - With CI=true, a plan that fails on a data source with no results (an AMI that does not exist)
 *   shows Terraform's error text in every run: deploy three times, diff once.
 * - Orphans (a VPC and an Elastic IP tagged with the cluster, made outside Terraform as an
 *   interrupted apply leaves them): audit lists them per type and exits 2; destroy --orphans
 *   removes them with the stacks, and nothing tagged with the cluster is left.
 */
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { Emulator, startEmulator } from "../support/emulator";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { interruptedRun } from "../support/deploy/interrupted-run";
import { CommandResult, describeResult, KubeplaneWorkspace } from "../support/deploy/kubeplane-workspace";
import { PROJECT_ROOT } from "../../cli/terraform-environment";

jest.setTimeout(20 * 60_000);

const BUCKET = "kubeplane-faults-state";
const KEY = "faults";
const NAME = "flt";
const NETWORK = `${NAME}-network`;
const CLUSTER = `${NAME}-cluster`;
/** An AMI id no image has: the cluster stack's `data aws_ami` finds nothing. */
const MISSING_AMI = "ami-0000000000000dead";

let emulator: Emulator;
let workspace: KubeplaneWorkspace;
let inventory: EmulatorInventory;
let definitionFile: string;
let dev: Record<string, unknown>;
const timings: Record<string, number> = {};

function writeDefinition(extra: Record<string, unknown> = {}): void {
  writeFileSync(definitionFile, stringify({ ...dev, name: NAME, state: { backend: "s3", bucket: BUCKET, key: KEY }, ...extra }));
}

beforeAll(async () => {
  emulator = await startEmulator();
  dev = parse(readFileSync(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), "utf8"));
  workspace = new KubeplaneWorkspace(emulator.env, "");
  definitionFile = path.join(workspace.directory, `${NAME}.yaml`);
  writeDefinition();
  workspace.env.KUBEPLANE_CLUSTERS = definitionFile;
  inventory = new EmulatorInventory(emulator.env, dev.region as string);
  await inventory.aws("s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", `LocationConstraint=${dev.region}`);
});

afterAll(async () => {
  workspace?.dispose();
  await emulator?.stop();
  process.stdout.write(`faults timings, seconds: ${JSON.stringify(timings)}\n`);
});

async function lockFiles(): Promise<string[]> {
  const listed = await inventory.aws("s3api", "list-objects-v2", "--bucket", BUCKET);
  return (listed.Contents ?? []).map((o: { Key: string }) => o.Key).filter((k: string) => k.endsWith(".tflock"));
}

function expectSuccess(name: string, result: CommandResult): void {
  if (result.code !== 0) throw new Error(describeResult(name, result));
}

test("a deploy killed mid-apply leaves its lock; the next deploy names the stack, the holder and kubeplane unlock; unlock refuses, --force releases, and the deploy converges", async () => {
  const first = await workspace.run("deploy", [NETWORK, "--auto-approve"]);
  timings.firstDeploy = first.seconds;
  expectSuccess("first deploy", first);
  // A changed tag: every resource of the network is updated in place.
  writeDefinition({ tags: { ...(dev.tags as object), fault: "killed-mid-apply" } });
  const killed = await interruptedRun(workspace, "deploy", [NETWORK, "--auto-approve"], /: Modifying\.\.\./, "SIGKILL of the process tree");
  timings.killedDeploy = killed.seconds;
  expect(await lockFiles()).toEqual([`${KEY}/${NETWORK}.tfstate.tflock`]);

  const blocked = await workspace.run("deploy", [NETWORK, "--auto-approve"]);
  timings.blockedDeploy = blocked.seconds;
  expect(blocked.code).toBe(1);
  const said = blocked.stderr;
  expect(said).toContain(`kubeplane deploy: ${NETWORK}: terraform apply failed (exit 1); Terraform said:`);
  expect(said).toContain("Error acquiring the state lock");
  expect(said).toMatch(new RegExp(`kubeplane deploy: ${NETWORK}: the Terraform state is locked by \\S+@\\S+ \\(apply, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, \\d+ (s|min) ago; lock ID [0-9a-f-]{36}\\)`));
  expect(said).toContain(`release the lock: kubeplane unlock ${NETWORK}`);

  // destroy shows Terraform's error text too, and stops at the lock.
  const blockedDestroy = await workspace.run("destroy", [NETWORK, "--auto-approve", "--ignore-missing-stack-dependencies"]);
  timings.blockedDestroy = blockedDestroy.seconds;
  expect(blockedDestroy.code).toBe(1);
  expect(blockedDestroy.stderr).toContain(`kubeplane destroy: ${NETWORK}: terraform destroy failed (exit 1); Terraform said:`);
  expect(blockedDestroy.stderr).toContain(`kubeplane destroy: ${NETWORK}: the Terraform state is locked by`);
  expect(await inventory.vpcs(NAME)).toHaveLength(1);

  const refused = await workspace.run("kubeplane", ["unlock", NETWORK]);
  timings.unlockRefused = refused.seconds;
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(new RegExp(`kubeplane unlock: ${NETWORK}: the state is locked by .*; not released: the lock is \\d+ (s|min) old, younger than 15 min`));
  expect(await lockFiles()).toHaveLength(1);

  const released = await workspace.run("kubeplane", ["unlock", NETWORK, "--force"]);
  timings.unlockForced = released.seconds;
  expectSuccess("unlock --force", released);
  expect(released.stdout).toContain(`kubeplane unlock: ${NETWORK}: released the state lock held by`);
  expect(await lockFiles()).toEqual([]);

  const deployed = await workspace.run("deploy", [NETWORK, "--auto-approve"]);
  timings.deployAfterUnlock = deployed.seconds;
  expectSuccess("deploy after unlock", deployed);
  const [vpc] = await inventory.vpcs(NAME);
  expect(vpc.Tags).toContainEqual({ Key: "fault", Value: "killed-mid-apply" });
});

test("Ctrl-C mid-apply: Terraform stops gracefully and releases its lock, kubeplane waits for it, and the next deploy converges", async () => {
  // Note: Ctrl-C while Terraform *creates* leaves what was being created untracked: Terraform's
  // graceful stop cancels the provider's in-flight calls (plugin SDK v2 stop context), so an
  // object the cloud made is never recorded. A named one (the flow-log IAM role) then fails the
  // next deploy with EntityAlreadyExists; the others become orphans (audit, destroy --orphans).
  writeDefinition({ tags: { ...(dev.tags as object), fault: "interrupted" } });
  const stopped = await interruptedRun(workspace, "deploy", [NETWORK, "--auto-approve"], /: Modifying\.\.\./, "SIGINT to the process group");
  timings.interruptedDeploy = stopped.seconds;
  expect(stopped.code).not.toBe(0);
  expect(stopped.stderr).toContain("kubeplane deploy: SIGINT: interrupting; waiting for Terraform to stop and save its state");
  expect(await lockFiles()).toEqual([]);

  const deployed = await workspace.run("deploy", [NETWORK, "--auto-approve"]);
  timings.deployAfterInterrupt = deployed.seconds;
  expectSuccess("deploy after SIGINT", deployed);
  const audit = await workspace.run("audit", [NETWORK]);
  timings.audit = audit.seconds;
  expectSuccess("audit after SIGINT", audit);
  expect(audit.stdout).toMatch(new RegExp(`^${NETWORK}\\s+-\\s+none`, "m"));
  const [vpc] = await inventory.vpcs(NAME);
  expect(vpc.Tags).toContainEqual({ Key: "fault", Value: "interrupted" });
});

describe("with CI=true, a plan failing on a data source with no results", () => {
  beforeAll(() => {
    writeDefinition({ ami: MISSING_AMI });
    workspace.env.CI = "true";
  });

  /** Terraform's error for a data aws_ami that matches nothing, and where. */
  function expectAmiError(command: string, terraformCommand: string, result: CommandResult): void {
    expect(result.code).not.toBe(0);
    const said = result.stderr;
    expect(said).toContain(`kubeplane ${command}: ${CLUSTER}: terraform ${terraformCommand} failed (exit 1); Terraform said:`);
    const report = said.slice(said.indexOf(`kubeplane ${command}: ${CLUSTER}: terraform ${terraformCommand} failed`));
    expect(report).toContain("Error: Your query returned no results. Please change your search criteria and try again.");
    expect(report).toMatch(/with data\.aws_ami\.image_explicit_\w+/);
  }

  afterAll(() => writeDefinition());

  // (destroy: cdktf skips a stack with nothing in its state, so a destroy meets no data source
  // here; its error text is asserted on the lock above.)
  test.each([
    ["deploy", "apply", 1],
    ["deploy", "apply", 2],
    ["deploy", "apply", 3],
    ["diff", "plan", 4],
  ])("%s shows Terraform's error text (terraform %s; run %d)", async (command, terraformCommand, run) => {
    const args = command === "diff" ? [CLUSTER] : [CLUSTER, "--auto-approve", ...(command === "deploy" ? ["--ignore-missing-stack-dependencies"] : [])];
    const result = await workspace.run(command, args);
    timings[`${command}Failing${run}`] = result.seconds;
    expectAmiError(command, terraformCommand, result);
  });
});

test("orphans: audit lists the tagged resources no state tracks, per type, and exits 2; destroy --orphans removes them and nothing tagged is left", async () => {
  // As an interrupted apply leaves them: created, tagged by the provider's default tags, never saved.
  const tag = `ResourceType=%s,Tags=[{Key=kubeplane:cluster,Value=${NAME}}]`;
  const vpc = (await inventory.aws("ec2", "create-vpc", "--cidr-block", "10.99.0.0/16", "--tag-specifications", tag.replace("%s", "vpc"))).Vpc.VpcId as string;
  const eip = (await inventory.aws("ec2", "allocate-address", "--domain", "vpc", "--tag-specifications", tag.replace("%s", "elastic-ip"))).AllocationId as string;

  const audit = await workspace.run("audit");
  timings.auditWithOrphans = audit.seconds;
  expect(audit.code).toBe(2);
  expect(audit.stdout).toMatch(new RegExp(`^${NAME}\\s+aws_eip\\s+${eip}$`, "m"));
  expect(audit.stdout).toMatch(new RegExp(`^${NAME}\\s+aws_vpc\\s+${vpc}$`, "m"));
  expect(audit.stdout).toMatch(new RegExp(`kubeplane audit: ${NAME}: \\d+ orphan\\(s\\), EC2 resources tagged kubeplane:cluster=${NAME} in ${dev.region} that no stack's state tracks \\(aws_eip: \\d+, (.*, )?aws_vpc: \\d+\\)\\.`));
  expect(audit.stdout).toContain(`aws ec2 release-address --region ${dev.region} --allocation-id ${eip}`);

  const destroyed = await workspace.run("destroy", [`${NAME}-*`, "--auto-approve", "--orphans"]);
  timings.destroyWithOrphans = destroyed.seconds;
  expectSuccess("destroy --orphans", destroyed);
  expect(destroyed.stdout).toMatch(new RegExp(`kubeplane destroy: ${NAME}: removed \\d+ orphan\\(s\\), EC2 resources tagged kubeplane:cluster=${NAME} in ${dev.region} \\(aws_eip: \\d+, (.*, )?aws_vpc: \\d+\\)`));
  expect(await inventory.vpcs(NAME)).toEqual([]);
  const addresses = await inventory.aws("ec2", "describe-addresses", "--filters", `Name=tag:kubeplane:cluster,Values=${NAME}`);
  expect(addresses.Addresses).toEqual([]);
  expect(await inventory.leftovers(NAME)).toEqual({});
});
