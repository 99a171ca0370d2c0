/**
 * A control-plane node that joins removes the etcd members whose instances no longer run
 * (etcd-members.sh, run by bootstrap.sh after the join; issue 15), proven with a REAL etcd
 * cluster (Debian's etcd 3.4: three members on loopback ports, named as kubeadm names them, after
 * their node's private DNS name) and the emulator's EC2 as the cloud's view of which instances
 * run. The node's scripts are those a control-plane-join node's user data ships, run under
 * KUBEPLANE_ROOT with the real aws CLI and etcdctl; IMDSv2 is a local server.
 */
import type { Server } from "http";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Emulator, startEmulator } from "../support/emulator";
import { awsControlPlaneContext, freePort, imdsEndpoint, installNode, InstanceMetadata, RealEtcd, run, startEtcdCluster, startImds } from "../support/real-etcd";

jest.setTimeout(120_000);

const REGION = "eu-west-1";
const CLUSTER = "members";

interface Instance {
  InstanceId: string;
  PrivateDnsName: string;
  PrivateIpAddress: string;
}

let emulator: Emulator;
let imds: Server;
let work: string;
let root: string;
const metadata: InstanceMetadata = {};
let etcd: RealEtcd[] = [];
let a: Instance, b: Instance, c: Instance;

const aws = async (args: readonly string[]) => {
  const r = await run("aws", ["--region", REGION, ...args, "--output", "json"], emulator.env);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
};
const launch = async (): Promise<Instance> => {
  const image = (await aws(["ec2", "describe-images", "--query", "Images[0].ImageId"])) as string;
  const answer = await aws([
    "ec2", "run-instances", "--image-id", image, "--count", "1", "--instance-type", "t3.medium",
    "--tag-specifications", `ResourceType=instance,Tags=[{Key=kubeplane:cluster,Value=${CLUSTER}},{Key=kubeplane:role,Value=control-plane}]`,
  ]);
  return answer.Instances[0] as Instance;
};
/**
 * `etcdctl member add --learner`, tried again while etcd answers "unhealthy cluster": etcd refuses
 * membership changes for a few seconds after one (its strict reconfiguration check).
 */
const addLearner = async (name: string, peer: string) => {
  for (let attempt = 0; ; attempt++) {
    const added = await etcd[0].ctl(["member", "add", name, "--peer-urls", peer, "--learner"]);
    if (added.code === 0) return;
    if (!added.stderr.includes("unhealthy cluster") || attempt >= 30) throw new Error(`etcdctl member add failed: ${added.stderr}`);
    await new Promise((r) => setTimeout(r, 500));
  }
};
const terminate = (i: Instance) => aws(["ec2", "terminate-instances", "--instance-ids", i.InstanceId]);

/** etcd_remove_dead_members as bootstrap.sh runs it on the joined node `a`, against `a`'s etcd. */
const cleanup = (extra: NodeJS.ProcessEnv = {}) =>
  run("bash", ["-c", '. "$KUBEPLANE_ROOT/usr/local/lib/kubeplane/common.sh"; load_cluster; metadata_load; . "$KUBEPLANE_LIB/etcd-members.sh"; etcd_remove_dead_members'], {
    ...emulator.env,
    KUBEPLANE_ROOT: root,
    KUBEPLANE_IMDS_ENDPOINT: imdsEndpoint(imds),
    KUBEPLANE_ETCD_ENDPOINT: etcd[0].clientUrl,
    AWS_MAX_ATTEMPTS: "1",
    ...extra,
  });

beforeAll(async () => {
  [emulator, imds] = await Promise.all([startEmulator(), startImds(metadata)]);
  work = mkdtempSync(path.join(os.tmpdir(), "kubeplane-etcd-members-"));
  root = path.join(work, "node");
  [a, b, c] = [await launch(), await launch(), await launch()];
  Object.assign(metadata, {
    "instance-id": a.InstanceId,
    "placement/region": REGION,
    "placement/availability-zone": `${REGION}a`,
    "local-hostname": a.PrivateDnsName,
    "local-ipv4": a.PrivateIpAddress,
  });
  const context = awsControlPlaneContext(CLUSTER, REGION, { role: "control-plane-join", controlPlaneCount: 3 });
  installNode(root, context);
  // Three voting members, one per instance, named after the instance's node (kubeadm's member name).
  etcd = await startEtcdCluster(work, [a.PrivateDnsName, b.PrivateDnsName, c.PrivateDnsName]);
});

afterAll(async () => {
  await Promise.all(etcd.map((m) => m.stop()));
  await emulator?.stop();
  await new Promise((r) => (imds ? imds.close(r) : r(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a joined control-plane node and the etcd members of gone instances (real etcd, three members)", () => {
  const all = () => [a, b, c].map((i, n) => `${i.PrivateDnsName} ${etcd[n].peerUrl}`).sort();

  test("when the cloud cannot be asked which instances run, no member is removed, and it says so", async () => {
    const result = await cleanup({ AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/aws ec2 describe-instances failed: .*Could not connect to the endpoint URL/);
    expect(result.stderr).toContain("could not list the cluster's control-plane instances: no etcd member removed");
    expect(await etcd[0].members()).toEqual(all());
  });

  test("every member's instance runs: all are kept", async () => {
    const result = await cleanup();
    expect(result.stderr).toContain("etcd members checked: 0 dead member(s) removed");
    expect(result.code).toBe(0);
    expect(await etcd[0].members()).toEqual(all());
  });

  test("a started voting member whose instance is terminated is removed; the members of running instances stay and keep serving", async () => {
    await terminate(c);
    await etcd[2].stop();
    const result = await cleanup();
    expect(result.stderr).toMatch(new RegExp(`removing etcd member [0-9a-f]+ \\(${c.PrivateDnsName.replace(/\./g, "\\.")}, ${etcd[2].peerUrl}\\): its instance no longer runs`));
    expect(result.stderr).toContain("1 dead member(s) removed");
    expect(result.code).toBe(0);
    expect(await etcd[0].members()).toEqual(all().filter((m) => !m.startsWith(c.PrivateDnsName)));
    expect((await etcd[0].ctl(["put", "/after-removal", "ok"])).code).toBe(0);
  });

  test("unstarted learners at the address of no instance (a join that never finished) are removed; one at a running instance's address (a join in progress) is kept", async () => {
    // etcd 3.4 admits one learner at a time, so one dead learner after the other.
    for (const peer of [`http://${c.PrivateIpAddress}:2380`, "http://10.0.9.9:2380"]) {
      await addLearner("dead-member", peer);
      const result = await cleanup();
      expect(result.stderr).toMatch(new RegExp(`removing etcd member [0-9a-f]+ \\(unstarted, ${peer.replace(/\./g, "\\.")}\\): its instance no longer runs`));
      expect(result.code).toBe(0);
      expect(await etcd[0].members()).toHaveLength(2);
    }
    await addLearner("joining", `http://${b.PrivateIpAddress}:2380`);
    const kept = await cleanup();
    expect(kept.stderr).toContain("0 dead member(s) removed");
    expect(await etcd[0].members()).toContain(`(unstarted) http://${b.PrivateIpAddress}:2380 learner`);
    const learner = (await etcd[0].ctl(["member", "list"])).stdout.split("\n").find((l) => l.includes(b.PrivateIpAddress))!;
    expect((await etcd[0].ctl(["member", "remove", learner.split(",")[0]])).code).toBe(0);
  });

  test("removing what the cloud calls dead would leave fewer live voting members than quorum: nothing is removed, and it says why", async () => {
    // Two voting members left (a, b); the cloud no longer lists b: one live of two is below
    // etcd's quorum of 2, so either the cloud's view is wrong or etcd cannot change its membership.
    await terminate(b);
    const result = await cleanup();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("1 of 2 voting etcd members belong to no running instance: removing them would leave 1, below quorum (2); no etcd member removed");
    expect(await etcd[0].members()).toEqual(all().filter((m) => !m.startsWith(c.PrivateDnsName)));
  });
});
