/**
 * A simulated cluster in the emulator: a KMS key, the parameter backend settings exactly as the
 * AWS provider hands them to bootstrap/, EC2 instances tagged like the stacks tag them, and a
 * shared fake Kubernetes control plane (see stubs/fake-cluster.sh) for its simulated nodes.
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
}

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

  /** Creates the cluster's KMS key in the emulator; `directory` holds the nodes' roots. */
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
    return new SimulatedCluster(name, directory, env, key.KeyMetadata.Arn, options);
  }

  get parameterPath(): string {
    return `/kubeplane/${this.name}`;
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
      parameterBackend: {
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

  /** The parameter as stored (type, key), or undefined. */
  async parameterMetadata(name: string): Promise<{ Type: string; KeyId?: string } | undefined> {
    const answer = await emulatorJsonCall<{ Parameters: { Type: string; KeyId?: string }[] }>(
      this.env, "ssm", "AmazonSSM.DescribeParameters", { ParameterFilters: [{ Key: "Name", Values: [name] }] },
    );
    return answer.Parameters[0];
  }

  /** The published lease of `kind`, decrypted, or undefined when there is none. */
  async lease(kind: LeaseKind): Promise<JoinLease | undefined> {
    try {
      const answer = await emulatorJsonCall<{ Parameter: { Value: string } }>(this.env, "ssm", "AmazonSSM.GetParameter", {
        Name: this.leaseParameter(kind),
        WithDecryption: true,
      });
      return JSON.parse(answer.Parameter.Value) as JoinLease;
    } catch (e) {
      if (String(e).includes("ParameterNotFound")) return undefined;
      throw e;
    }
  }

  /** Overwrites the lease of `kind`, as a test fixture (e.g. an expired one). */
  async putLease(kind: LeaseKind, lease: JoinLease): Promise<void> {
    await this.putParameter(this.leaseParameter(kind), JSON.stringify(lease), "SecureString");
  }

  /** Writes a parameter, replacing any previous value. */
  async putParameter(name: string, value: string, type: "String" | "SecureString" = "String"): Promise<void> {
    await emulatorJsonCall(this.env, "ssm", "AmazonSSM.PutParameter", {
      Name: name,
      Value: value,
      Type: type,
      Overwrite: true,
      ...(type === "SecureString" ? { KeyId: this.kmsKeyArn } : {}),
    });
  }

  /** Deletes a parameter (no error when it does not exist). */
  async deleteParameter(name: string): Promise<void> {
    try {
      await emulatorJsonCall(this.env, "ssm", "AmazonSSM.DeleteParameter", { Name: name });
    } catch (e) {
      if (!String(e).includes("ParameterNotFound")) throw e;
    }
  }

  /** The tags of a parameter, as a map. */
  async parameterTags(name: string): Promise<Record<string, string>> {
    const answer = await emulatorJsonCall<{ TagList: { Key: string; Value: string }[] }>(
      this.env, "ssm", "AmazonSSM.ListTagsForResource", { ResourceType: "Parameter", ResourceId: name },
    );
    return Object.fromEntries(answer.TagList.map((t) => [t.Key, t.Value]));
  }

  /** Names of the parameters under the cluster's path (every level). */
  async parameterNames(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const answer = await emulatorJsonCall<{ Parameters: { Name: string }[]; NextToken?: string }>(
        this.env, "ssm", "AmazonSSM.GetParametersByPath",
        { Path: this.parameterPath, Recursive: true, ...(token ? { NextToken: token } : {}) },
      );
      names.push(...answer.Parameters.map((p) => p.Name));
      token = answer.NextToken;
    } while (token);
    return names.sort();
  }

  /** A parameter's value (not decrypted), or undefined. */
  async parameterValue(name: string): Promise<string | undefined> {
    try {
      const answer = await emulatorJsonCall<{ Parameter: { Value: string } }>(this.env, "ssm", "AmazonSSM.GetParameter", { Name: name });
      return answer.Parameter.Value;
    } catch (e) {
      if (String(e).includes("ParameterNotFound")) return undefined;
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

  /** Refresh requests sent for this cluster, oldest first. */
  async refreshRequests(): Promise<SentCommand[]> {
    const answer = await emulatorJsonCall<{ Commands: SentCommand[] }>(this.env, "ssm", "AmazonSSM.ListCommands");
    return answer.Commands.filter((c) => c.DocumentName === this.refreshDocument).sort(
      (a, b) => a.RequestedDateTime - b.RequestedDateTime,
    );
  }
}
