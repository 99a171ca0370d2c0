/**
 * The emulator process the deploy suites and `npm run local` start never outlives its owner: a
 * process that ends without calling stop() (a Jest worker that dies, an uncaught error) takes
 * moto_server with it, and stop() leaves no exit handler behind.
 */
import { spawn } from "child_process";
import { connectionError, startEmulator } from "../support/emulator";
import { PROJECT_ROOT } from "../../cli/terraform-environment";
import { awsJson } from "../support/node-simulation/aws-cli";

jest.setTimeout(120_000);

/** Runs `script` in a node process with the emulator module loaded; resolves to what it printed. */
function runOwner(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "-e", script], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

const START = `const { startEmulator } = require("./cli/aws-emulator");`;

test.each([
  ["process.exit", `${START} startEmulator().then((e) => { console.log(e.endpoint); process.exit(3); });`, 3],
  ["an uncaught error", `${START} startEmulator().then((e) => { console.log(e.endpoint); setTimeout(() => { throw new Error("worker died"); }); });`, 1],
])("an owner that ends by %s without stop() takes the emulator with it", async (_how, script, exitCode) => {
  const owner = await runOwner(script);
  expect(owner.code).toBe(exitCode);
  const endpoint = owner.stdout.trim();
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(await connectionError(`${endpoint}/moto-api/`)).toBe("ECONNREFUSED");
});

test("an owner killed outright (SIGKILL: no handler runs) takes the emulator with it", async () => {
  // The owner prints the endpoint and stays; kill -9 leaves the emulator to notice on its own
  // that its parent is gone (an orphaned emulator also kept the suites' flock held for good).
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "-e", `${START} startEmulator().then((e) => { console.log(e.endpoint); setInterval(() => {}, 1000); });`], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("close", (code) => reject(new Error(`the owner ended (${code}) before printing the endpoint`)));
  });
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await fetch(`${endpoint}/moto-api/`)).ok).toBe(true);
  child.kill("SIGKILL");
  // Polled for up to 20 s (the emulator checks on its owner twice a second).
  let error = "answered";
  for (let i = 0; i < 40 && error === "answered"; i++) {
    await new Promise((r) => setTimeout(r, 500));
    error = await connectionError(`${endpoint}/moto-api/`);
  }
  expect(error).toBe("ECONNREFUSED");
});

test("stop() stops the emulator and removes its exit handler", async () => {
  const before = process.listenerCount("exit");
  const emulator = await startEmulator();
  expect(process.listenerCount("exit")).toBe(before + 1);
  expect((await fetch(`${emulator.endpoint}/moto-api/`)).ok).toBe(true);
  await emulator.stop();
  expect(process.listenerCount("exit")).toBe(before);
  expect(await connectionError(`${emulator.endpoint}/moto-api/`)).toBe("ECONNREFUSED");
});

test("a hosted zone created with a VPC and no PrivateZone flag is private, as AWS makes it (and as the Terraform provider asks)", async () => {
  const emulator = await startEmulator();
  try {
    const env = { ...emulator.env, AWS_DEFAULT_REGION: "eu-west-1" };
    const vpc = await awsJson<{ Vpc: { VpcId: string } }>(env, ["ec2", "create-vpc", "--cidr-block", "10.9.0.0/16"]);
    // What the provider sends for aws_route53_zone with a vpc block: the VPC element, no HostedZoneConfig.PrivateZone.
    const created = await awsJson<{ HostedZone: { Id: string; Config: { PrivateZone: boolean } } }>(env, [
      "route53", "create-hosted-zone", "--name", "dev.kubeplane.internal", "--caller-reference", "quirk-test",
      "--vpc", `VPCRegion=eu-west-1,VPCId=${vpc.Vpc.VpcId}`,
    ]);
    expect(created.HostedZone.Config.PrivateZone).toBe(true);
    const zone = await awsJson<{ VPCs: { VPCId: string }[] }>(env, ["route53", "get-hosted-zone", "--id", created.HostedZone.Id]);
    expect(zone.VPCs.map((v) => v.VPCId)).toEqual([vpc.Vpc.VpcId]);
  } finally {
    await emulator.stop();
  }
});

test("route 53 changes, in sync as soon as they are made, come back without a change to wait for (the provider then skips its 10-30 s wait)", async () => {
  const emulator = await startEmulator();
  try {
    const env = { ...emulator.env, AWS_DEFAULT_REGION: "eu-west-1" };
    const vpc = await awsJson<{ Vpc: { VpcId: string } }>(env, ["ec2", "create-vpc", "--cidr-block", "10.9.0.0/16"]);
    const created = await awsJson<{ HostedZone: { Id: string }; ChangeInfo?: unknown }>(env, [
      "route53", "create-hosted-zone", "--name", "dev.kubeplane.internal", "--caller-reference", "insync-test",
      "--vpc", `VPCRegion=eu-west-1,VPCId=${vpc.Vpc.VpcId}`,
    ]);
    expect(created.ChangeInfo).toBeUndefined();
    const batch = (action: string) =>
      JSON.stringify({ Changes: [{ Action: action, ResourceRecordSet: { Name: "api.dev.kubeplane.internal", Type: "A", TTL: 60, ResourceRecords: [{ Value: "10.9.0.10" }] } }] });
    const record = await awsJson<{ ChangeInfo?: unknown } | undefined>(env, ["route53", "change-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id, "--change-batch", batch("CREATE")]);
    expect(record?.ChangeInfo).toBeUndefined();
    // The change is made all the same.
    const listed = await awsJson<{ ResourceRecordSets: { Name: string; Type: string }[] }>(env, ["route53", "list-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id]);
    expect(listed.ResourceRecordSets.map((r) => `${r.Name} ${r.Type}`)).toContain("api.dev.kubeplane.internal. A");
    // (The aws CLI prints nothing for an answer with no members.)
    const deleted = await awsJson<{ ChangeInfo?: unknown } | undefined>(env, ["route53", "change-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id, "--change-batch", batch("DELETE")]);
    expect(deleted?.ChangeInfo).toBeUndefined();
    const zoneDeleted = await awsJson<{ ChangeInfo?: unknown } | undefined>(env, ["route53", "delete-hosted-zone", "--id", created.HostedZone.Id]);
    expect(zoneDeleted?.ChangeInfo).toBeUndefined();
    const zones = await awsJson<{ HostedZones: unknown[] }>(env, ["route53", "list-hosted-zones"]);
    expect(zones.HostedZones).toEqual([]);
    // GetChange still answers (INSYNC) for anything that asks.
    const change = await awsJson<{ ChangeInfo: { Status: string } }>(env, ["route53", "get-change", "--id", "/change/C2682N5HXP0BZ4"]);
    expect(change.ChangeInfo.Status).toBe("INSYNC");
  } finally {
    await emulator.stop();
  }
});

test("a launch template's own tags stay on the template, not in its first version's data (as AWS keeps them)", async () => {
  const emulator = await startEmulator();
  try {
    const env = { ...emulator.env, AWS_DEFAULT_REGION: "eu-west-1" };
    // What the provider sends for aws_launch_template with tags and tag_specifications.
    await awsJson(env, [
      "ec2", "create-launch-template", "--launch-template-name", "kubeplane-dev-workers",
      "--tag-specifications", "ResourceType=launch-template,Tags=[{Key=kubeplane:cluster,Value=dev}]",
      "--launch-template-data", JSON.stringify({ ImageId: "ami-12c6146b", TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "kubeplane:role", Value: "worker" }] }] }),
    ]);
    const templates = await awsJson<{ LaunchTemplates: { Tags: { Key: string; Value: string }[] }[] }>(env, ["ec2", "describe-launch-templates", "--launch-template-names", "kubeplane-dev-workers"]);
    expect(templates.LaunchTemplates[0].Tags).toEqual([{ Key: "kubeplane:cluster", Value: "dev" }]);
    const versions = await awsJson<{ LaunchTemplateVersions: { LaunchTemplateData: { TagSpecifications?: unknown } }[] }>(env, ["ec2", "describe-launch-template-versions", "--launch-template-name", "kubeplane-dev-workers"]);
    expect(versions.LaunchTemplateVersions[0].LaunchTemplateData.TagSpecifications).toEqual([{ ResourceType: "instance", Tags: [{ Key: "kubeplane:role", Value: "worker" }] }]);
  } finally {
    await emulator.stop();
  }
});
