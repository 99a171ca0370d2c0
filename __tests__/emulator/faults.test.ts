/**
 * Faults, against the emulator with S3 state (moto's S3, `use_lockfile`), on the network stack
 * alone where that proves the point (the cheapest apply):
 *
 * - A runner killed mid-apply (SIGKILL of every process): the lock file stays; the next deploy
 *   fails saying which stack, who holds the lock since when, and `kubeplane unlock <stack>`;
 *   unlock refuses the young lock, `unlock --force` releases it, and the deploy converges.
 * - Ctrl-C (SIGINT to the process group, as a terminal sends it) while a fresh network is being
 *   created, the named flow-log role among it: kubeplane lets Terraform finish the apply and save
 *   its state, exits 130, and the next deploy converges with no drift and no orphans.
 * - Ctrl-C twice mid-apply (an update: a changed tag): the second interrupts Terraform now, which
 *   stops gracefully and releases its lock; kubeplane waits for it, no process of the run is left,
 *   and the next deploy converges. A destroy blocked by the lock shows Terraform's lock error too.
 * - With CI=true, a plan that fails on a data source with no results (an AMI that does not exist)
 *   shows Terraform's error text in every run: deploy three times, diff once.
 * - Orphans (tagged with the cluster, made outside Terraform as an interrupted apply leaves
 *   them: EC2, Auto Scaling, ELBv2, IAM, KMS, S3, CloudWatch Logs and SSM resources): audit lists
 *   them per type and exits 2, not the nodes' run-time parameter; destroy --orphans removes them
 *   with the stacks, and nothing tagged with the cluster is left.
 */
import { execFileSync, spawn } from "child_process";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { Emulator, startEmulator } from "../support/emulator";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { interruptedRun } from "../support/deploy/interrupted-run";
import { CommandResult, describeResult, KubeplaneWorkspace, plainText } from "../support/deploy/kubeplane-workspace";
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

/** The processes whose working directory is under `directory` (Linux /proc), with their command lines. */
function processesUnder(directory: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readlinkSync(`/proc/${pid}/cwd`).startsWith(directory)) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ")}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** What the test does at a step of an interrupted run. */
type StepAction = "Ctrl-C" | "freeze the emulator" | "resume the emulator";

/** moto_server of this suite, found by its port among this process's children. */
function emulatorPid(): number {
  const port = new URL(emulator.endpoint).port;
  const listing = execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" });
  const line = listing.split("\n").find((l) => /moto_server/.test(l) && new RegExp(`-p ${port}\\b`).test(l));
  if (!line) throw new Error(`no moto_server on port ${port} in:\n${listing}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/**
 * `npm run <script> -- <args>` in a process group of its own (a terminal's foreground job); each
 * step waits until the output (stdout, or stderr) matches, then `pauseMs` more, and acts:
 * Ctrl-C is SIGINT to the group, as a terminal sends it; freezing the emulator (SIGSTOP of
 * moto_server) holds the apply's calls in flight for as long as the test needs, so that the
 * Ctrl-C lands while Terraform is certainly working, on a machine where moto answers in
 * milliseconds. Resolves once npm has ended; rejects if a step never came (the premise failed).
 */
function interruptSteps(
  script: string,
  args: readonly string[],
  steps: readonly { stream: "stdout" | "stderr"; match: RegExp; action: StepAction; pauseMs?: number }[],
): Promise<CommandResult & { steps: number }> {
  const started = Date.now();
  const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: PROJECT_ROOT, env: workspace.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const moto = emulatorPid();
  const out = { stdout: "", stderr: "" };
  let done = 0;
  let pending = false;
  const act = (action: StepAction) => {
    try {
      if (action === "Ctrl-C") process.kill(-child.pid!, "SIGINT");
      else process.kill(moto, action === "freeze the emulator" ? "SIGSTOP" : "SIGCONT");
    } catch {
      // ended meanwhile
    }
  };
  const check = () => {
    const next = steps[done];
    if (!next || pending || !next.match.test(plainText(out[next.stream]))) return;
    pending = true;
    setTimeout(() => {
      act(next.action);
      done++;
      pending = false;
      check();
    }, next.pauseMs ?? 0);
  };
  child.stdout.on("data", (c: Buffer) => ((out.stdout += c.toString()), check()));
  child.stderr.on("data", (c: Buffer) => ((out.stderr += c.toString()), check()));
  // Never leave the emulator frozen for the tests after this one.
  const thaw = setTimeout(() => act("resume the emulator"), 120_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(thaw);
      act("resume the emulator");
      const result = { code: code ?? (signal ? 128 : 1), stdout: plainText(out.stdout), stderr: plainText(out.stderr), seconds: (Date.now() - started) / 1000, steps: done };
      if (done < steps.length) reject(new Error(`${script} ended (exit ${code ?? signal}) after ${done} of ${steps.length} steps, before its output matched ${steps[done].match}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-3000)}`));
      else resolve(result);
    });
  });
}

/** kubeplane's own exit code, from its closing progress line (npm may end by the signal instead). */
function kubeplaneExit(command: string, result: CommandResult): number | undefined {
  const m = new RegExp(`^kubeplane ${command} \\[\\d+s\\] (?:done|failed \\(exit (\\d+)\\))$`, "m").exec(result.stderr);
  return m ? Number(m[1] ?? 0) : undefined;
}

test("Ctrl-C while a fresh network is being created: Terraform finishes the apply and saves its state; the next deploy converges, with no drift and no orphans", async () => {
  // Before: Terraform's graceful stop cancelled the provider's in-flight calls, so what the cloud
  // had made was never recorded, and the named flow-log role failed the next deploy with
  // EntityAlreadyExists. The Ctrl-C lands as the role is being created.
  const stopped = await interruptSteps(
    "deploy",
    [NETWORK, "--auto-approve"],
    [
      { stream: "stdout", match: /aws_iam_role\.\S+ \(network\/flow-logs-role\): Creating\.\.\./, action: "freeze the emulator" },
      { stream: "stdout", match: /Creating\.\.\./, action: "Ctrl-C" },
      { stream: "stderr", match: /Ctrl-C again to interrupt Terraform now/, action: "resume the emulator" },
    ],
  );
  timings.ctrlCDuringCreates = stopped.seconds;
  expect(kubeplaneExit("deploy", stopped)).toBe(130);
  expect(stopped.stderr).toContain(
    `kubeplane deploy: Ctrl-C: letting Terraform finish the changes it has started and save its state (${NETWORK}: terraform apply); no further stack starts.`,
  );
  expect(stopped.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
  expect(await lockFiles()).toEqual([]);
  expect(processesUnder(workspace.directory)).toEqual([]);

  const deployed = await workspace.run("deploy", [NETWORK, "--auto-approve"]);
  timings.deployAfterCtrlC = deployed.seconds;
  expectSuccess("deploy after Ctrl-C", deployed);
  expect(deployed.stdout).not.toContain("EntityAlreadyExists");
  expect(await inventory.vpcs(NAME)).toHaveLength(1);
  // Both stacks, so that the orphan search runs (the cluster stack is not deployed: its drift is expected).
  const audit = await workspace.run("audit");
  timings.auditAfterCtrlC = audit.seconds;
  expect(audit.stdout).toMatch(new RegExp(`^${NETWORK}\\s+-\\s+none`, "m"));
  expect(audit.stdout).toContain(`audit: no orphans (${NAME}: every tagged resource is in a stack's state)`);
});

test("a deploy killed mid-apply leaves its lock; the next deploy names the stack, the holder and kubeplane unlock; unlock refuses, --force releases, and the deploy converges", async () => {
  // The network is deployed (the Ctrl-C test above); this deploy converges it.
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

test("Ctrl-C twice mid-apply: the second interrupts Terraform now; it stops gracefully and releases its lock, kubeplane waits for it, and the next deploy converges", async () => {
  // An update (a changed tag), so that the interrupted calls leave nothing untracked; the
  // emulator is frozen while the plan refreshes, so that the apply is still going a second after
  // the first Ctrl-C (moto answers in milliseconds), and thawed once Terraform is interrupted.
  writeDefinition({ tags: { ...(dev.tags as object), fault: "interrupted" } });
  const stopped = await interruptSteps(
    "deploy",
    [NETWORK, "--auto-approve"],
    [
      { stream: "stdout", match: /: Refreshing state\.\.\./, action: "freeze the emulator" },
      { stream: "stdout", match: /: Refreshing state\.\.\./, action: "Ctrl-C" },
      // A second Ctrl-C more than a second after the first (sooner, it would be taken for the copy npm forwards).
      { stream: "stderr", match: /Ctrl-C again to interrupt Terraform now/, action: "Ctrl-C", pauseMs: 1200 },
      { stream: "stderr", match: /interrupting Terraform now/, action: "resume the emulator" },
    ],
  );
  timings.interruptedDeploy = stopped.seconds;
  expect(kubeplaneExit("deploy", stopped)).toBe(130);
  expect(stopped.stderr).toContain(`kubeplane deploy: Ctrl-C: letting Terraform finish the changes it has started and save its state (${NETWORK}: terraform apply)`);
  expect(stopped.stderr).toContain(
    `kubeplane deploy: Ctrl-C: interrupting Terraform now (${NETWORK}: terraform apply): it stops gracefully, saving its state and releasing its lock; what it was creating may be left untracked: kubeplane audit lists it, kubeplane destroy --orphans removes it.`,
  );
  expect(stopped.stdout).not.toMatch(/Apply complete!/);
  expect(await lockFiles()).toEqual([]);
  expect(processesUnder(workspace.directory)).toEqual([]);

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
  // As an interrupted apply leaves them: created, tagged by the provider's default tags, never
  // saved. One of each kind of service: EC2 (a VPC with a subnet, an Elastic IP, a launch
  // template), Auto Scaling, ELBv2, IAM (role with inline and managed policy, instance profile),
  // KMS, S3 (versioned, with objects), CloudWatch Logs, SSM; and a run-time parameter of the
  // nodes', which is not an orphan (destroy removes it with the cluster's run-time data).
  const tag = `ResourceType=%s,Tags=[{Key=kubeplane:cluster,Value=${NAME}}]`;
  const tags = ["--tags", `Key=kubeplane:cluster,Value=${NAME}`];
  const orphan = `kubeplane-${NAME}-orphan`;
  const vpc = (await inventory.aws("ec2", "create-vpc", "--cidr-block", "10.99.0.0/16", "--tag-specifications", tag.replace("%s", "vpc"))).Vpc.VpcId as string;
  const eip = (await inventory.aws("ec2", "allocate-address", "--domain", "vpc", "--tag-specifications", tag.replace("%s", "elastic-ip"))).AllocationId as string;
  const subnet = (await inventory.aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.99.1.0/24", "--tag-specifications", tag.replace("%s", "subnet"))).Subnet.SubnetId as string;
  const template = (
    await inventory.aws("ec2", "create-launch-template", "--launch-template-name", orphan, "--launch-template-data", '{"InstanceType":"t3.small"}', "--tag-specifications", tag.replace("%s", "launch-template"))
  ).LaunchTemplate.LaunchTemplateId as string;
  await inventory.aws("autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", orphan, "--launch-template", `LaunchTemplateId=${template}`, "--min-size", "0", "--max-size", "0", "--vpc-zone-identifier", subnet, "--tags", `Key=kubeplane:cluster,Value=${NAME},PropagateAtLaunch=true`);
  const targetGroup = (await inventory.aws("elbv2", "create-target-group", "--name", `${NAME}-orphan`, "--protocol", "TCP", "--port", "6443", "--vpc-id", vpc, ...tags)).TargetGroups[0].TargetGroupArn as string;
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  const allow = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:DescribeTags", Resource: "*" }] });
  await inventory.aws("iam", "create-role", "--role-name", orphan, "--assume-role-policy-document", trust, ...tags);
  await inventory.aws("iam", "put-role-policy", "--role-name", orphan, "--policy-name", "inline", "--policy-document", allow);
  const policy = (await inventory.aws("iam", "create-policy", "--policy-name", orphan, "--policy-document", allow, ...tags)).Policy.Arn as string;
  await inventory.aws("iam", "attach-role-policy", "--role-name", orphan, "--policy-arn", policy);
  await inventory.aws("iam", "create-instance-profile", "--instance-profile-name", orphan, ...tags);
  await inventory.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", orphan, "--role-name", orphan);
  const key = (await inventory.aws("kms", "create-key", "--tags", `TagKey=kubeplane:cluster,TagValue=${NAME}`)).KeyMetadata.KeyId as string;
  const bucket = `${orphan}-bucket`;
  await inventory.aws("s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", `LocationConstraint=${dev.region}`);
  await inventory.aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled");
  await inventory.aws("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", `TagSet=[{Key=kubeplane:cluster,Value=${NAME}}]`);
  const body = path.join(workspace.directory, "left-behind.txt");
  writeFileSync(body, "left behind\n");
  for (let i = 0; i < 2; i++) await inventory.aws("s3api", "put-object", "--bucket", bucket, "--key", "left/behind", "--body", body);
  await inventory.aws("logs", "create-log-group", "--log-group-name", `/kubeplane/${NAME}/orphan`, "--tags", `kubeplane:cluster=${NAME}`);
  const parameter = `/kubeplane-orphans/${NAME}/left`;
  await inventory.aws("ssm", "put-parameter", "--name", parameter, "--type", "String", "--value", "x", ...tags);
  const runtime = `/kubeplane/${NAME}/status/left-by-a-node`;
  await inventory.aws("ssm", "put-parameter", "--name", runtime, "--type", "String", "--value", "x", ...tags);

  const audit = await workspace.run("audit");
  timings.auditWithOrphans = audit.seconds;
  expect(audit.code).toBe(2);
  const row = (type: string, id: string) => new RegExp(`^${NAME}\\s+${type}\\s+${id.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m");
  const expected: [string, string][] = [
    ["aws_vpc", vpc],
    ["aws_eip", eip],
    ["aws_subnet", subnet],
    ["aws_launch_template", template],
    ["aws_autoscaling_group", orphan],
    ["aws_lb_target_group", targetGroup],
    ["aws_iam_role", orphan],
    ["aws_iam_policy", policy],
    ["aws_iam_instance_profile", orphan],
    ["aws_kms_key", key],
    ["aws_s3_bucket", bucket],
    ["aws_cloudwatch_log_group", `/kubeplane/${NAME}/orphan`],
    ["aws_ssm_parameter", parameter],
  ];
  for (const [type, id] of expected) expect(audit.stdout).toMatch(row(type, id));
  expect(audit.stdout).not.toContain(runtime);
  expect(audit.stdout).toMatch(new RegExp(`kubeplane audit: ${NAME}: \\d+ orphan\\(s\\), resources tagged kubeplane:cluster=${NAME} in ${dev.region} and IAM that no stack's state tracks \\(aws_autoscaling_group: 1, .*aws_eip: \\d+, .*aws_iam_role: 1, .*aws_vpc: \\d+\\)\\.`));
  expect(audit.stdout).toContain(`aws ec2 release-address --region ${dev.region} --allocation-id ${eip}`);
  expect(audit.stdout).toContain(`aws iam delete-role --role-name ${orphan}`);

  const destroyed = await workspace.run("destroy", [`${NAME}-*`, "--auto-approve", "--orphans"]);
  timings.destroyWithOrphans = destroyed.seconds;
  expectSuccess("destroy --orphans", destroyed);
  expect(destroyed.stdout).toMatch(new RegExp(`kubeplane destroy: ${NAME}: removed \\d+ orphan\\(s\\), resources tagged kubeplane:cluster=${NAME} in ${dev.region} and IAM \\(aws_autoscaling_group: 1, .*aws_vpc: \\d+\\)`));
  expect(await inventory.vpcs(NAME)).toEqual([]);
  const addresses = await inventory.aws("ec2", "describe-addresses", "--filters", `Name=tag:kubeplane:cluster,Values=${NAME}`);
  expect(addresses.Addresses).toEqual([]);
  expect(await inventory.leftovers(NAME)).toEqual({});
  // What leftovers does not look at: the bucket, the target group, the parameter outside the run-time path, the key's state.
  const buckets = (await inventory.aws("s3api", "list-buckets")).Buckets.map((b: { Name: string }) => b.Name);
  expect(buckets).not.toContain(bucket);
  expect((await inventory.aws("elbv2", "describe-target-groups")).TargetGroups.map((t: { TargetGroupArn: string }) => t.TargetGroupArn)).not.toContain(targetGroup);
  expect((await inventory.aws("ssm", "describe-parameters")).Parameters.map((p: { Name: string }) => p.Name)).not.toContain(parameter);
  expect((await inventory.aws("kms", "describe-key", "--key-id", key)).KeyMetadata.KeyState).toBe("PendingDeletion");
  // Nothing tagged with the cluster is left that the Tagging API knows, but the keys pending
  // deletion and NAT gateways in state deleted (the network's: AWS, and moto, show those a while).
  const tagged = (await inventory.aws("resourcegroupstaggingapi", "get-resources", "--tag-filters", `Key=kubeplane:cluster,Values=${NAME}`)).ResourceTagMappingList.map((m: { ResourceARN: string }) => m.ResourceARN);
  const deletedNats = new Set(
    ((await inventory.aws("ec2", "describe-nat-gateways")).NatGateways as { NatGatewayId: string; State: string }[]).filter((n) => n.State === "deleted").map((n) => n.NatGatewayId),
  );
  expect(tagged.filter((arn: string) => !/:kms:/.test(arn) && !deletedNats.has(arn.split("/").pop()!))).toEqual([]);
});
