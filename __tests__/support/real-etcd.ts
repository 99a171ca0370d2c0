/**
 * A real etcd for the emulator suites (Debian's etcd-server / etcd-client, etcd 3.4), and what the
 * etcd node scripts need around it when run outside the node simulation: an IMDSv2 server and a
 * node root with a role's rendered user data. Used by etcd-backup, etcd-members and node-restore.
 */
import { ChildProcess, spawn } from "child_process";
import { chmodSync, mkdirSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo, createServer as createNetServer } from "net";
import * as path from "path";
import { renderUserData } from "../../bootstrap/user-data";
import type { UserDataContext } from "../../bootstrap/user-data-context";
import { readCloudConfig } from "../unit/bootstrap/rendering-fixtures";

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without blocking the event loop (the IMDS server lives in this process). */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** What the instance metadata service answers, by path under /latest/meta-data/. */
export type InstanceMetadata = Record<string, string>;

/**
 * IMDSv2 as a node sees it: PUT /latest/api/token, then GETs with X-aws-ec2-metadata-token
 * ("Use IMDSv2", EC2 User Guide). `metadata` may be changed while it runs.
 */
export function startImds(metadata: InstanceMetadata): Promise<Server> {
  const server = createServer((req, res) => {
    const key = req.url?.replace("/latest/meta-data/", "") ?? "";
    if (req.url === "/latest/api/token" && req.method === "PUT") res.end("imds-token");
    else if (req.headers["x-aws-ec2-metadata-token"] !== "imds-token") res.writeHead(401).end();
    else if (!(key in metadata)) res.writeHead(404).end();
    else res.end(metadata[key]);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export const imdsEndpoint = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * The user-data context of a kubeadm control-plane node of cluster `clusterName` in `region` on
 * AWS with the SSM join-lease backend, as the etcd suites install it; `extra` sets the role, the
 * control-plane count, the backup store, ...
 */
export function awsControlPlaneContext(clusterName: string, region: string, extra: Partial<UserDataContext> & Pick<UserDataContext, "role" | "controlPlaneCount">): UserDataContext {
  return {
    clusterName,
    cloud: "aws",
    kubernetes: { version: "1.36.5", installer: "kubeadm", podCidr: "192.168.0.0/16", serviceCidr: "10.96.0.0/12" },
    controlPlaneEndpoint: `api.${clusterName}.kubeplane.internal`,
    apiServerPort: 6443,
    joinLease: { ttlHours: 24 },
    parameterBackend: {
      kind: "ssm",
      settings: {
        KUBEPLANE_AWS_REGION: region,
        KUBEPLANE_PARAMETER_PATH: `/kubeplane/${clusterName}`,
        KUBEPLANE_WORKER_JOIN_PARAMETER: `/kubeplane/${clusterName}/join/worker`,
        KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: `/kubeplane/${clusterName}/join/control-plane`,
        KUBEPLANE_KMS_KEY_ID: "alias/aws/ssm",
        KUBEPLANE_REFRESH_DOCUMENT: `kubeplane-${clusterName}-refresh-join-lease`,
        KUBEPLANE_CONTROL_PLANE_TAG_KEY: "kubeplane:role",
        KUBEPLANE_CONTROL_PLANE_TAG_VALUE: "control-plane",
      },
    },
    ...extra,
  };
}

/** Writes the files of `context`'s user data under `root`, as cloud-init would on the node. */
export function installNode(root: string, context: UserDataContext): void {
  for (const file of readCloudConfig(renderUserData(context)).files) {
    const target = path.join(root, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.text);
    chmodSync(target, parseInt(file.permissions, 8));
  }
}

const ctlEnv = () => ({ ...process.env, ETCDCTL_API: "3" });

/**
 * A real etcd member on free loopback ports: alone (the default), or one of a cluster whose
 * `initialCluster` (`name=peerUrl,...`) names it. A member started over an existing data
 * directory (a restored one) takes its membership from there, as etcd does.
 */
export class RealEtcd {
  private child?: ChildProcess;
  constructor(
    readonly dataDir: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly name = "node-0",
    private readonly initialCluster?: string,
  ) {}
  get clientUrl() {
    return `http://127.0.0.1:${this.clientPort}`;
  }
  get peerUrl() {
    return `http://127.0.0.1:${this.peerPort}`;
  }
  /** Starts the process; `waitHealthy` false for a cluster's members, which are healthy only together. */
  async start(waitHealthy = true): Promise<void> {
    this.child = spawn(
      "etcd",
      [
        "--name", this.name,
        "--data-dir", this.dataDir,
        "--listen-client-urls", this.clientUrl,
        "--advertise-client-urls", this.clientUrl,
        "--listen-peer-urls", this.peerUrl,
        "--initial-advertise-peer-urls", this.peerUrl,
        "--initial-cluster", this.initialCluster ?? `${this.name}=${this.peerUrl}`,
      ],
      { stdio: "ignore" },
    );
    if (waitHealthy) await this.healthy();
  }
  async healthy(): Promise<void> {
    for (let i = 0; i < 150; i++) {
      if ((await this.ctl(["endpoint", "health"])).code === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd ${this.name} did not become healthy at ${this.clientUrl}`);
  }
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
  ctl(args: readonly string[]): Promise<Result> {
    return run("etcdctl", ["--endpoints", this.clientUrl, "--command-timeout", "10s", ...args], ctlEnv());
  }
  /** `etcdctl member list` as "name peerURL [learner]" lines, sorted ("(unstarted)" for a member that never started). */
  async members(): Promise<string[]> {
    const listed = await this.ctl(["member", "list"]);
    if (listed.code !== 0) throw new Error(`etcdctl member list failed: ${listed.stderr}`);
    // etcdctl's simple format (etcdctl/ctlv3/command/printer_simple.go MemberList): ID, status, name, peer URLs, client URLs, is learner.
    return listed.stdout.trim().split("\n").map((line) => {
      const [, , name, peers, , learner] = line.split(", ");
      return `${name || "(unstarted)"} ${peers}${learner === "true" ? " learner" : ""}`;
    }).sort();
  }
}

/** A real etcd cluster of members named `names`, started together. */
export async function startEtcdCluster(directory: string, names: readonly string[]): Promise<RealEtcd[]> {
  const ports: { client: number; peer: number }[] = [];
  for (let i = 0; i < names.length; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i].peer}`).join(",");
  const members = names.map((n, i) => new RealEtcd(path.join(directory, `etcd-${i}`), ports[i].client, ports[i].peer, n, initialCluster));
  await Promise.all(members.map((m) => m.start(false)));
  await Promise.all(members.map((m) => m.healthy()));
  return members;
}
