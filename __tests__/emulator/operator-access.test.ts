/**
 * Operator access against the AWS emulator, deploying as little as proves it: one stack with the
 * dev cluster's node identities and its operator access (the mint document and the operator
 * policy, as the cluster stack makes them), and instances run with the tags the cluster's nodes
 * carry. `kubeplane kubeconfig` then runs its real AWS side (the SDK against the emulator): its
 * SendCommand reaches the emulator, and the control-plane node the command targets is simulated
 * by running the real mint script with the real aws CLI against the emulator (the emulator runs no
 * command itself). Checked: the document and policy exist and are scoped to the cluster's
 * control-plane nodes; the kubeconfig is written and nothing is left (no hand-back parameter,
 * nothing in state); bad input and failures give clear errors and exit 1; validate's and
 * tunnel's cloud reads find the instances.
 */
import { mkdtempSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { parse } from "yaml";
import { runKubeconfig, runTunnel } from "../../cli/access/operator-commands";
import { runKubeplane } from "../../cli/kubeplane";
import { PROJECT_ROOT } from "../../cli/terraform-environment";
import { runTerraform } from "../../cli/terraform-command";
import { MINT_KUBECONFIG_COMMAND } from "../../bootstrap/user-data";
import { AwsCloud } from "../../providers/aws/aws-cloud";
import { AwsOperatorAccessRuntime, OperatorAccessCalls, sdkCalls } from "../../providers/aws/aws-operator-access-runtime";
import { parameterPath } from "../../providers/aws/ssm-parameter-backend";
import { Emulator, EMULATOR_AMIS, startEmulator } from "../support/emulator";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { realAwsCli } from "../support/node-simulation/simulated-node";
import { mintArguments, mintNode, MintNode, runMint } from "../support/access/mint-node";
import { exampleDefinition } from "../support/examples";

jest.setTimeout(5 * 60_000);

const definition = exampleDefinition("dev");
const cluster = definition.name;
const DEV = path.join(PROJECT_ROOT, "clusters", "dev.yaml");

let emulator: Emulator;
let inventory: EmulatorInventory;
let stackDir: string;
let stateFile: string;
let controlPlane: string;
let worker: string;
const started = Date.now();
const timings: Record<string, number> = {};

async function runInstance(tags: Record<string, string>): Promise<string> {
  const ami = (JSON.parse(readFileSync(EMULATOR_AMIS, "utf8")) as { ami_id: string }[])[0].ami_id;
  const tagSpec = `ResourceType=instance,Tags=[${Object.entries(tags).map(([k, v]) => `{Key=${k},Value=${v}}`).join(",")}]`;
  const answer = await inventory.aws("ec2", "run-instances", "--image-id", ami, "--instance-type", "t3.medium", "--count", "1", "--tag-specifications", tagSpec);
  return answer.Instances[0].InstanceId;
}

const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator();
  inventory = new EmulatorInventory(emulator.env, definition.region);
  // The SDK clients take endpoint and credentials from the process's environment, as in a user's shell.
  for (const [k, v] of Object.entries(emulator.env)) if (k.startsWith("AWS_")) process.env[k] = v;
  // The dev cluster's node identities and operator access, as ClusterStack makes them.
  const outdir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-access-"));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, `${cluster}-access`);
  stateFile = path.join(outdir, `${cluster}-access.tfstate`);
  new LocalBackend(stack, { path: stateFile });
  const cloud = new AwsCloud();
  cloud.configureStack(stack, definition);
  const identities = cloud.createNodeIdentities(stack, "identities", { clusterName: cluster });
  cloud.createOperatorAccess(stack, "operator-access", { clusterName: cluster, controlPlane: identities.controlPlane, mintCommand: MINT_KUBECONFIG_COMMAND, parameterPath: parameterPath(cluster) });
  app.synth();
  stackDir = path.join(outdir, "stacks", `${cluster}-access`);
  for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
    const r = await runTerraform(args, { cwd: stackDir, env: emulator.env });
    if (r.code !== 0) throw new Error(`terraform ${args[0]}: ${r.stderr || r.stdout}`);
  }
  controlPlane = await runInstance({ "kubeplane:cluster": cluster, "kubeplane:role": "control-plane", "kubeplane:bootstrap": "ready", Name: `${cluster}-control-plane-0` });
  worker = await runInstance({ "kubeplane:cluster": cluster, "kubeplane:role": "worker", "kubeplane:bootstrap": "failed: joining the cluster" });
  timings.deploy = (Date.now() - started) / 1000;
});

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith("AWS_") && !(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await emulator?.stop();
  timings.total = (Date.now() - started) / 1000;
  process.stdout.write(`operator access timings, seconds: ${JSON.stringify(timings)}\n`);
});

/** The SDK's calls against the emulator; the targeted control-plane node answers SendCommand by running the mint script. */
const sentTo: string[][] = [];
function withSimulatedNode(node: MintNode, region: string): (r: string) => Promise<OperatorAccessCalls> {
  return async () => {
    const calls = await sdkCalls(region);
    return {
      ...calls,
      sendCommand: async (input) => {
        const sent = await calls.sendCommand(input);
        sentTo.push(input.InstanceIds);
        // What the SSM agent on the node would run: the document's runCommand with these parameters.
        const run = runMint(node, mintArguments(input.Parameters), { ...emulator.env, KUBEPLANE_AWS_REGION: region }, realAwsCli());
        if (run.status !== 0 && !run.stderr.includes("error:")) throw new Error(`the simulated node failed oddly:\n${run.stderr}`);
        return sent;
      },
    };
  };
}

function cliWith(env: NodeJS.ProcessEnv) {
  const out = { text: "" };
  const err = { text: "" };
  return { out, err, cli: { env, stdout: { write: (s: string | Uint8Array) => (out.text += s) }, stderr: { write: (s: string | Uint8Array) => (err.text += s) }, now: Date.now, exitCode: 0 } };
}

const deps = (connect: (r: string) => Promise<OperatorAccessCalls>) => ({
  definitions: () => [definition],
  access: async () => new AwsOperatorAccessRuntime(definition, { connect, pollMs: 200, mintTimeoutMs: 15_000 }),
});

test("the mint document exists, runs the mint command with parameters held to patterns, on instances", async () => {
  const document = await inventory.aws("ssm", "describe-document", "--name", `kubeplane-${cluster}-mint-kubeconfig`);
  expect(document.Document).toMatchObject({ DocumentType: "Command", TargetType: "/AWS::EC2::Instance", Status: "Active" });
  const content = JSON.parse((await inventory.aws("ssm", "get-document", "--name", `kubeplane-${cluster}-mint-kubeconfig`)).Content);
  expect(content.mainSteps[0].inputs.runCommand[0]).toMatch(new RegExp(`^${MINT_KUBECONFIG_COMMAND} --client-name \\{\\{ clientName \\}\\} `));
  for (const parameter of Object.values(content.parameters) as { allowedPattern: string }[]) expect(parameter.allowedPattern).toMatch(/^\^.*\$$/);
});

test("the operator policy is there, unattached, and sends commands and sessions only to the cluster's control-plane nodes", async () => {
  const [policy] = await inventory.iamPolicies(cluster);
  expect(policy).toMatchObject({ PolicyName: `kubeplane-${cluster}-operator`, AttachmentCount: 0 });
  const version = await inventory.aws("iam", "get-policy-version", "--policy-arn", policy.Arn, "--version-id", policy.DefaultVersionId);
  const document = typeof version.PolicyVersion.Document === "string" ? JSON.parse(decodeURIComponent(version.PolicyVersion.Document)) : version.PolicyVersion.Document;
  const byId = Object.fromEntries(document.Statement.map((s: { Sid: string }) => [s.Sid, s]));
  const onControlPlane = { "ssm:resourceTag/kubeplane:cluster": cluster, "ssm:resourceTag/kubeplane:role": "control-plane" };
  expect(byId.MintOnControlPlane.Condition.StringEquals).toEqual(onControlPlane);
  expect(byId.TunnelThroughControlPlane.Condition.StringEquals).toEqual(onControlPlane);
  expect(byId.MintDocument.Resource).toEqual([expect.stringMatching(new RegExp(`:document/kubeplane-${cluster}-mint-kubeconfig$`))]);
  expect(byId.TakeHandBack.Resource).toEqual([expect.stringMatching(new RegExp(`:parameter/kubeplane/${cluster}/access/\\*$`))]);
});

describe("kubeplane kubeconfig", () => {
  let file: string;
  let out: string;

  beforeAll(async () => {
    const t = Date.now();
    file = path.join(mkdtempSync(path.join(os.tmpdir(), "kubeplane-kube-")), "config");
    const run = cliWith({ ...emulator.env, USER: "alice" });
    await runKubeconfig(run.cli, deps(withSimulatedNode(mintNode(), definition.region)), cluster, { ttl: "30m", output: file });
    out = run.out.text;
    timings.kubeconfig = (Date.now() - t) / 1000;
  });

  test("the command went to the running control-plane node, with the mint document", async () => {
    expect(sentTo).toEqual([[controlPlane]]);
    // The emulator took it, for the cluster's mint document (moto 5.2.1 lists every instance among its InstanceIds).
    const commands = (await inventory.aws("ssm", "list-commands")).Commands;
    expect(commands.map((c: { DocumentName: string; InstanceIds: string[] }) => [c.DocumentName, c.InstanceIds.includes(controlPlane)])).toEqual([[`kubeplane-${cluster}-mint-kubeconfig`, true]]);
    expect(out).toContain(`minted on ${controlPlane}`);
  });

  test("it wrote the context, with a credential of --ttl's length", () => {
    const config = parse(readFileSync(file, "utf8"));
    expect(config["current-context"]).toBe(`kubeplane-${cluster}`);
    expect(config.users[0].name).toBe(`kubeplane-${cluster}-alice`);
    expect(out).toMatch(/expires (\S+)\)/);
    const expires = Date.parse(/expires (\S+)\)/.exec(out)![1]);
    expect(expires).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 31 * 60_000);
  });

  test("it leaves nothing behind: no hand-back parameter, nothing of it in Terraform state", async () => {
    expect(await inventory.handBackParameters(cluster)).toEqual([]);
    expect(await inventory.ssmParameters(cluster)).toEqual([]);
    const state = readFileSync(stateFile, "utf8");
    expect(state).toContain(`kubeplane-${cluster}-mint-kubeconfig`);
    const key = parse(readFileSync(file, "utf8")).users[0].user["client-key-data"] as string;
    expect(state).not.toContain(key.slice(0, 32));
    expect(state).not.toMatch(/client-key-data|BEGIN (RSA )?PRIVATE KEY|aws_ssm_parameter/);
  });
});

describe("bad input and failures: a clear error and exit 1", () => {
  const env = () => ({ ...emulator.env, KUBEPLANE_CLUSTERS: DEV });
  async function kubeplane(args: string[]) {
    let err = "";
    const code = await runKubeplane(args, { env: env(), stdout: { write: () => true }, stderr: { write: (s) => (err += s) } });
    return { code, err };
  }

  test("an unknown cluster", async () => {
    expect(await kubeplane(["kubeconfig", "nosuch"])).toEqual({ code: 1, err: expect.stringMatching(/^kubeplane: unknown cluster "nosuch"; .* have dev\n$/) });
  });

  test("a TTL out of range", async () => {
    expect(await kubeplane(["kubeconfig", cluster, "--ttl", "48h"])).toEqual({ code: 1, err: "kubeplane: --ttl 48h is longer than a kubeconfig may live (24h at most)\n" });
  });

  test("the mint command failing on the node: its reason, and no parameter left", async () => {
    const notInitialised = mintNode("control-plane-join", false);
    const run = cliWith(emulator.env);
    await expect(runKubeconfig(run.cli, deps(withSimulatedNode(notInitialised, definition.region)), cluster, {})).rejects.toThrow(
      new RegExp(`control-plane node ${controlPlane} could not mint the kubeconfig: this control-plane node is not initialised`),
    );
    expect(await inventory.handBackParameters(cluster)).toEqual([]);
  });

  test("no running control-plane node (the real command line, SDK against the emulator)", async () => {
    await inventory.aws("ec2", "stop-instances", "--instance-ids", controlPlane);
    try {
      const r = await kubeplane(["kubeconfig", cluster, "--output", path.join(os.tmpdir(), "never")]);
      expect(r.err).toMatch(new RegExp(`\nkubeplane: cluster "${cluster}" has no running control-plane node in ${definition.region} \\(is it deployed\\? kubeplane validate ${cluster} lists its instances\\)\n$`));
      expect(r.code).toBe(1);
    } finally {
      await inventory.aws("ec2", "start-instances", "--instance-ids", controlPlane);
    }
  });
});

test("validate's and tunnel's cloud side: the instances with their roles and bootstrap status; the session through the control plane", async () => {
  const runtime = new AwsOperatorAccessRuntime(definition);
  const { instances } = await runtime.inventory();
  expect(instances.map((i) => [i.id, i.role, i.state, i.bootstrap]).sort()).toEqual(
    [
      [controlPlane, "control-plane", "running", { state: "ready" }],
      [worker, "worker", "running", { state: "failed", step: "joining the cluster" }],
    ].sort(),
  );
  const tunnel = cliWith(emulator.env);
  expect(await runTunnel(tunnel.cli, { definitions: () => [definition] }, cluster, { print: true })).toBe(0);
  expect(tunnel.out.text).toContain(`--target ${controlPlane} --document-name AWS-StartPortForwardingSessionToRemoteHost`);
});
