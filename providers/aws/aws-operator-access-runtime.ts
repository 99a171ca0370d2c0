/**
 * Operator access on AWS at run time: finds the cluster's instances by their tags (EC2) and its
 * worker groups (Auto Scaling), mints a kubeconfig with the cluster's SSM document on a running
 * control-plane node and takes the hand-back from the cluster's parameter backend, Parameter Store
 * or Secrets Manager (watched for, read once, then deleted: the node's answer, kubeconfig or
 * error, is the hand-back itself), and
 * plans the Session Manager tunnel. The SDK clients are loaded when a command runs (not when this
 * module is); they take region from the cluster, everything else (AWS_ENDPOINT_URL, AWS_PROFILE,
 * credentials, retries) from the environment, as every SDK client does.
 */
import { randomBytes } from "crypto";
import type { ClusterDefinition } from "../../definition";
import type {
  BootstrapState,
  ClusterInstance,
  ClusterInventory,
  MintedKubeconfig,
  MintRequest,
  OperatorAccessRuntime,
  RequiredWorkload,
  TunnelPlan,
  WorkerGroupFacts,
} from "../operator-access";
import { mintDocumentName, PORT_FORWARDING_DOCUMENT } from "./aws-operator-access";
import { secretPath } from "./secrets-manager-parameter-backend";
import { parameterPath } from "./ssm-parameter-backend";
import { CLUSTER_TAG, ROLE_TAG } from "./tags";

/** The tag a node's bootstrap sets (bootstrap/node/status.sh): `ready` or `failed: <step>`. */
export const BOOTSTRAP_TAG = "kubeplane:bootstrap";
/** How many parts a hand-back may have (an RSA-2048 kubeconfig is about 8,000 characters: 2 or 3). */
const MAX_HANDBACK_PARTS = 8;

type Tags = readonly { Key?: string; Value?: string }[] | undefined;

/** The AWS calls operator access makes, shaped as the SDK's inputs and outputs, so tests can stand in for AWS. */
export interface OperatorAccessCalls {
  describeInstances(input: { Filters: { Name: string; Values: string[] }[]; NextToken?: string }): Promise<{
    Reservations?: readonly { Instances?: readonly { InstanceId?: string; State?: { Name?: string }; Placement?: { AvailabilityZone?: string }; Tags?: Tags }[] }[];
    NextToken?: string;
  }>;
  describeAutoScalingGroups(input: { Filters: { Name: string; Values: string[] }[]; NextToken?: string }): Promise<{
    AutoScalingGroups?: readonly { AutoScalingGroupName?: string; DesiredCapacity?: number; Instances?: readonly { InstanceId?: string; LifecycleState?: string }[]; Tags?: readonly { Key?: string; Value?: string }[] }[];
    NextToken?: string;
  }>;
  sendCommand(input: { DocumentName: string; InstanceIds: string[]; Parameters: Record<string, string[]>; Comment: string; TimeoutSeconds: number }): Promise<{ Command?: { CommandId?: string } }>;
  getParameter(input: { Name: string }): Promise<{ Parameter?: { Value?: string } }>;
  deleteParameter(input: { Name: string }): Promise<unknown>;
  /** Secrets Manager (joinTokens.backend secretsmanager): botocore data/secretsmanager/2017-10-17/service-2.json, GetSecretValue. */
  getSecretValue(input: { SecretId: string }): Promise<{ SecretString?: string }>;
  /** DeleteSecret with ForceDeleteWithoutRecovery: gone at once, no recovery window (same model). */
  deleteSecret(input: { SecretId: string; ForceDeleteWithoutRecovery: boolean }): Promise<unknown>;
  close(): void;
}

/** Options for tests: the calls, and how the wait for the mint command polls. */
export interface AwsOperatorAccessOptions {
  readonly connect?: (region: string) => Promise<OperatorAccessCalls>;
  /** @default 2000 */
  readonly pollMs?: number;
  /** How long to wait for the hand-back. @default 180000 (the document's own timeout is 120 s) */
  readonly mintTimeoutMs?: number;
}

const errorName = (e: unknown) => (e as { name?: string })?.name ?? "";
const tag = (tags: Tags, key: string) => tags?.find((t) => t.Key === key)?.Value;

function bootstrapOf(value: string | undefined): { state: BootstrapState; step?: string } {
  if (value === "ready") return { state: "ready" };
  if (value?.startsWith("failed")) return { state: "failed", step: value.replace(/^failed:?\s*/, "") || undefined };
  return { state: "unknown" };
}

/**
 * What bootstrap/installers/cloud-addons.ts applies on AWS, by the names of the pinned upstream
 * manifests: kubernetes/cloud-provider-aws examples/existing-cluster/base
 * (aws-cloud-controller-manager-daemonset.yaml: DaemonSet aws-cloud-controller-manager in
 * kube-system) and kubernetes-sigs/aws-ebs-csi-driver deploy/kubernetes/base (controller.yaml:
 * Deployment ebs-csi-controller; node.yaml: DaemonSet ebs-csi-node, both in kube-system).
 */
export const AWS_CLOUD_WORKLOADS: readonly RequiredWorkload[] = [
  { kind: "daemonset", name: "aws-cloud-controller-manager", what: "the AWS cloud controller manager (cloud-addons: 10-aws-cloud-controller-manager)" },
  { kind: "deployment", name: "ebs-csi-controller", what: "the EBS CSI driver's controller (cloud-addons: 20-aws-ebs-csi-driver)" },
  { kind: "daemonset", name: "ebs-csi-node", what: "the EBS CSI driver's node plugin (cloud-addons: 20-aws-ebs-csi-driver)" },
];

/** See the file comment. */
export class AwsOperatorAccessRuntime implements OperatorAccessRuntime {
  readonly location: string;
  readonly cloudWorkloads = AWS_CLOUD_WORKLOADS;
  private readonly cluster: string;
  private readonly region: string;
  private readonly connect: (region: string) => Promise<OperatorAccessCalls>;
  private readonly pollMs: number;
  private readonly mintTimeoutMs: number;
  private readonly inSecretsManager: boolean;

  constructor(definition: Pick<ClusterDefinition, "name" | "region" | "joinTokens">, options: AwsOperatorAccessOptions = {}) {
    const backend = definition.joinTokens.backend as string;
    if (backend !== "ssm" && backend !== "secretsmanager") {
      throw new Error(`cluster "${definition.name}": joinTokens.backend "${backend}" is not one the operator commands read hand-backs from (ssm, secretsmanager)`);
    }
    this.inSecretsManager = backend === "secretsmanager";
    this.cluster = definition.name;
    this.region = definition.region;
    this.location = `AWS ${definition.region}`;
    this.connect = options.connect ?? sdkCalls;
    this.pollMs = options.pollMs ?? 2000;
    this.mintTimeoutMs = options.mintTimeoutMs ?? 180_000;
  }

  async inventory(): Promise<ClusterInventory> {
    const calls = await this.connect(this.region);
    try {
      return { instances: await this.instances(calls), workerGroups: await this.workerGroups(calls) };
    } finally {
      calls.close();
    }
  }

  async etcdBackupStatus(): Promise<string | undefined> {
    const calls = await this.connect(this.region);
    try {
      return await this.readValue(calls, `${this.inSecretsManager ? secretPath(this.cluster) : parameterPath(this.cluster)}/status/etcd-backup`);
    } finally {
      calls.close();
    }
  }

  /** A parameter's (or secret's) value, undefined when it does not exist. */
  private async readValue(calls: OperatorAccessCalls, n: string): Promise<string | undefined> {
    try {
      return this.inSecretsManager ? (await calls.getSecretValue({ SecretId: n })).SecretString : (await calls.getParameter({ Name: n })).Parameter?.Value;
    } catch (e) {
      // Secrets Manager answers a missing secret (or one with no value yet) with ResourceNotFoundException.
      if (errorName(e) === (this.inSecretsManager ? "ResourceNotFoundException" : "ParameterNotFound")) return undefined;
      throw new Error(`could not read ${n}: ${(e as Error).message}`);
    }
  }

  async mintKubeconfig(request: MintRequest): Promise<MintedKubeconfig> {
    const calls = await this.connect(this.region);
    try {
      const node = await this.controlPlaneNode(calls);
      const id = randomBytes(16).toString("hex");
      // Where mint-kubeconfig.sh writes: $KUBEPLANE_PARAMETER_PATH/access/<id>, the backend's path.
      const name = `${this.inSecretsManager ? secretPath(this.cluster) : parameterPath(this.cluster)}/access/${id}`;
      const document = mintDocumentName(this.cluster);
      let commandId: string | undefined;
      try {
        const sent = await calls.sendCommand({
          DocumentName: document,
          InstanceIds: [node],
          Parameters: {
            clientName: [request.user],
            group: [request.group],
            validitySeconds: [String(request.ttlSeconds)],
            handback: [id],
            recipient: [Buffer.from(request.recipientPublicKey).toString("base64")],
          },
          Comment: `kubeplane kubeconfig for ${request.user}`.slice(0, 100),
          TimeoutSeconds: 60,
        });
        commandId = sent.Command?.CommandId;
      } catch (e) {
        if (errorName(e) === "InvalidDocument") {
          throw new Error(`the mint document ${document} does not exist in ${this.region}: deploy the cluster stack (${this.cluster}-cluster) first`);
        }
        throw new Error(`could not send the mint command to ${node}: ${(e as Error).message}`);
      }
      if (!commandId) throw new Error(`SSM answered the mint command to ${node} with no command id`);
      try {
        return { envelope: await this.readHandback(calls, name, node, commandId), node };
      } finally {
        await this.removeHandback(calls, name);
      }
    } finally {
      calls.close();
    }
  }

  async planTunnel(request: { localPort: number; host: string; port: number }): Promise<TunnelPlan> {
    const calls = await this.connect(this.region);
    let node: string;
    try {
      node = await this.controlPlaneNode(calls);
    } finally {
      calls.close();
    }
    // The AWS CLI form of the Session Manager guide's "Port forwarding to a remote host":
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-sessions-start.html#sessions-remote-port-forwarding
    const parameters = JSON.stringify({ host: [request.host], portNumber: [String(request.port)], localPortNumber: [String(request.localPort)] });
    return {
      command: ["aws", "ssm", "start-session", "--region", this.region, "--target", node, "--document-name", PORT_FORWARDING_DOCUMENT, "--parameters", parameters],
      requires: [
        { program: "aws", install: "the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" },
        {
          program: "session-manager-plugin",
          install: "the Session Manager plugin for the AWS CLI: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
        },
      ],
      through: node,
    };
  }

  /** Every instance tagged with the cluster (nodes only: the bastion is none). */
  private async instances(calls: OperatorAccessCalls, running = false): Promise<ClusterInstance[]> {
    const filters = [{ Name: `tag:${CLUSTER_TAG}`, Values: [this.cluster] }];
    if (running) filters.push({ Name: `tag:${ROLE_TAG}`, Values: ["control-plane"] }, { Name: "instance-state-name", Values: ["running"] });
    const out: ClusterInstance[] = [];
    let token: string | undefined;
    do {
      const page = await calls.describeInstances({ Filters: filters, ...(token ? { NextToken: token } : {}) });
      for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        const role = tag(instance.Tags, ROLE_TAG);
        if (!instance.InstanceId || (role !== "control-plane" && role !== "worker")) continue;
        out.push({
          id: instance.InstanceId,
          role,
          state: instance.State?.Name ?? "unknown",
          providerId: `aws:///${instance.Placement?.AvailabilityZone ?? ""}/${instance.InstanceId}`,
          bootstrap: bootstrapOf(tag(instance.Tags, BOOTSTRAP_TAG)),
        });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  private async workerGroups(calls: OperatorAccessCalls): Promise<WorkerGroupFacts[]> {
    const out: WorkerGroupFacts[] = [];
    let token: string | undefined;
    do {
      const page = await calls.describeAutoScalingGroups({ Filters: [{ Name: `tag:${CLUSTER_TAG}`, Values: [this.cluster] }], ...(token ? { NextToken: token } : {}) });
      for (const group of page.AutoScalingGroups ?? []) {
        if (tag(group.Tags as Tags, ROLE_TAG) !== "worker") continue;
        out.push({
          name: group.AutoScalingGroupName ?? "?",
          desired: group.DesiredCapacity ?? 0,
          inService: (group.Instances ?? []).filter((i) => i.LifecycleState === "InService").length,
        });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** A running control-plane node, one whose bootstrap is ready first. */
  private async controlPlaneNode(calls: OperatorAccessCalls): Promise<string> {
    const nodes = (await this.instances(calls, true)).filter((i) => i.state === "running");
    if (nodes.length === 0) {
      throw new Error(`cluster "${this.cluster}" has no running control-plane node in ${this.region} (is it deployed? kubeplane validate ${this.cluster} lists its instances)`);
    }
    return (nodes.find((n) => n.bootstrap.state === "ready") ?? nodes.find((n) => n.bootstrap.state !== "failed") ?? nodes[0]).id;
  }

  /**
   * Waits for the node's answer, the hand-back itself: `<name>/parts` once every part is written,
   * or `<name>/error` saying why not (bootstrap/node/mint-kubeconfig.sh).
   */
  private async readHandback(calls: OperatorAccessCalls, name: string, node: string, commandId: string): Promise<string> {
    const read = (n: string) => this.readValue(calls, n);
    const deadline = Date.now() + this.mintTimeoutMs;
    let count: string | undefined;
    while ((count = await read(`${name}/parts`)) === undefined) {
      const error = await read(`${name}/error`);
      if (error !== undefined) throw new Error(`control-plane node ${node} could not mint the kubeconfig: ${error}`);
      if (Date.now() > deadline) {
        throw new Error(
          `control-plane node ${node} handed nothing back within ${Math.round(this.mintTimeoutMs / 1000)} s (is its SSM agent online? ` +
            `aws ssm list-command-invocations --region ${this.region} --command-id ${commandId} --details)`,
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const parts = Number(count);
    if (!Number.isInteger(parts) || parts < 1 || parts > MAX_HANDBACK_PARTS) throw new Error(`the hand-back in ${name} claims ${count} parts (1 to ${MAX_HANDBACK_PARTS})`);
    const out: string[] = [];
    for (let i = 1; i <= parts; i++) {
      const part = await read(`${name}/${i}`);
      if (part === undefined) throw new Error(`the hand-back in ${name} lacks part ${i} of ${parts}`);
      out.push(part);
    }
    return out.join("");
  }

  /** Deletes every part the node may have written, whether the mint worked or not. */
  private async removeHandback(calls: OperatorAccessCalls, name: string): Promise<void> {
    for (const n of [`${name}/parts`, `${name}/error`, ...Array.from({ length: MAX_HANDBACK_PARTS }, (_, i) => `${name}/${i + 1}`)]) {
      try {
        if (this.inSecretsManager) await calls.deleteSecret({ SecretId: n, ForceDeleteWithoutRecovery: true });
        else await calls.deleteParameter({ Name: n });
      } catch (e) {
        // A forced DeleteSecret succeeds for a missing secret; moto and older endpoints may still say ResourceNotFoundException.
        if (errorName(e) === (this.inSecretsManager ? "ResourceNotFoundException" : "ParameterNotFound")) continue;
        const hint = this.inSecretsManager
          ? `aws secretsmanager delete-secret --region ${this.region} --secret-id ${n} --force-delete-without-recovery`
          : `aws ssm delete-parameter --region ${this.region} --name ${n}`;
        throw new Error(`could not delete the hand-back ${n}: ${(e as Error).message} (delete it: ${hint})`);
      }
    }
  }
}

/** The calls through the SDK's EC2, Auto Scaling, SSM and Secrets Manager clients, loaded now (Secrets Manager's on its first call). */
export async function sdkCalls(region: string): Promise<OperatorAccessCalls> {
  const [ec2, autoscaling, ssm] = await Promise.all([import("@aws-sdk/client-ec2"), import("@aws-sdk/client-auto-scaling"), import("@aws-sdk/client-ssm")]);
  let secrets: Promise<{ sdk: typeof import("@aws-sdk/client-secrets-manager"); client: import("@aws-sdk/client-secrets-manager").SecretsManagerClient }> | undefined;
  const secretsManager = () =>
    (secrets ??= import("@aws-sdk/client-secrets-manager").then((sdk) => ({ sdk, client: new sdk.SecretsManagerClient({ region }) })));
  const ec2Client = new ec2.EC2Client({ region });
  const asgClient = new autoscaling.AutoScalingClient({ region });
  const ssmClient = new ssm.SSMClient({ region });
  return {
    describeInstances: (input) => ec2Client.send(new ec2.DescribeInstancesCommand(input)),
    describeAutoScalingGroups: (input) => asgClient.send(new autoscaling.DescribeAutoScalingGroupsCommand(input)),
    sendCommand: (input) => ssmClient.send(new ssm.SendCommandCommand(input)),
    getParameter: (input) => ssmClient.send(new ssm.GetParameterCommand(input)),
    deleteParameter: (input) => ssmClient.send(new ssm.DeleteParameterCommand(input)),
    getSecretValue: async (input) => {
      const { sdk, client } = await secretsManager();
      return client.send(new sdk.GetSecretValueCommand(input));
    },
    deleteSecret: async (input) => {
      const { sdk, client } = await secretsManager();
      return client.send(new sdk.DeleteSecretCommand(input));
    },
    close: () => {
      ec2Client.destroy();
      asgClient.destroy();
      ssmClient.destroy();
      void secrets?.then(({ client }) => client.destroy());
    },
  };
}
