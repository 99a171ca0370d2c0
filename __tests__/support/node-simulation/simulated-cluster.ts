/**
 * A simulated cluster in the emulator: a KMS key, the parameter backend (SSM Parameter Store or
 * Secrets Manager, `options.backend`) with the settings exactly as the AWS provider hands them to
 * bootstrap/, EC2 instances tagged like the stacks tag them, and a shared fake Kubernetes control
 * plane (see stubs/fake-cluster.sh) for its simulated nodes. The store-facing methods
 * (`lease`, `putRecord`, `recordNames`, ...) read and write whichever store the cluster uses, so
 * that one scenario runs against both.
 */
import { mkdirSync } from "fs";
import * as path from "path";
import { renderUserData } from "../../../bootstrap/user-data";
import { InstallerName, NodeRole, UserDataContext } from "../../../bootstrap/user-data-context";
import { awsJson, emulatorJsonCall } from "./aws-cli";
import { SimulatedNode } from "./simulated-node";

export const SIMULATION_REGION = "eu-west-1";
export const SIMULATION_AMI = "ami-0kubeplane2404amd";
export const SIMULATED_KURL_URL = "https://k8s.kurl.sh/sim1234";

/** The join-lease stores a cluster can use (`joinTokens.backend`). */
export const BACKENDS = ["ssm", "secretsmanager"] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** A join lease as the node scripts write it. */
export interface JoinLease {
  version: number;
  installer: string;
  command: string;
  createdAt: number;
  expiresAt: number;
  createdBy: string;
}

export type LeaseKind = "worker" | "control-plane";

/** A refresh request as the emulator recorded it (moto records SendCommand without running it). */
export interface SentCommand {
  CommandId: string;
  Comment: string;
  DocumentName: string;
  InstanceIds: string[];
  RequestedDateTime: number;
}

export interface SimulatedClusterOptions {
  readonly installer?: InstallerName;
  /** An HA control plane: a load balancer endpoint, certificate key uploads, control-plane joins. */
  readonly ha?: boolean;
  readonly ttlHours?: number;
  /** Where the join lease lives. @default "ssm" */
  readonly backend?: BackendKind;
}

/** Secrets Manager's "not found" (missing secret, or one without a value yet), as botocore's model names it. */
const isNotFound = (e: unknown) => /ParameterNotFound|ResourceNotFoundException/.test(String(e));

interface RunInstancesAnswer {
  Instances: { InstanceId: string; Placement: { AvailabilityZone: string }; PrivateDnsName: string; PrivateIpAddress: string }[];
}

export class SimulatedCluster {
  /** Nodes by instance id. */
  readonly nodes = new Map<string, SimulatedNode>();
  /** Instance ids of stopped nodes. */
  readonly stopped = new Set<string>();
  readonly clusterDir: string;
  /** The API's stable DNS name (a private Route53 record in the stacks). */
  readonly endpoint: string;
  private launched = 0;

  private constructor(
    readonly name: string,
    private readonly directory: string,
    readonly env: NodeJS.ProcessEnv,
    readonly kmsKeyArn: string,
    readonly options: SimulatedClusterOptions,
  ) {
    this.clusterDir = path.join(directory, "cluster");
    mkdirSync(this.clusterDir, { recursive: true });
    this.endpoint = `api.${name}.kubeplane.internal`;
  }

  /**
   * Creates what Terraform would in the emulator: the cluster's KMS key and, for Secrets Manager,
   * the empty lease secrets under it (tagged, as the provider's default tags do); `directory`
   * holds the nodes' roots.
   */
  static async create(
    emulatorEnv: NodeJS.ProcessEnv,
    directory: string,
    name: string,
    options: SimulatedClusterOptions = {},
  ): Promise<SimulatedCluster> {
    const env = { ...emulatorEnv, AWS_DEFAULT_REGION: SIMULATION_REGION };
    const key = await emulatorJsonCall<{ KeyMetadata: { Arn: string } }>(env, "kms", "TrentService.CreateKey", {
      Description: `kubeplane ${name}`,
    });
    const cluster = new SimulatedCluster(name, directory, env, key.KeyMetadata.Arn, options);
    if (cluster.backend === "secretsmanager") {
      for (const kind of options.ha ? (["worker", "control-plane"] as const) : (["worker"] as const)) {
        await cluster.sm("CreateSecret", { Name: cluster.leaseParameter(kind), KmsKeyId: cluster.kmsKeyArn, Tags: [{ Key: "kubeplane:cluster", Value: name }] });
      }
    }
    return cluster;
  }

  get backend(): BackendKind {
    return this.options.backend ?? "ssm";
  }

  /** The cluster's parameter path: `/kubeplane/<name>` in SSM, `kubeplane/<name>` in Secrets Manager (no leading `/`). */
  get parameterPath(): string {
    return this.backend === "ssm" ? `/kubeplane/${this.name}` : `kubeplane/${this.name}`;
  }

  /** Where joiners leave a request for a fresh lease (backends that ask by record). */
  get refreshRequest(): string {
    return `${this.parameterPath}/refresh/request`;
  }

  private sm<T = unknown>(operation: string, body: Record<string, unknown>): Promise<T> {
    return emulatorJsonCall<T>(this.env, "secretsmanager", `secretsmanager.${operation}`, body);
  }

  private ssm<T = unknown>(operation: string, body: Record<string, unknown> = {}): Promise<T> {
    return emulatorJsonCall<T>(this.env, "ssm", `AmazonSSM.${operation}`, body);
  }

  leaseParameter(kind: LeaseKind): string {
    return `${this.parameterPath}/join/${kind}`;
  }

  get refreshDocument(): string {
    return `kubeplane-${this.name}-refresh-join-lease`;
  }

  /** The user data context the stacks would build for `role`. */
  context(role: NodeRole): UserDataContext {
    return {
      clusterName: this.name,
      cloud: "aws",
      role,
      kubernetes: {
        version: "1.36.5",
        installer: this.options.installer ?? "kubeadm",
        podCidr: "192.168.0.0/16",
        serviceCidr: "10.96.0.0/12",
        kurlInstallerUrl: this.options.installer === "kurl" ? SIMULATED_KURL_URL : undefined,
      },
      controlPlaneEndpoint: this.endpoint,
      controlPlaneCount: this.options.ha ? 3 : 1,
      apiServerPort: 6443,
      joinLease: { ttlHours: this.options.ttlHours ?? 12 },
      parameterBackend: this.backend === "ssm"
        ? {
            kind: "ssm",
            settings: {
              KUBEPLANE_AWS_REGION: SIMULATION_REGION,
              KUBEPLANE_PARAMETER_PATH: this.parameterPath,
              KUBEPLANE_WORKER_JOIN_PARAMETER: this.leaseParameter("worker"),
              KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: this.leaseParameter("control-plane"),
              KUBEPLANE_KMS_KEY_ID: this.kmsKeyArn,
              KUBEPLANE_REFRESH_DOCUMENT: this.refreshDocument,
              KUBEPLANE_CONTROL_PLANE_TAG_KEY: "kubeplane:role",
              KUBEPLANE_CONTROL_PLANE_TAG_VALUE: "control-plane",
            },
          }
        : {
            kind: "secretsmanager",
            settings: {
              KUBEPLANE_AWS_REGION: SIMULATION_REGION,
              KUBEPLANE_PARAMETER_PATH: this.parameterPath,
              KUBEPLANE_WORKER_JOIN_PARAMETER: this.leaseParameter("worker"),
              KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: this.leaseParameter("control-plane"),
            },
          },
    };
  }

  /** Starts an instance for `role` in the emulator and a simulated node with its rendered user data. */
  async launch(role: NodeRole): Promise<SimulatedNode> {
    const roleTag = role === "worker" ? "worker" : "control-plane";
    const answer = await awsJson<RunInstancesAnswer>(this.env, [
      "ec2", "run-instances", "--image-id", SIMULATION_AMI, "--instance-type", "t3.medium", "--count", "1",
      "--tag-specifications",
      JSON.stringify([
        { ResourceType: "instance", Tags: [{ Key: "kubeplane:cluster", Value: this.name }, { Key: "kubeplane:role", Value: roleTag }] },
      ]),
    ]);
    const instance = answer.Instances[0];
    this.launched += 1;
    const node = new SimulatedNode(
      `${role}-${this.launched}`,
      role,
      path.join(this.directory, `node-${this.launched}`),
      {
        instanceId: instance.InstanceId,
        availabilityZone: instance.Placement.AvailabilityZone,
        privateDnsName: instance.PrivateDnsName,
        privateIp: instance.PrivateIpAddress,
      },
      { ...this.env, SIM_CLUSTER_DIR: this.clusterDir, SIM_KURL_URL: SIMULATED_KURL_URL },
    );
    node.install(renderUserData(this.context(role)));
    this.nodes.set(instance.InstanceId, node);
    return node;
  }

  async stopInstance(node: SimulatedNode): Promise<void> {
    await awsJson(this.env, ["ec2", "stop-instances", "--instance-ids", node.instance.instanceId]);
    this.stopped.add(node.instance.instanceId);
  }

  /** Whether a record (a parameter, or a secret) exists. */
  async recordExists(name: string): Promise<boolean> {
    try {
      if (this.backend === "ssm") {
        const answer = await this.ssm<{ Parameters: unknown[] }>("DescribeParameters", { ParameterFilters: [{ Key: "Name", Values: [name] }] });
        return answer.Parameters.length > 0;
      }
      await this.sm("DescribeSecret", { SecretId: name });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** The KMS key a lease is encrypted with, and whether the store calls it a secret (SecureString). */
  async leaseEncryption(kind: LeaseKind): Promise<{ keyId?: string; secret: boolean }> {
    const name = this.leaseParameter(kind);
    if (this.backend === "ssm") {
      const answer = await this.ssm<{ Parameters: { Type: string; KeyId?: string }[] }>("DescribeParameters", { ParameterFilters: [{ Key: "Name", Values: [name] }] });
      return { keyId: answer.Parameters[0]?.KeyId, secret: answer.Parameters[0]?.Type === "SecureString" };
    }
    const answer = await this.sm<{ KmsKeyId?: string }>("DescribeSecret", { SecretId: name });
    return { keyId: answer.KmsKeyId, secret: true };
  }

  /** The published lease of `kind`, decrypted, or undefined when there is none. */
  async lease(kind: LeaseKind): Promise<JoinLease | undefined> {
    const value = await this.recordValue(this.leaseParameter(kind));
    return value === undefined ? undefined : (JSON.parse(value) as JoinLease);
  }

  /** Overwrites the lease of `kind`, as a test fixture (e.g. an expired one). */
  async putLease(kind: LeaseKind, lease: JoinLease): Promise<void> {
    const name = this.leaseParameter(kind);
    if (this.backend === "ssm") {
      await this.ssm("PutParameter", { Name: name, Value: JSON.stringify(lease), Type: "SecureString", Overwrite: true, KeyId: this.kmsKeyArn });
    } else {
      await this.sm("PutSecretValue", { SecretId: name, SecretString: JSON.stringify(lease) });
    }
  }

  /** Writes a non-secret record (a lock, say), replacing any previous value. */
  async putRecord(name: string, value: string): Promise<void> {
    if (this.backend === "ssm") {
      await this.ssm("PutParameter", { Name: name, Value: value, Type: "String", Overwrite: true });
      return;
    }
    try {
      await this.sm("CreateSecret", { Name: name, SecretString: value });
    } catch (e) {
      if (!String(e).includes("ResourceExistsException")) throw e;
      await this.sm("PutSecretValue", { SecretId: name, SecretString: value });
    }
  }

  /** Deletes a record (no error when it does not exist). */
  async deleteRecord(name: string): Promise<void> {
    try {
      if (this.backend === "ssm") await this.ssm("DeleteParameter", { Name: name });
      else await this.sm("DeleteSecret", { SecretId: name, ForceDeleteWithoutRecovery: true });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** The tags of a record, as a map. */
  async recordTags(name: string): Promise<Record<string, string>> {
    const tags =
      this.backend === "ssm"
        ? (await this.ssm<{ TagList: { Key: string; Value: string }[] }>("ListTagsForResource", { ResourceType: "Parameter", ResourceId: name })).TagList
        : ((await this.sm<{ Tags?: { Key: string; Value: string }[] }>("DescribeSecret", { SecretId: name })).Tags ?? []);
    return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  }

  /** Names of the records under the cluster's path (every level). */
  async recordNames(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const answer =
        this.backend === "ssm"
          ? await this.ssm<{ Parameters: { Name: string }[]; NextToken?: string }>("GetParametersByPath", { Path: this.parameterPath, Recursive: true, ...(token ? { NextToken: token } : {}) })
          : await this.sm<{ SecretList: { Name: string }[]; NextToken?: string }>("ListSecrets", token ? { NextToken: token } : {});
      names.push(...("Parameters" in answer ? answer.Parameters : answer.SecretList).map((p) => p.Name));
      token = answer.NextToken;
    } while (token);
    return names.filter((n) => n.startsWith(`${this.parameterPath}/`)).sort();
  }

  /** A record's value (decrypted), or undefined when it does not exist or has none. */
  async recordValue(name: string): Promise<string | undefined> {
    try {
      if (this.backend === "ssm") return (await this.ssm<{ Parameter: { Value: string } }>("GetParameter", { Name: name, WithDecryption: true })).Parameter.Value;
      return (await this.sm<{ SecretString: string }>("GetSecretValue", { SecretId: name })).SecretString;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The tags of a node's instance, as a map. */
  async instanceTags(node: SimulatedNode): Promise<Record<string, string>> {
    const answer = await awsJson<{ Tags: { Key: string; Value: string }[] }>(this.env, [
      "ec2", "describe-tags", "--filters", `Name=resource-id,Values=${node.instance.instanceId}`,
    ]);
    return Object.fromEntries(answer.Tags.map((t) => [t.Key, t.Value]));
  }

  /** Puts nodes into a new auto-scaling group of this cluster (as the worker pool's), returning its name. */
  async workerGroup(nodes: SimulatedNode[]): Promise<string> {
    const group = `kubeplane-${this.name}-workers-${this.launched}`;
    await awsJson(this.env, ["autoscaling", "create-launch-configuration", "--launch-configuration-name", group, "--image-id", SIMULATION_AMI, "--instance-type", "t3.medium"]);
    await awsJson(this.env, [
      "autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", group, "--launch-configuration-name", group,
      "--min-size", "0", "--max-size", "10", "--desired-capacity", "0", "--availability-zones", `${SIMULATION_REGION}a`,
    ]);
    await awsJson(this.env, ["autoscaling", "attach-instances", "--auto-scaling-group-name", group, "--instance-ids", ...nodes.map((n) => n.instance.instanceId)]);
    return group;
  }

  /** The health status (Healthy or Unhealthy) of a node in its auto-scaling group. */
  async instanceHealth(node: SimulatedNode): Promise<string | undefined> {
    const answer = await awsJson<{ AutoScalingInstances: { HealthStatus: string }[] }>(this.env, [
      "autoscaling", "describe-auto-scaling-instances", "--instance-ids", node.instance.instanceId,
    ]);
    return answer.AutoScalingInstances[0]?.HealthStatus;
  }

  /** Refresh requests sent with SSM Run Command for this cluster, oldest first (none for Secrets Manager). */
  async refreshRequests(): Promise<SentCommand[]> {
    if (this.backend !== "ssm") return [];
    const answer = await this.ssm<{ Commands: SentCommand[] }>("ListCommands");
    return answer.Commands.filter((c) => c.DocumentName === this.refreshDocument).sort(
      (a, b) => a.RequestedDateTime - b.RequestedDateTime,
    );
  }
}
