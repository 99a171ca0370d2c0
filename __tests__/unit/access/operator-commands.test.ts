/**
 * `kubeplane kubeconfig` and `tunnel` through the AWS run-time side (providers/aws/aws-operator-access-runtime.ts)
 * with stand-in AWS calls: SendCommand runs the real bootstrap/node/mint-kubeconfig.sh as the mint
 * document would (its parameters become the script's arguments; the stub aws CLI is Parameter
 * Store, shared with GetParameter/DeleteParameter here). What it proves: the request reaches a
 * running control-plane node with parameters the document's patterns admit; the kubeconfig is
 * merged into the user's file (0600, others' contexts kept) with a credential no longer than
 * --ttl; nothing is left in the parameter store; bad input and failures are clear errors.
 */
import { X509Certificate } from "crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { runKubeconfig, runTunnel } from "../../../cli/access/operator-commands";
import { runKubeplane } from "../../../cli/kubeplane";
import { MINT_PARAMETERS } from "../../../providers/aws/aws-operator-access";
import { AwsOperatorAccessRuntime, OperatorAccessCalls } from "../../../providers/aws/aws-operator-access-runtime";
import { exampleDefinition } from "../../support/examples";
import { MintNode, mintArguments, mintNode, runMint } from "../../support/access/mint-node";

const definition = exampleDefinition("dev");
const CP = "i-0c0000000000000a1";

interface FakeInstance {
  id: string;
  role: string;
  state: string;
  bootstrap?: string;
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** AWS as the runtime sees it; the control-plane node `node` answers SendCommand by running the mint script. */
function fakeAws(node: MintNode, instances: FakeInstance[], options: { onSend?: (p: Record<string, string[]>) => Record<string, string[]> | "never" | Error } = {}) {
  const sent: { DocumentName: string; InstanceIds: string[]; Parameters: Record<string, string[]> }[] = [];
  const file = (name: string) => path.join(node.parameters, name.replace(/\//g, "%"));
  const calls: OperatorAccessCalls = {
    describeInstances: async ({ Filters }) => {
      const want = (name: string) => Filters.find((f) => f.Name === name)?.Values;
      const matching = instances.filter(
        (i) => (!want("tag:kubeplane:role") || want("tag:kubeplane:role")!.includes(i.role)) && (!want("instance-state-name") || want("instance-state-name")!.includes(i.state)),
      );
      expect(want("tag:kubeplane:cluster")).toEqual(["dev"]);
      return {
        Reservations: [
          {
            Instances: matching.map((i) => ({
              InstanceId: i.id,
              State: { Name: i.state },
              Placement: { AvailabilityZone: "eu-west-1a" },
              Tags: [
                { Key: "kubeplane:cluster", Value: "dev" },
                { Key: "kubeplane:role", Value: i.role },
                ...(i.bootstrap ? [{ Key: "kubeplane:bootstrap", Value: i.bootstrap }] : []),
              ],
            })),
          },
        ],
      };
    },
    describeAutoScalingGroups: async () => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: "kubeplane-dev-workers",
          DesiredCapacity: 2,
          Instances: [{ InstanceId: "i-1", LifecycleState: "InService" }, { InstanceId: "i-2", LifecycleState: "Pending" }],
          Tags: [{ Key: "kubeplane:role", Value: "worker" }],
        },
      ],
    }),
    sendCommand: async (input) => {
      sent.push(input);
      const changed = options.onSend?.(input.Parameters) ?? input.Parameters;
      if (changed instanceof Error) throw changed;
      if (changed !== "never") runMint(node, mintArguments(changed));
      return { Command: { CommandId: "c0ffee00-0000-4000-8000-000000000001" } };
    },
    getParameter: async ({ Name }) => {
      if (!existsSync(file(Name))) throw awsError("ParameterNotFound", "");
      return { Parameter: { Value: readFileSync(file(Name), "utf8") } };
    },
    deleteParameter: async ({ Name }) => {
      if (!existsSync(file(Name))) throw awsError("ParameterNotFound", "");
      rmSync(file(Name));
      return {};
    },
    getSecretValue: async () => {
      throw new Error("the dev cluster keeps its hand-back in Parameter Store, not Secrets Manager");
    },
    deleteSecret: async () => {
      throw new Error("the dev cluster keeps its hand-back in Parameter Store, not Secrets Manager");
    },
    close: () => undefined,
  };
  return { calls, sent };
}

function cliFor(env: NodeJS.ProcessEnv) {
  const out = { text: "" };
  const err = { text: "" };
  return { out, err, cli: { env, stdout: { write: (s: string | Uint8Array) => (out.text += s) }, stderr: { write: (s: string | Uint8Array) => (err.text += s) }, now: Date.now, exitCode: 0 } };
}

function depsWith(calls: OperatorAccessCalls, mintTimeoutMs = 2000) {
  return { definitions: () => [definition], access: async () => new AwsOperatorAccessRuntime(definition, { connect: async () => calls, pollMs: 5, mintTimeoutMs }) };
}

/** What is left in the stand-in parameter store. */
const leftover = (node: MintNode) => readdirSync(node.parameters).map((f) => f.replace(/%/g, "/"));

describe("kubeplane kubeconfig", () => {
  const instances: FakeInstance[] = [
    { id: "i-0a0000000000000b1", role: "worker", state: "running", bootstrap: "ready" },
    { id: "i-0c0000000000000a0", role: "control-plane", state: "stopped" },
    { id: CP, role: "control-plane", state: "running", bootstrap: "ready" },
  ];

  test("mints on a running control-plane node and merges the credential into the user's kubeconfig, leaving nothing behind", async () => {
    const node = mintNode();
    const { calls, sent } = fakeAws(node, instances);
    const home = mkdtempSync(path.join(os.tmpdir(), "kubeplane-home-"));
    const file = path.join(home, ".kube", "config");
    mkdirSync(path.dirname(file));
    writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: { server: https://other:6443 }\ncontexts:\n- name: other\n  context: { cluster: other, user: other }\nusers:\n- name: other\n  user: { token: t }\ncurrent-context: other\n");
    chmodSync(file, 0o644);
    const { cli, out } = cliFor({ HOME: home, USER: "alice" });
    const started = Date.now();
    expect(await runKubeconfig(cli, depsWith(calls), "dev", { ttl: "2h" })).toBe(0);

    expect(sent).toHaveLength(1);
    expect(sent[0].DocumentName).toBe("kubeplane-dev-mint-kubeconfig");
    expect(sent[0].InstanceIds).toEqual([CP]);
    for (const [key, spec] of Object.entries(MINT_PARAMETERS)) expect(sent[0].Parameters[key][0]).toMatch(new RegExp(spec.allowedPattern));
    expect(sent[0].Parameters).toMatchObject({ clientName: ["alice"], group: ["kubeadm:cluster-admins"], validitySeconds: ["7200"] });

    const config = parse(readFileSync(file, "utf8"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(config["current-context"]).toBe("kubeplane-dev");
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(["other", "kubeplane-dev"]);
    expect(config.contexts[1].context).toEqual({ cluster: "kubeplane-dev", user: "kubeplane-dev-alice" });
    expect(config.clusters[1].cluster.server).toBe("https://api.dev.kubeplane.internal:6443");
    const cert = new X509Certificate(Buffer.from(config.users[1].user["client-certificate-data"], "base64"));
    expect(cert.subject).toBe("O=kubeadm:cluster-admins\nCN=alice");
    expect(Date.parse(cert.validTo)).toBeLessThanOrEqual(started + 7200_000 + 60_000);
    expect(out.text).toMatch(/^wrote context kubeplane-dev \(user alice, group kubeadm:cluster-admins, expires .*\) to .*\.kube\/config, minted on i-0c0000000000000a1$/m);
    expect(leftover(node)).toEqual([]);
  });

  test("a credential that would outlive --ttl is refused and not written", async () => {
    const node = mintNode();
    const { calls } = fakeAws(node, instances, { onSend: (p) => ({ ...p, validitySeconds: ["86400"] }) });
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-out-"));
    const { cli } = cliFor({ HOME: dir });
    await expect(runKubeconfig(cli, depsWith(calls), "dev", { ttl: "1h", output: path.join(dir, "k") })).rejects.toThrow(/minted a certificate valid until .*, past --ttl 1h: not written/);
    expect(existsSync(path.join(dir, "k"))).toBe(false);
    expect(leftover(node)).toEqual([]);
  });

  test("a node that cannot mint: its reason, and the error hand-back removed", async () => {
    const node = mintNode("control-plane-join", false);
    const { calls } = fakeAws(node, instances);
    const { cli } = cliFor({ HOME: mkdtempSync(path.join(os.tmpdir(), "kubeplane-home-")) });
    await expect(runKubeconfig(cli, depsWith(calls), "dev", {})).rejects.toThrow(/control-plane node i-0c0000000000000a1 could not mint the kubeconfig: this control-plane node is not initialised/);
    expect(leftover(node)).toEqual([]);
  });

  test("a node that never answers: a timeout naming the command", async () => {
    const node = mintNode();
    const { calls } = fakeAws(node, instances, { onSend: () => "never" });
    const { cli } = cliFor({ HOME: mkdtempSync(path.join(os.tmpdir(), "kubeplane-home-")) });
    await expect(runKubeconfig(cli, depsWith(calls, 100), "dev", {})).rejects.toThrow(/handed nothing back within 0 s \(is its SSM agent online\? aws ssm list-command-invocations --region eu-west-1 --command-id c0ffee00/);
  });

  test("no running control-plane node, or no mint document: clear errors", async () => {
    const node = mintNode();
    const { cli } = cliFor({ HOME: mkdtempSync(path.join(os.tmpdir(), "kubeplane-home-")) });
    const stopped = fakeAws(node, [instances[0], instances[1]]);
    await expect(runKubeconfig(cli, depsWith(stopped.calls), "dev", {})).rejects.toThrow(/cluster "dev" has no running control-plane node in eu-west-1/);
    const missing = fakeAws(node, instances, { onSend: () => awsError("InvalidDocument", "Document kubeplane-dev-mint-kubeconfig does not exist") });
    await expect(runKubeconfig(cli, depsWith(missing.calls), "dev", {})).rejects.toThrow(/the mint document kubeplane-dev-mint-kubeconfig does not exist in eu-west-1: deploy the cluster stack \(dev-cluster\) first/);
  });

  test.each([
    [["--ttl", "25h"], /--ttl 25h is longer than a kubeconfig may live \(24h at most\)/],
    [["--ttl", "1m"], /--ttl 1m is shorter than 5m/],
    [["--ttl", "soon"], /--ttl "soon" is not a duration/],
    [["--user", "al ice"], /--user "al ice" is not a user name/],
  ])("the command line refuses %j before asking the cloud", async (extra, message) => {
    let err = "";
    const code = await runKubeplane(["kubeconfig", "dev", ...extra], { stdout: { write: () => true }, stderr: { write: (s) => (err += s) }, env: { ...process.env, AWS_ENDPOINT_URL: "http://127.0.0.1:1" } });
    expect(err).toMatch(message);
    expect(code).toBe(1);
  });
});

describe("kubeplane tunnel", () => {
  const instances: FakeInstance[] = [{ id: CP, role: "control-plane", state: "running", bootstrap: "ready" }];

  test("--print: the session command of the AWS docs and the kubeconfig change", async () => {
    const { calls } = fakeAws(mintNode(), instances);
    const { cli, out } = cliFor({});
    expect(await runTunnel(cli, depsWith(calls), "dev", { port: "16443", print: true })).toBe(0);
    expect(out.text).toBe(
      `aws ssm start-session --region eu-west-1 --target ${CP} --document-name AWS-StartPortForwardingSessionToRemoteHost ` +
        `--parameters '{"host":["api.dev.kubeplane.internal"],"portNumber":["6443"],"localPortNumber":["16443"]}'\n` +
        "kubectl config set-cluster kubeplane-dev --server=https://localhost:16443 --tls-server-name=api.dev.kubeplane.internal\n",
    );
  });

  test("without the Session Manager plugin: says what to install, exit 1", async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), "kubeplane-bin-"));
    writeFileSync(path.join(bin, "aws"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const { calls } = fakeAws(mintNode(), instances);
    const { cli, err } = cliFor({ PATH: bin });
    expect(await runTunnel(cli, depsWith(calls), "dev", {})).toBe(1);
    expect(err.text).toMatch(/^kubeplane: tunnel needs session-manager-plugin on PATH; install the Session Manager plugin for the AWS CLI: https:\/\/docs\.aws\.amazon\.com\/systems-manager\/latest\/userguide\/session-manager-working-with-install-plugin\.html\n$/);
  });

  test("with the plugin: runs the session command and ends with its exit code", async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), "kubeplane-bin-"));
    const record = path.join(bin, "args");
    writeFileSync(path.join(bin, "aws"), `#!/bin/sh\nprintf '%s\\n' "$@" > ${record}\necho "Starting session with SessionId: alice-0a1b2c3d4e5f67890"\nexit 0\n`, { mode: 0o755 });
    writeFileSync(path.join(bin, "session-manager-plugin"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const { calls } = fakeAws(mintNode(), instances);
    const { cli, out, err } = cliFor({ PATH: `${bin}:/usr/bin:/bin` });
    expect(await runTunnel(cli, depsWith(calls), "dev", {})).toBe(0);
    expect(readFileSync(record, "utf8").trim().split("\n")).toEqual([
      "ssm", "start-session", "--region", "eu-west-1", "--target", CP, "--document-name", "AWS-StartPortForwardingSessionToRemoteHost",
      "--parameters", '{"host":["api.dev.kubeplane.internal"],"portNumber":["6443"],"localPortNumber":["6443"]}',
    ]);
    expect(out.text).toMatch(/Starting session with SessionId/);
    expect(err.text).toMatch(/kubectl config set-cluster kubeplane-dev --server=https:\/\/localhost:6443 --tls-server-name=api\.dev\.kubeplane\.internal/);
  });
});

describe("the cluster's inventory", () => {
  test("instances by role with their bootstrap status (the bastion is no node), and in-service workers", async () => {
    const { calls } = fakeAws(mintNode(), [
      { id: CP, role: "control-plane", state: "running", bootstrap: "ready" },
      { id: "i-0a0000000000000b1", role: "worker", state: "running", bootstrap: "failed: joining the cluster" },
      { id: "i-0a0000000000000b2", role: "worker", state: "pending" },
      { id: "i-0b0000000000000c1", role: "bastion", state: "running" },
    ]);
    const inventory = await new AwsOperatorAccessRuntime(definition, { connect: async () => calls }).inventory();
    expect(inventory.instances).toEqual([
      { id: CP, role: "control-plane", state: "running", providerId: `aws:///eu-west-1a/${CP}`, bootstrap: { state: "ready" } },
      { id: "i-0a0000000000000b1", role: "worker", state: "running", providerId: "aws:///eu-west-1a/i-0a0000000000000b1", bootstrap: { state: "failed", step: "joining the cluster" } },
      { id: "i-0a0000000000000b2", role: "worker", state: "pending", providerId: "aws:///eu-west-1a/i-0a0000000000000b2", bootstrap: { state: "unknown" } },
    ]);
    expect(inventory.workerGroups).toEqual([{ name: "kubeplane-dev-workers", desired: 2, inService: 1 }]);
  });
});

describe("the hand-back in Secrets Manager (joinTokens.backend: secretsmanager)", () => {
  const smDefinition = { ...definition, joinTokens: { ...definition.joinTokens, backend: "secretsmanager" as const } };
  /**
   * Secrets Manager as the runtime calls it, shaped as botocore's model says
   * (botocore data/secretsmanager/2017-10-17/service-2.json: GetSecretValueResponse {ARN, Name,
   * VersionId, SecretString, VersionStages, CreatedDate}; DeleteSecretResponse {ARN, Name,
   * DeletionDate}; GetSecretValue's error ResourceNotFoundException {Message}). The node's side is
   * what bootstrap/node/mint-kubeconfig.sh writes through backends/secretsmanager.sh's
   * backend_create: <kubeplane/<cluster>>/access/<id>/{1..n,parts} or .../error.
   */
  function fakeSecrets(answer: (id: string) => Record<string, string>) {
    const secrets = new Map<string, string>();
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    const ssmOnly = async () => {
      throw new Error("a secretsmanager cluster's hand-back is not in Parameter Store");
    };
    const calls: OperatorAccessCalls = {
      ...fakeAws(mintNode(), [{ id: CP, role: "control-plane", state: "running", bootstrap: "ready" }]).calls,
      sendCommand: async ({ Parameters }) => {
        for (const [name, value] of Object.entries(answer(Parameters.handback[0]))) secrets.set(name, value);
        return { Command: { CommandId: "c0ffee00-0000-4000-8000-000000000002" } };
      },
      getParameter: ssmOnly,
      deleteParameter: ssmOnly,
      getSecretValue: async ({ SecretId }) => {
        const value = secrets.get(SecretId);
        if (value === undefined) throw awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        return { ARN: arn(SecretId), Name: SecretId, VersionId: "7a1b2c3d-0000-4000-8000-000000000001", SecretString: value, VersionStages: ["AWSCURRENT"], CreatedDate: new Date() };
      },
      deleteSecret: async ({ SecretId, ForceDeleteWithoutRecovery }) => {
        expect(ForceDeleteWithoutRecovery).toBe(true);
        secrets.delete(SecretId);
        return { ARN: arn(SecretId), Name: SecretId, DeletionDate: new Date() };
      },
    };
    return { calls, secrets };
  }
  const runtime = (calls: OperatorAccessCalls) => new AwsOperatorAccessRuntime(smDefinition, { connect: async () => calls, pollMs: 5, mintTimeoutMs: 500 });

  test("reads the parts under kubeplane/<cluster>/access/<id> once, and deletes every one", async () => {
    let handback = "";
    const { calls, secrets } = fakeSecrets((id) => {
      handback = `kubeplane/dev/access/${id}`;
      return { [`${handback}/1`]: "kubeplane-handback-v1.AAAA.", [`${handback}/2`]: "BBBB.CCCC.DDDD", [`${handback}/parts`]: "2" };
    });
    const minted = await runtime(calls).mintKubeconfig({ user: "alice", group: "kubeadm:cluster-admins", ttlSeconds: 3600, recipientPublicKey: "-----BEGIN PUBLIC KEY-----" });
    expect(handback).toMatch(/^kubeplane\/dev\/access\/[a-f0-9]{32}$/);
    expect(minted).toEqual({ envelope: "kubeplane-handback-v1.AAAA.BBBB.CCCC.DDDD", node: CP });
    expect([...secrets.keys()]).toEqual([]);
  });

  test("the node's error secret is the error, and it is deleted too", async () => {
    const { calls, secrets } = fakeSecrets((id) => ({ [`kubeplane/dev/access/${id}/error`]: "kubeadm kubeconfig user failed" }));
    await expect(runtime(calls).mintKubeconfig({ user: "alice", group: "kubeadm:cluster-admins", ttlSeconds: 3600, recipientPublicKey: "k" })).rejects.toThrow(
      `control-plane node ${CP} could not mint the kubeconfig: kubeadm kubeconfig user failed`,
    );
    expect([...secrets.keys()]).toEqual([]);
  });
});

describe("the last etcd backup's record, read for validate", () => {
  test("Parameter Store: /kubeplane/<cluster>/status/etcd-backup; none is undefined", async () => {
    const node = mintNode();
    const { calls } = fakeAws(node, []);
    const runtime = new AwsOperatorAccessRuntime(definition, { connect: async () => calls });
    expect(await runtime.etcdBackupStatus()).toBeUndefined();
    writeFileSync(path.join(node.parameters, "/kubeplane/dev/status/etcd-backup".replace(/\//g, "%")), '{"version":1,"state":"ok"}');
    expect(await runtime.etcdBackupStatus()).toBe('{"version":1,"state":"ok"}');
  });
  test("Secrets Manager: kubeplane/<cluster>/status/etcd-backup; ResourceNotFoundException is undefined, other errors say what failed", async () => {
    const asked: string[] = [];
    let answer: () => { SecretString?: string } = () => {
      throw awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    };
    const calls = { ...fakeAws(mintNode(), []).calls, getSecretValue: async ({ SecretId }: { SecretId: string }) => (asked.push(SecretId), answer()) };
    const runtime = new AwsOperatorAccessRuntime({ ...definition, joinTokens: { ...definition.joinTokens, backend: "secretsmanager" } }, { connect: async () => calls });
    expect(await runtime.etcdBackupStatus()).toBeUndefined();
    answer = () => ({ SecretString: '{"version":1,"state":"failed"}' });
    expect(await runtime.etcdBackupStatus()).toBe('{"version":1,"state":"failed"}');
    answer = () => {
      throw awsError("AccessDeniedException", "not authorized to perform: secretsmanager:GetSecretValue");
    };
    await expect(runtime.etcdBackupStatus()).rejects.toThrow("could not read kubeplane/dev/status/etcd-backup: not authorized to perform: secretsmanager:GetSecretValue");
    expect(asked).toEqual(Array(3).fill("kubeplane/dev/status/etcd-backup"));
  });
});
