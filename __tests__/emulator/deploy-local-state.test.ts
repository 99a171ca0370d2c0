/**
 * The deploy loop end to end with local state, against the AWS emulator, through the npm
 * scripts a user runs: deploy the dev example, check in the emulator that what the definition
 * says exists, audit clean, drift a security group outside Terraform and see the audit name it,
 * deploy it back, destroy and see nothing of the cluster left.
 */
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { gunzipSync } from "zlib";
import { Emulator, startEmulator } from "../support/emulator";
import { clusterExpectations } from "../support/deploy/cluster-expectations";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { deployUntilConverged, destroyUntilGone } from "../support/deploy/emulator-quirks";
import { KubeplaneWorkspace } from "../support/deploy/kubeplane-workspace";
import { simulateNodeWrites, writeOtherClusterParameter } from "../support/deploy/node-runtime-writes";
import { SynthesizedStackJson } from "../support/deploy/synthesized-stack-json";
import { backupBucketOf, backupBucketSettings, backupKey, bucketExists, rolesGrantingBucket } from "../support/deploy/backup-bucket-inventory";
import { PROJECT_ROOT } from "../../cli/terraform-environment";
import { synthesizeHcl } from "../../cli/hcl-synth";
import { runTerraform } from "../../cli/terraform-command";

jest.setTimeout(15 * 60_000);

const DEFINITION = path.join(PROJECT_ROOT, "clusters", "dev.yaml");
const expected = clusterExpectations(DEFINITION);
const { definition, stacks } = expected;
const cluster = definition.name;

let emulator: Emulator;
let workspace: KubeplaneWorkspace;
let inventory: EmulatorInventory;
const timings: Record<string, number> = {};

beforeAll(async () => {
  emulator = await startEmulator();
  workspace = new KubeplaneWorkspace(emulator.env, DEFINITION);
  inventory = new EmulatorInventory(emulator.env, definition.region);
});

afterAll(async () => {
  workspace?.dispose();
  await emulator?.stop();
  process.stdout.write(`deploy loop timings (local state), seconds: ${JSON.stringify(timings)}\n`);
});

test("deploy creates both stacks, converging the emulator's one-time launch template change", async () => {
  const deployed = await deployUntilConverged(workspace, [`${cluster}-*`]);
  timings.firstDeploy = deployed.first.seconds;
  timings.convergingDeploy = deployed.runs[deployed.runs.length - 1].seconds;
  for (const stack of [stacks.network, stacks.cluster]) {
    expect(existsSync(path.join(workspace.stateDirectory, cluster, `${stack}.tfstate`))).toBe(true);
  }
  const synthesized = JSON.parse(readFileSync(path.join(workspace.outputDirectory, "stacks", stacks.network, "cdk.tf.json"), "utf8"));
  expect(synthesized.terraform.backend).toEqual({ local: { path: path.join(workspace.stateDirectory, cluster, `${stacks.network}.tfstate`) } });
});

test("the VPC and its subnets span the definition's zones with the planned CIDRs", async () => {
  const vpcs = await inventory.vpcs(cluster);
  expect(vpcs.map((v) => v.CidrBlock)).toEqual([definition.network.cidr]);
  const subnets = await inventory.subnets(cluster);
  expect(subnets.every((s) => s.VpcId === vpcs[0].VpcId)).toBe(true);
  const byCidr = Object.fromEntries(subnets.map((s) => [s.CidrBlock, s.AvailabilityZone]));
  const planned = [...expected.privateSubnetCidrs, ...expected.publicSubnetCidrs];
  expect(Object.keys(byCidr).sort()).toEqual([...planned].sort());
  expected.zones.forEach((zone, i) => {
    expect(byCidr[expected.privateSubnetCidrs[i]]).toBe(zone);
    expect(byCidr[expected.publicSubnetCidrs[i]]).toBe(zone);
  });
  expect(new Set(subnets.map((s) => s.AvailabilityZone)).size).toBeGreaterThanOrEqual(2);
  const publicSubnets = subnets.filter((s) => expected.publicSubnetCidrs.includes(s.CidrBlock));
  expect(publicSubnets.every((s) => s.Tags.some((t: { Key: string }) => t.Key === "kubernetes.io/role/elb"))).toBe(true);
  expect(await inventory.natGateways(cluster)).toHaveLength(definition.network.natGateways === "perAz" ? expected.zones.length : 1);
});

test("security groups, a control-plane instance requiring IMDSv2, and IAM roles exist", async () => {
  const groups = (await inventory.securityGroups(cluster)).map((g) => g.GroupName).sort();
  expect(groups).toEqual(expect.arrayContaining([`kubeplane-${cluster}-control-plane`, `kubeplane-${cluster}-nodes`, `kubeplane-${cluster}-workers`]));

  const controlPlane = (await inventory.instances(cluster)).filter((i) =>
    i.Tags.some((t: { Key: string; Value: string }) => t.Key === "kubeplane:role" && t.Value === "control-plane"),
  );
  expect(controlPlane).toHaveLength(definition.controlPlane.count);
  for (const instance of controlPlane) {
    expect(instance.InstanceType).toBe(definition.controlPlane.instanceType);
    expect(instance.MetadataOptions.HttpTokens).toBe("required");
    expect(expected.privateSubnetCidrs).toContain((await inventory.subnets(cluster)).find((s) => s.SubnetId === instance.SubnetId)?.CidrBlock);
  }

  // IAM: every role, inline policy and attachment the synthesized stack asks for.
  const synthesized = new SynthesizedStackJson(workspace.outputDirectory, stacks.cluster);
  const wantedRoles = Object.values(synthesized.resources("aws_iam_role")).map((r) => r.name).sort();
  expect(wantedRoles).toEqual([`kubeplane-${cluster}-control-plane`, `kubeplane-${cluster}-worker`]);
  // The network stack's one role, the flow logs', is checked with the flow logs below.
  const roles = (await inventory.roles(cluster)).map((r) => r.RoleName).filter((r) => r !== `kubeplane-${cluster}-vpc-flow-logs`).sort();
  expect(roles).toEqual(wantedRoles);
  const inline = Object.values(synthesized.resources("aws_iam_role_policy"));
  const attached = Object.values(synthesized.resources("aws_iam_role_policy_attachment"));
  expect(inline.length + attached.length).toBeGreaterThanOrEqual(roles.length);
  for (const role of roles) {
    const wantedInline = inline.filter((p) => synthesized.resolve(p.role) === role).map((p) => p.name).sort();
    const wantedAttached = attached.filter((p) => synthesized.resolve(p.role) === role).map((p) => p.policy_arn).sort();
    expect(wantedInline.length + wantedAttached.length).toBeGreaterThan(0);
    expect((await inventory.inlinePolicies(role)).sort()).toEqual(wantedInline);
    expect((await inventory.attachedPolicies(role)).sort()).toEqual(wantedAttached);
  }
  expect((await inventory.instanceProfiles(cluster)).map((p) => p.Roles[0].RoleName).sort()).toEqual(roles);
});

test("the VPC's flows go to the definition's log group through the flow-log role; its default group is closed; nodes cannot send everything out; the key has its policy", async () => {
  const [vpc] = await inventory.vpcs(cluster);
  const [flowLog, ...moreFlowLogs] = await inventory.flowLogs(cluster);
  expect(moreFlowLogs).toEqual([]);
  expect(flowLog).toMatchObject({ ResourceId: vpc.VpcId, TrafficType: "ALL", LogDestinationType: "cloud-watch-logs", DeliverLogsPermissionArn: expect.stringMatching(new RegExp(`:role/kubeplane-${cluster}-vpc-flow-logs$`)) });
  const [group] = await inventory.logGroups(cluster);
  expect(group).toMatchObject({ logGroupName: `/kubeplane/${cluster}/vpc-flow-logs`, retentionInDays: definition.network.flowLogs.retentionDays });
  expect(await inventory.inlinePolicies(`kubeplane-${cluster}-vpc-flow-logs`)).toEqual(["kubeplane-vpc-flow-logs-delivery"]);

  const defaults = (await inventory.aws("ec2", "describe-security-groups", "--filters", `Name=vpc-id,Values=${vpc.VpcId}`, "Name=group-name,Values=default")).SecurityGroups;
  expect(defaults.map((g: { IpPermissions: unknown[]; IpPermissionsEgress: unknown[] }) => [g.IpPermissions, g.IpPermissionsEgress])).toEqual([[[], []]]);

  const nodes = (await inventory.securityGroups(cluster)).find((g) => g.GroupName === `kubeplane-${cluster}-nodes`);
  const toWorld = nodes.IpPermissionsEgress.filter((p: { IpRanges: { CidrIp: string }[] }) => p.IpRanges.some((r) => r.CidrIp === "0.0.0.0/0"));
  expect(toWorld.map((p: { IpProtocol: string; FromPort: number; ToPort: number }) => `${p.IpProtocol}/${p.FromPort}-${p.ToPort}`).sort()).toEqual(["tcp/443-443", "tcp/80-80"]);

  // The join lease's key (the cluster has others, e.g. its backup bucket's).
  const key = (await inventory.enabledKmsKeys(cluster)).find((k) => /join lease/.test(k.Description));
  const policy = JSON.parse((await inventory.aws("kms", "get-key-policy", "--key-id", key.KeyId, "--policy-name", "default")).Policy);
  expect(policy.Statement.map((st: { Sid: string }) => st.Sid)).toEqual(["KeyAdministration", "ControlPlaneUsesKeyThroughSsm", "WorkersDecryptThroughSsm"]);
});

test("the worker ASG has the definition's sizes and a launch template with user data and IMDSv2", async () => {
  const [group, ...others] = await inventory.autoScalingGroups(cluster);
  expect(others).toHaveLength(0);
  const [pool] = definition.workerPools;
  expect(group).toMatchObject({ MinSize: pool.min, DesiredCapacity: pool.desired, MaxSize: pool.max });
  expect(group.Instances).toHaveLength(pool.desired);
  const [template] = await inventory.launchTemplates(cluster);
  const templateId = group.LaunchTemplate?.LaunchTemplateId ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId;
  expect(templateId).toBe(template.LaunchTemplateId);
  // The emulator does not apply metadata options to the instances an ASG launches: check the template.
  const version = (await inventory.launchTemplateDefaultVersion(template.LaunchTemplateId)).LaunchTemplateData;
  expect(version.InstanceType).toBe(pool.instanceTypes[0]);
  expect(version.MetadataOptions.HttpTokens).toBe("required");
  // Delivered gzip-compressed (Terraform's base64gzip); cloud-init unpacks it.
  const delivered = Buffer.from(version.UserData, "base64");
  expect([delivered[0], delivered[1]]).toEqual([0x1f, 0x8b]);
  expect(delivered.length).toBeLessThan(16384);
  const userData = gunzipSync(delivered).toString("utf8");
  expect(userData).toMatch(/^#cloud-config/);
  // Terraform filled in the escaped shell: the bundle loader arrives as written, and the settings
  // name the role's bundle (the scripts travel in it, in the cluster's bucket).
  expect(userData).toContain('root=${KUBEPLANE_ROOT:-}');
  expect(userData).toMatch(/^\s+KUBEPLANE_BUNDLE_KEY='bundles\/worker-[0-9a-f]{64}\.tar\.gz'$/m);
  expect(userData).toContain(definition.kubernetes.version);
  expect(userData).toContain(cluster);
});

test("the backup bucket: versioned, encrypted with the cluster's backup key, public access blocked, TLS only, snapshots expire after retentionDays, only the control-plane role may use it", async () => {
  const bucket = backupBucketOf(definition);
  const { key } = await backupKey(inventory, cluster);
  expect(key).toMatchObject({ KeyState: "Enabled", Description: expect.stringContaining("etcd snapshots") });
  const settings = await backupBucketSettings(inventory, bucket);
  expect(settings.versioning).toBe("Enabled");
  expect(settings.encryption).toEqual([{ SSEAlgorithm: "aws:kms", KMSMasterKeyID: key.Arn }]);
  expect(settings.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  const tls = settings.policy.Statement.find((st: { Condition?: { Bool?: Record<string, string> } }) => st.Condition?.Bool?.["aws:SecureTransport"] === "false");
  expect(tls).toMatchObject({ Effect: "Deny", Action: "s3:*" });
  const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  expect(settings.policy.Statement).toContainEqual(expect.objectContaining({ Sid: "DenyOtherNodes", Effect: "Deny", Principal: { AWS: [roleArn(`kubeplane-${cluster}-worker`)] } }));
  expect(settings.lifecycle).toContainEqual(expect.objectContaining({ ID: "snapshots-expire", Status: "Enabled", Expiration: { Days: definition.backups.retentionDays } }));
  // The one role granted anything on it: the control plane's, read/write under etcd/ and pki/ only.
  const grants = await rolesGrantingBucket(inventory, cluster, bucket);
  expect(Object.keys(grants)).toEqual([`kubeplane-${cluster}-control-plane`]);
  const write = grants[`kubeplane-${cluster}-control-plane`].find((st: { Sid?: string }) => st.Sid === "ReadWriteBackups");
  expect(write.Resource.sort()).toEqual([`arn:aws:s3:::${bucket}/etcd/*`, `arn:aws:s3:::${bucket}/pki/*`]);
});

test("npm run state lists what Terraform manages in each stack", async () => {
  const list = await workspace.run("state", [stacks.cluster, "list"]);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^aws_autoscaling_group\.workers_group_\w+$/m);
  expect(list.stdout).toMatch(/^aws_instance\.control-plane_node-0_\w+$/m);
  const network = await workspace.run("state", [stacks.network, "list"]);
  expect(network.stdout).toMatch(/^aws_vpc\.network_vpc_\w+$/m);
  const vpcAddress = network.stdout.split("\n").find((l) => l.startsWith("aws_vpc."))!;
  const shown = await workspace.run("state", [stacks.network, "show", vpcAddress]);
  expect(shown.stdout).toContain(`cidr_block`);
  expect(shown.stdout).toContain(`"${definition.network.cidr}"`);
  const missing = await workspace.run("state", ["no-such-stack", "list"]);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain(stacks.cluster);
});

test("npm run audit is clean and npm run diff shows no changes", async () => {
  const audit = await workspace.run("audit");
  timings.cleanAudit = audit.seconds;
  expect({ code: audit.code, output: audit.stdout }).toEqual({ code: 0, output: expect.stringContaining("match their definition") });
  expect(audit.stdout).toMatch(new RegExp(`^${stacks.network}\\s+-\\s+none`, "m"));
  expect(audit.stdout).toMatch(new RegExp(`^${stacks.cluster}\\s+-\\s+none`, "m"));
  const diff = await workspace.run("diff", [stacks.cluster]);
  expect(diff.code).toBe(0);
  expect(diff.stdout + diff.stderr).toMatch(/No changes/);
});

test("the stacks written as HCL (kubeplane synth --hcl) validate and, on the state the JSON deployed, plan no changes", async () => {
  const started = Date.now();
  const written = await synthesizeHcl({ env: workspace.env });
  expect(written.map((s) => s.name)).toEqual([stacks.network, stacks.cluster]);
  for (const stack of written) {
    // The HCL keeps the stack's backend: init reaches the JSON deploy's state file.
    const init = await runTerraform(["init", "-input=false", "-no-color", "-reconfigure"], { cwd: stack.directory, env: workspace.env });
    expect({ stack: stack.name, code: init.code, output: init.stderr }).toEqual({ stack: stack.name, code: 0, output: "" });
    const plan = await runTerraform(["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { cwd: stack.directory, env: workspace.env });
    expect({ stack: stack.name, code: plan.code, output: plan.code === 0 ? "" : plan.stdout + plan.stderr }).toEqual({ stack: stack.name, code: 0, output: "" });
    expect(plan.stdout).toContain("No changes.");
  }
  timings.hclPlan = (Date.now() - started) / 1000;
});

describe("a rule added outside Terraform", () => {
  let workersAddress: string;

  beforeAll(async () => {
    const list = await workspace.run("state", [stacks.cluster, "list"]);
    workersAddress = list.stdout.split("\n").find((l) => /^aws_security_group\.firewall_workers_/.test(l))!;
    const group = (await inventory.securityGroups(cluster)).find((g) => g.GroupName === `kubeplane-${cluster}-workers`);
    await inventory.aws("ec2", "authorize-security-group-ingress", "--group-id", group.GroupId, "--protocol", "tcp", "--port", "22", "--cidr", "0.0.0.0/0");
  });

  test("fails the audit, which names the security group and only it", async () => {
    expect(workersAddress).toBeDefined();
    const audit = await workspace.run("audit");
    timings.driftAudit = audit.seconds;
    expect(audit.code).toBe(2);
    expect(audit.stdout).toMatch(new RegExp(`^${stacks.cluster}\\s+${workersAddress.replace(/\./g, "\\.")}\\s+update\\s+changed outside Terraform: ingress`, "m"));
    expect(audit.stdout).toContain(`audit: ${stacks.cluster} drifted: ${workersAddress} (update)`);
    expect(audit.stdout).toMatch(new RegExp(`^${stacks.network}\\s+-\\s+none`, "m"));
    const driftRows = audit.stdout.split("\n").filter((l) => l.startsWith(stacks.cluster));
    expect(driftRows).toHaveLength(1);
  });

  test("is removed by the next deploy, after which the audit is clean", async () => {
    const deploy = await workspace.run("deploy", [`${cluster}-*`, "--auto-approve"]);
    timings.repairDeploy = deploy.seconds;
    expect(deploy.code).toBe(0);
    const group = (await inventory.securityGroups(cluster)).find((g) => g.GroupName === `kubeplane-${cluster}-workers`);
    expect(group.IpPermissions.some((p: { FromPort?: number; IpRanges: { CidrIp: string }[] }) => p.FromPort === 22 && p.IpRanges.some((r) => r.CidrIp === "0.0.0.0/0"))).toBe(false);
    const audit = await workspace.run("audit");
    expect(audit.code).toBe(0);
  });
});

test("npm run destroy leaves nothing of the cluster in the emulator, not even what its nodes wrote, and nothing of another cluster is touched", async () => {
  // What the nodes write at run time, as they write it; and another cluster's lease.
  const key = (await inventory.enabledKmsKeys(cluster)).find((k) => /join lease/.test(k.Description));
  const writes = await simulateNodeWrites(inventory, cluster, key.Arn);
  const other = await writeOtherClusterParameter(inventory, `${cluster}-other`);
  const tagged = (p: { Tags: { Key: string; Value: string }[] }) => p.Tags.some((t) => t.Key === "kubeplane:cluster" && t.Value === cluster);
  expect((await inventory.ssmParameters(cluster)).map((p) => [p.Name, p.Type, tagged(p)])).toEqual(
    writes.all.map((name) => [name, writes.secure.includes(name) ? "SecureString" : "String", !writes.untagged.includes(name)]),
  );
  // Before: every kind the leftovers check looks at has something, so "nothing left" means gone.
  expect(await inventory.deployedSummary(cluster)).toEqual({
    missingKinds: [],
    instances: definition.controlPlane.count + definition.workerPools[0].desired,
  });
  // cdktf refuses to destroy the network stack alone while the cluster stack is there: nothing removed.
  const networkOnly = await workspace.run("destroy", [stacks.network, "--auto-approve"]);
  expect(networkOnly.code).not.toBe(0);
  expect(networkOnly.stdout + networkOnly.stderr).toContain("dependant stacks are not included");
  expect((await inventory.ssmParameters(cluster)).map((p) => p.Name)).toEqual(writes.all);

  const destroyed = await destroyUntilGone(workspace, [`${cluster}-*`]);
  timings.destroy = destroyed.seconds;
  expect(destroyed.stdout).toContain(`kubeplane destroy: ${stacks.cluster}: removed ${writes.all.length} SSM parameters under /kubeplane/${cluster}/ in ${definition.region}`);
  expect(await inventory.leftovers(cluster)).toEqual({});
  // backups.keepOnDestroy: false (dev.yaml): the backup bucket went with the cluster, and its key
  // (pending deletion, so not among the leftovers' enabled keys) with it; nothing says it was kept.
  expect(await bucketExists(inventory, backupBucketOf(definition))).toBe(false);
  expect(await backupKey(inventory, cluster)).toEqual({});
  expect(destroyed.stdout).not.toContain("keeping the backup store");
  expect((await inventory.aws("ssm", "get-parameter", "--name", other.name)).Parameter.Value).toBe(other.value);
  const list = await workspace.run("state", [stacks.cluster, "list"]);
  expect(list.code).toBe(0);
  expect(list.stdout.trim()).toBe("");
  expect(readdirSync(path.join(workspace.stateDirectory, cluster)).sort()).toEqual(
    expect.arrayContaining([`${stacks.cluster}.tfstate`, `${stacks.network}.tfstate`]),
  );
});

test("when removing the parameters fails after Terraform destroyed the stacks, destroy exits non-zero, names the path and the next step, and the re-run removes them", async () => {
  // Left behind by the nodes (the cluster's key is pending deletion now: Strings).
  const left = [`/kubeplane/${cluster}/join/rotation-lock`, `/kubeplane/${cluster}/cluster/claim`];
  for (const name of left) await inventory.aws("ssm", "put-parameter", "--name", name, "--type", "String", "--value", "i-0123456789abcdef0", "--overwrite");
  // SSM unreachable for kubeplane's SDK client only: Terraform has nothing of SSM to call for empty stacks.
  workspace.env.AWS_ENDPOINT_URL_SSM = "http://127.0.0.1:1";
  let failed;
  try {
    failed = await workspace.run("destroy", [`${cluster}-*`, "--auto-approve"]);
  } finally {
    delete workspace.env.AWS_ENDPOINT_URL_SSM;
  }
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`kubeplane destroy: ${stacks.cluster}: Terraform destroyed the stack, but removing SSM parameters under /kubeplane/${cluster}/ in ${definition.region} failed: `);
  expect(failed.stderr).toContain("ECONNREFUSED");
  expect(failed.stderr).toContain(`Re-run \`npm run destroy -- ${stacks.cluster} --auto-approve\``);
  expect(failed.stderr).toContain(`aws ssm get-parameters-by-path --region ${definition.region} --path '/kubeplane/${cluster}' --recursive`);
  expect(failed.stderr).not.toContain("cdktf destroy failed");
  expect((await inventory.ssmParameters(cluster)).map((p) => p.Name)).toEqual([...left].sort());

  const again = await workspace.run("destroy", [stacks.cluster, "--auto-approve"]);
  expect({ code: again.code, out: again.stdout }).toEqual({ code: 0, out: expect.stringContaining(`kubeplane destroy: ${stacks.cluster}: removed 2 SSM parameters under /kubeplane/${cluster}/`) });
  expect(await inventory.leftovers(cluster)).toEqual({});
});
