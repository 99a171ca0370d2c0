/**
 * A simulated cluster on the GCP fake: VMs registered with the fake (each with its own metadata
 * server), the join lease secrets made as Terraform makes them (empty, labelled), and simulated
 * nodes (the node simulation's SimulatedNode: recording stubs for kubeadm, kubectl, systemctl...)
 * running the rendered user data of `cloud: gcp` with the `gcp-secret-manager` backend. Their
 * curl reaches the fake for real (./curl). The store-facing methods read the fake's Secret Manager
 * as an operator would.
 */
import { execFileSync } from "child_process";
import { mkdirSync, rmSync, symlinkSync } from "fs";
import * as path from "path";
import { LEASE_REFRESH_COMMAND, renderUserData } from "../../../bootstrap/user-data";
import { NodeRole, UserDataContext } from "../../../bootstrap/user-data-context";
import { SimulatedNode } from "../node-simulation/simulated-node";
import { FakeVm, GcpFake } from "./gcp-fake";

export const GCP_SIM_PROJECT = "kubeplane-sim";
const ZONES = ["europe-west1-b", "europe-west1-c", "europe-west1-d"];
const REAL_CURL = execFileSync("bash", ["-c", "command -v curl"], { encoding: "utf8" }).trim();

/** The secret id of a backend name (backends/gcp-secret-manager.sh: no leading `/`, `/` as `_`). */
export const secretId = (name: string) => name.replace(/^\//, "").replace(/\//g, "_");

export interface SimulatedGcpClusterOptions {
  /** Three control-plane nodes behind a load balancer. @default false */
  readonly ha?: boolean;
}

export class SimulatedGcpCluster {
  readonly nodes = new Map<string, { node: SimulatedNode; vm: FakeVm }>();
  readonly endpoint: string;
  readonly parameterPath: string;
  private launched = 0;

  private constructor(
    readonly fake: GcpFake,
    readonly name: string,
    private readonly directory: string,
    readonly options: SimulatedGcpClusterOptions,
  ) {
    this.endpoint = `api.${name}.kubeplane.internal`;
    // As providers/gcp/gcp-secret-manager-parameter-backend.ts hands it over (gcpParameterPath).
    this.parameterPath = `/kubeplane/${name}`;
  }

  /** Makes what Terraform would: the lease secrets, without a version, labelled with the cluster. */
  static async create(fake: GcpFake, directory: string, name: string, options: SimulatedGcpClusterOptions = {}): Promise<SimulatedGcpCluster> {
    const cluster = new SimulatedGcpCluster(fake, name, directory, options);
    mkdirSync(path.join(directory, "cluster"), { recursive: true });
    for (const kind of options.ha ? ["worker", "control-plane"] : ["worker"]) {
      const answer = await fake.api("POST", `/secretmanager/v1/projects/${GCP_SIM_PROJECT}/secrets?secretId=${secretId(cluster.leaseParameter(kind))}`, {
        replication: { automatic: {} },
        labels: { "kubeplane-cluster": name },
      });
      if (answer.status !== 200) throw new Error(`could not create the ${kind} lease secret: ${answer.text}`);
    }
    return cluster;
  }

  leaseParameter(kind: string): string {
    return `${this.parameterPath}/join/${kind}`;
  }

  get refreshRequest(): string {
    return `${this.parameterPath}/refresh/request`;
  }

  context(role: NodeRole): UserDataContext {
    return {
      clusterName: this.name,
      cloud: "gcp",
      role,
      kubernetes: { version: "1.36.5", installer: "kubeadm", podCidr: "192.168.0.0/16", serviceCidr: "10.96.0.0/12" },
      controlPlaneEndpoint: this.endpoint,
      controlPlaneCount: this.options.ha ? 3 : 1,
      apiServerPort: 6443,
      joinLease: { ttlHours: 12 },
      parameterBackend: {
        kind: "gcp-secret-manager",
        settings: {
          KUBEPLANE_GCP_PROJECT: GCP_SIM_PROJECT,
          KUBEPLANE_CLUSTER_LABEL_KEY: "kubeplane-cluster",
          KUBEPLANE_PARAMETER_PATH: this.parameterPath,
          KUBEPLANE_WORKER_JOIN_PARAMETER: this.leaseParameter("worker"),
          KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: this.leaseParameter("control-plane"),
        },
      },
    };
  }

  /**
   * Registers a VM with the fake (a worker as made by the pool's regional managed instance group)
   * and a simulated node with the role's rendered user data.
   */
  async launch(role: NodeRole): Promise<{ node: SimulatedNode; vm: FakeVm }> {
    this.launched += 1;
    const roleLabel = role === "worker" ? "worker" : "control-plane";
    const vmName = `${this.name}-${roleLabel}-${this.launched}`;
    const vm = await this.fake.addVm(vmName, {
      zone: ZONES[this.launched % ZONES.length],
      labels: { "kubeplane-cluster": this.name, "kubeplane-role": roleLabel },
      ...(role === "worker" ? { createdBy: `projects/480154712953/regions/europe-west1/instanceGroupManagers/${this.name}-workers` } : {}),
    });
    const node = new SimulatedNode(
      `${role}-${this.launched}`,
      role,
      path.join(this.directory, `node-${this.launched}`),
      { instanceId: vm.id, availabilityZone: vm.zone, privateDnsName: vm.name, privateIp: vm.ip },
      {
        ...process.env,
        ...this.fake.env(vmName),
        SIM_GCP_FAKE_URL: this.fake.url,
        SIM_REAL_CURL: REAL_CURL,
        SIM_CLUSTER_DIR: path.join(this.directory, "cluster"),
        // The stub curl's kURL URL (unused: the installer here is kubeadm).
        SIM_KURL_URL: "https://k8s.kurl.sh/unused",
      },
    );
    // The node's curl: the real one for the fake's APIs, the simulation's stub for the rest.
    const curl = path.join(this.directory, `node-${this.launched}`, "bin", "curl");
    rmSync(curl);
    symlinkSync(path.join(__dirname, "curl"), curl);
    node.install(renderUserData(this.context(role)));
    const entry = { node, vm };
    this.nodes.set(vm.id, entry);
    return entry;
  }

  /** A record's or lease's value as an operator reads it, or undefined. */
  async value(name: string): Promise<string | undefined> {
    const secret = (await this.fake.state()).secrets[secretId(name)];
    if (!secret) return undefined;
    if (secret.annotations["kubeplane-value"] !== undefined) return secret.annotations["kubeplane-value"];
    const latest = secret.versions[secret.versions.length - 1];
    return latest && latest.state === "ENABLED" ? Buffer.from(latest.data, "base64").toString() : undefined;
  }

  /** The names (backend names) of the secrets of this cluster, by their kubeplane-cluster label. */
  async recordNames(): Promise<string[]> {
    const secrets = Object.entries((await this.fake.state()).secrets).filter(([, s]) => s.labels["kubeplane-cluster"] === this.name);
    return secrets.map(([id, s]) => s.annotations["kubeplane-name"] ?? id).sort();
  }

  /**
   * Plays the control plane's request timer (kubeplane-join-lease-requests.timer, every 10 s on a
   * node): while `running()`, runs `--if-requested` on `node` whenever the request record exists.
   */
  async answerRequests(node: SimulatedNode, running: () => boolean): Promise<number> {
    let answered = 0;
    while (running()) {
      if ((await this.value(this.refreshRequest)) !== undefined) {
        const run = await node.run(LEASE_REFRESH_COMMAND, ["--if-requested"]);
        if (run.code !== 0) throw new Error(`--if-requested failed:\n${run.stderr}`);
        answered += 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return answered;
  }
}
