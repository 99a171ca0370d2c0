/**
 * Drain on termination in the node simulation (issue 14): a joined worker of a simulated cluster
 * runs its drain service (kubeplane-drain, as kubeplane-drain.service starts it) while its
 * auto-scaling group terminates it (TerminateInstanceInAutoScalingGroup, as a scale-in does). The
 * group holds it on the pool's termination hook (Terminating:Wait, the emulator's lifecycle
 * actions in cli/moto-patches/sitecustomize.py); the node sees the termination in its instance
 * metadata, cordons itself, evicts its pods through the Eviction API (a disruption budget refusing
 * some evictions first; DaemonSet and static pods stay) and completes the lifecycle action with
 * CONTINUE, which the emulator records. When a budget never lets a pod go, the drain gives up
 * after its timeout, says so, and completes the action anyway. And a worker's kubelet runs with
 * the external cloud provider from its first start.
 *
 * The other end of a worker's life: one whose node bundle cannot be fetched (or is not the one
 * its user data names) is tagged failed and marked unhealthy, so that its group replaces it, as a
 * failed bootstrap is, within the same replacement budget; past it, the worker stays.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { BUNDLE_LOADER_COMMAND, renderBundledUserData } from "../../bootstrap/bundle";
import { BOOTSTRAP_COMMAND } from "../../bootstrap/node-files";
import { DRAIN_COMMAND } from "../../bootstrap/user-data";
import { Emulator, startEmulator } from "../support/emulator";
import { awsJson } from "../support/node-simulation/aws-cli";
import { DrainPod, installDrainStubs } from "../support/node-simulation/drain-stubs";
import { SIMULATION_REGION, SimulatedCluster } from "../support/node-simulation/simulated-cluster";
import { SimulatedNode } from "../support/node-simulation/simulated-node";

jest.setTimeout(150_000);

/** The pool's termination hook, as providers/aws/aws-worker-pool.ts makes it. */
const HOOK = "kubeplane-drain";

interface Activity {
  Description: string;
  StatusCode: string;
  Details: string;
  EndTime?: string;
}

let emulator: Emulator;
let workDir: string;
let cluster: SimulatedCluster;
const started = Date.now();

beforeAll(async () => {
  emulator = await startEmulator();
  workDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-node-drain-"));
  cluster = await SimulatedCluster.create(emulator.env, path.join(workDir, "cluster"), "drain");
  const init = await cluster.launch("control-plane-init");
  const run = await init.run(BOOTSTRAP_COMMAND);
  if (run.code !== 0) throw new Error(`the control plane did not come up:\n${run.stderr}`);
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`node-drain suite: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

/** A worker that has joined, in an auto-scaling group of its own with the pool's drain hook. */
async function joinedWorkerInGroup(): Promise<{ worker: SimulatedNode; group: string }> {
  const worker = await cluster.launch("worker");
  const joined = await worker.run(BOOTSTRAP_COMMAND);
  if (joined.code !== 0) throw new Error(`the worker did not join:\n${joined.stderr}`);
  const group = await cluster.workerGroup([worker]);
  await awsJson(cluster.env, [
    "autoscaling", "put-lifecycle-hook", "--lifecycle-hook-name", HOOK, "--auto-scaling-group-name", group,
    "--lifecycle-transition", "autoscaling:EC2_INSTANCE_TERMINATING", "--heartbeat-timeout", "600", "--default-result", "CONTINUE",
  ]);
  return { worker, group };
}

/** Starts the drain service on `worker`, waits until it watches the metadata, then scales the instance in. */
async function drainOnScaleIn(worker: SimulatedNode, pods: readonly DrainPod[], env: NodeJS.ProcessEnv) {
  const stubs = installDrainStubs(worker, pods);
  const since = Date.now();
  const running = worker.start(DRAIN_COMMAND, [], { ...stubs.env, KUBEPLANE_DRAIN_POLL_SECONDS: "0.2", KUBEPLANE_DRAIN_RETRY_SECONDS: "0.2", ...env });
  const watching = async () => {
    const deadline = Date.now() + 30_000;
    while (!worker.calls("curl").some((c) => c.at >= since && c.args.some((a) => a.endsWith("/autoscaling/target-lifecycle-state")))) {
      if (Date.now() > deadline) throw new Error("the drain service never looked at the target lifecycle state");
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await watching();
  // Still watching: nothing is drained before the group terminates the instance.
  expect(worker.calls("kubectl").filter((c) => c.at >= since)).toEqual([]);
  const terminatedAt = Date.now();
  const answer = await awsJson<{ Activity: Activity }>(cluster.env, [
    "autoscaling", "terminate-instance-in-auto-scaling-group", "--instance-id", worker.instance.instanceId, "--should-decrement-desired-capacity",
  ]);
  expect(answer.Activity.Description).toBe(`Terminating EC2 instance: ${worker.instance.instanceId}`);
  const run = await running.finished;
  return { run, since, terminatedAt, podsLeft: stubs.podsLeft(), kubectl: worker.calls("kubectl").filter((c) => c.at >= since) };
}

async function activities(group: string): Promise<Activity[]> {
  return (await awsJson<{ Activities: Activity[] }>(cluster.env, ["autoscaling", "describe-scaling-activities", "--auto-scaling-group-name", group])).Activities;
}

async function instanceState(worker: SimulatedNode): Promise<string> {
  const answer = await awsJson<{ Reservations: { Instances: { State: { Name: string } }[] }[] }>(cluster.env, ["ec2", "describe-instances", "--instance-ids", worker.instance.instanceId]);
  return answer.Reservations[0].Instances[0].State.Name;
}

describe("a worker scaled in", () => {
  const pods: DrainPod[] = [
    { namespace: "shop", name: "web-7d9f4c8b5c-2kq7z", owner: "ReplicaSet" },
    // Its budget refuses the first two evictions (another replica is not ready yet).
    { namespace: "shop", name: "web-7d9f4c8b5c-56smx", owner: "ReplicaSet", pdbRefusals: 2 },
    { namespace: "kube-system", name: "calico-node-x8k2f", owner: "DaemonSet" },
    { namespace: "kube-system", name: "ebs-csi-node-p4m9q", owner: "DaemonSet" },
    { namespace: "kube-system", name: "static-web-ip-10-0-1-5", owner: "Node", mirror: "4b6f1c8e2d" },
  ];
  let worker: SimulatedNode;
  let group: string;
  let drained: Awaited<ReturnType<typeof drainOnScaleIn>>;

  beforeAll(async () => {
    ({ worker, group } = await joinedWorkerInGroup());
    drained = await drainOnScaleIn(worker, pods, { KUBEPLANE_DRAIN_TIMEOUT_SECONDS: "30" });
  });

  test("its kubelet has run with the external cloud provider from its first start", () => {
    expect(worker.file("/etc/default/kubelet")).toMatch(/^KUBELET_EXTRA_ARGS="[^"]*--cloud-provider=external[^"]*"$/m);
    const defaultsWrittenAt = statSync(path.join(worker.root, "etc/default/kubelet")).mtimeMs;
    const kubeletStart = worker.calls("systemctl").find((c) => c.args.join(" ") === "enable --now kubelet");
    expect(kubeletStart?.at).toBeGreaterThanOrEqual(Math.floor(defaultsWrittenAt));
  });

  test("it cordons itself, evicts its pods (retrying the one its budget holds back), and leaves DaemonSet and static pods", () => {
    expect({ code: drained.run.code, log: drained.run.stderr }).toEqual({ code: 0, log: expect.stringContaining(`the auto-scaling group is terminating ${worker.instance.instanceId}: draining ${worker.instance.privateDnsName}`) });
    const kubectl = drained.kubectl.map((c) => c.args.filter((a, i, all) => a !== "--kubeconfig" && all[i - 1] !== "--kubeconfig"));
    expect(kubectl[0]).toEqual(["cordon", worker.instance.privateDnsName]);
    const evictions = kubectl.filter((a) => a[0] === "create").map((a) => a[2]);
    const evictionOf = (p: DrainPod) => `/api/v1/namespaces/${p.namespace}/pods/${p.name}/eviction`;
    // One eviction for the first, three for the one its budget refused twice, none for the rest.
    expect(evictions.filter((e) => e === evictionOf(pods[0]))).toHaveLength(1);
    expect(evictions.filter((e) => e === evictionOf(pods[1]))).toHaveLength(3);
    expect(evictions.filter((e) => e !== evictionOf(pods[0]) && e !== evictionOf(pods[1]))).toEqual([]);
    expect(drained.run.stderr).toContain("1 pod(s) not evicted yet (a disruption budget); retrying in 0.2s");
    expect(drained.run.stderr).toContain(`node ${worker.instance.privateDnsName} is drained`);
    expect(drained.podsLeft.map((p) => p.name).sort()).toEqual(["calico-node-x8k2f", "ebs-csi-node-p4m9q", "static-web-ip-10-0-1-5"]);
  });

  test("then it completes the lifecycle action with CONTINUE, and the group terminates it", async () => {
    expect(drained.run.stderr).toMatch(new RegExp(`is drained[\\s\\S]*termination of ${worker.instance.instanceId} goes on`));
    const [activity, ...more] = await activities(group);
    expect(more).toEqual([]);
    expect(activity).toMatchObject({ Description: `Terminating EC2 instance: ${worker.instance.instanceId}`, StatusCode: "Successful" });
    expect(JSON.parse(activity.Details)).toEqual({ "Lifecycle hook": HOOK, "Lifecycle action result": "CONTINUE" });
    // Completed after the last eviction.
    const lastKubectl = Math.max(...drained.kubectl.map((c) => c.at));
    expect(Date.parse(activity.EndTime!)).toBeGreaterThanOrEqual(lastKubectl - 1000);
    expect(await instanceState(worker)).toMatch(/^(shutting-down|terminated)$/);
    // No second completion: the emulator has no lifecycle action left for the instance.
    await expect(
      awsJson(cluster.env, ["autoscaling", "complete-lifecycle-action", "--lifecycle-hook-name", HOOK, "--auto-scaling-group-name", group, "--instance-id", worker.instance.instanceId, "--lifecycle-action-result", "CONTINUE"]),
    ).rejects.toThrow(/ValidationError.*No active Lifecycle Action found/);
  });
});

describe("a worker whose pod a disruption budget never lets go", () => {
  test("drains until its timeout, says so, and completes the lifecycle action with CONTINUE anyway", async () => {
    const { worker, group } = await joinedWorkerInGroup();
    const pods: DrainPod[] = [{ namespace: "payments", name: "ledger-0", owner: "StatefulSet", pdbRefusals: "always" }];
    const drained = await drainOnScaleIn(worker, pods, { KUBEPLANE_DRAIN_TIMEOUT_SECONDS: "2" });
    expect(drained.run.code).toBe(0);
    const log = drained.run.stderr;
    const timedOut = log.indexOf(`drain timed out after 2s with pods left on ${worker.instance.privateDnsName} (a disruption budget, or an unreachable API); terminating anyway`);
    expect(timedOut).toBeGreaterThan(-1);
    expect(log.indexOf(`termination of ${worker.instance.instanceId} goes on`)).toBeGreaterThan(timedOut);
    expect(log).not.toContain("is drained");
    // It kept trying for the whole timeout.
    const evictions = drained.kubectl.filter((c) => c.args.includes("create"));
    expect(evictions.length).toBeGreaterThan(2);
    expect(Math.max(...evictions.map((c) => c.at)) - drained.terminatedAt).toBeGreaterThanOrEqual(1500);
    expect(drained.podsLeft.map((p) => p.name)).toEqual(["ledger-0"]);
    const [activity] = await activities(group);
    expect(activity.StatusCode).toBe("Successful");
    expect(JSON.parse(activity.Details)).toEqual({ "Lifecycle hook": HOOK, "Lifecycle action result": "CONTINUE" });
    expect(await instanceState(worker)).toMatch(/^(shutting-down|terminated)$/);
  });
});

describe("a worker whose node bundle cannot be installed", () => {
  const BUCKET = "kubeplane-drain-bundles";
  const KEY = `bundles/worker-${"ab".repeat(32)}.tar.gz`;
  const STATUS_TAG = "kubeplane:bootstrap";
  const BUDGET = { KUBEPLANE_REPLACEMENTS_PER_HOUR: "2", KUBEPLANE_BUNDLE_RETRY_SECONDS: "0", KUBEPLANE_INSTALL_RETRY_DELAY_SECONDS: "0" };

  /** A worker in a group of its own, with the user data of a bundled worker (the loader, not yet the scripts). */
  async function bundledWorker(sha256: string): Promise<SimulatedNode> {
    const worker = await cluster.launch("worker");
    await cluster.workerGroup([worker]);
    worker.install(renderBundledUserData(cluster.context("worker"), { kind: "s3", settings: { KUBEPLANE_BUNDLE_BUCKET: BUCKET, KUBEPLANE_BUNDLE_KEY: KEY, KUBEPLANE_BUNDLE_REGION: SIMULATION_REGION } }, sha256));
    return worker;
  }

  test("is tagged failed and replaced within the budget a failed bootstrap spends too; past the budget it stays", async () => {
    await awsJson(cluster.env, ["s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", `LocationConstraint=${SIMULATION_REGION}`]);

    // A bootstrap that fails (apt never reaches its mirror) takes the hour's first replacement.
    const failedBootstrap = await cluster.launch("worker");
    await cluster.workerGroup([failedBootstrap]);
    const bootstrap = await failedBootstrap.run(BOOTSTRAP_COMMAND, [], { ...BUDGET, SIM_APT_FAILURES: "1000" });
    expect(bootstrap.code).not.toBe(0);
    expect(bootstrap.stderr).toContain(`replacement 1 of 2 this hour for ${cluster.name}\n`);

    // The bundle is not in the bucket: the second.
    const missing = await bundledWorker("ab".repeat(32));
    const fetch = await missing.run(BUNDLE_LOADER_COMMAND, [], BUDGET);
    expect(fetch.code).toBe(1);
    expect(fetch.stderr).toContain(`kubeplane fetch-bundle: error: could not fetch s3://${BUCKET}/${KEY}`);
    expect(fetch.stderr).toContain("the bundle is not installed: this node does not bootstrap");
    expect(fetch.stderr).toContain(`marked this node unhealthy: its auto-scaling group replaces it (replacement 2 of 2 this hour for ${cluster.name})`);
    expect(await cluster.instanceHealth(missing)).toBe("Unhealthy");
    expect((await cluster.instanceTags(missing))[STATUS_TAG]).toBe("failed: fetching the node bundle");
    const slots = (await cluster.recordNames()).filter((n) => n.startsWith(`${cluster.parameterPath}/status/replacements/`));
    const hour = Math.floor(Date.now() / 3_600_000);
    expect(slots).toEqual([`${cluster.parameterPath}/status/replacements/${hour}-1`, `${cluster.parameterPath}/status/replacements/${hour}-2`]);
    expect(await cluster.recordValue(slots[1])).toMatch(new RegExp(`^${missing.instance.instanceId} \\d+$`));

    // A bundle that is not the one the user data names: refused; the budget is spent, so it stays.
    const object = path.join(workDir, "other-bundle.tar.gz");
    writeFileSync(object, "not the bundle");
    await awsJson(cluster.env, ["s3api", "put-object", "--bucket", BUCKET, "--key", KEY, "--body", object]);
    const tampered = await bundledWorker("ab".repeat(32));
    const refused = await tampered.run(BUNDLE_LOADER_COMMAND, [], BUDGET);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("does not have the SHA-256 the user data names");
    expect(refused.stderr).toContain(`the replacement budget of 2 per hour for ${cluster.name} is spent: this node stays, and an operator must look`);
    expect(await cluster.instanceHealth(tampered)).toBe("Healthy");
    expect((await cluster.instanceTags(tampered))[STATUS_TAG]).toBe("failed: fetching the node bundle");
  });
});
