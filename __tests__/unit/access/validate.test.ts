/**
 * `kubeplane validate` with the real kubectl (Debian's) against a local HTTPS server that serves
 * Nodes, Pods, Deployments and DaemonSets as the API server does (__tests__/support/access/kube-api-server.ts,
 * shapes from the Kubernetes API reference), and the cloud's facts from a stand-in
 * OperatorAccessRuntime: healthy, a NotReady node, a missing worker, a crash-looping CNI pod, a
 * Node whose instance is gone, a failed bootstrap, and --wait until healthy.
 */
import { mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { runKubeplane } from "../../../cli/kubeplane";
import type { ClusterInstance, ClusterInventory, OperatorAccessRuntime } from "../../../providers/operator-access";
import { runValidate } from "../../../cli/access/operator-commands";
import { requiredWorkloads } from "../../../cli/access/validate";
import { AWS_CLOUD_WORKLOADS } from "../../../providers/aws/aws-operator-access-runtime";
import { exampleDefinition } from "../../support/examples";
import { ClusterObjects, daemonSet, deployment, KubeApiServer, kubeconfigFor, makePki, node, pod, startKubeApiServer, staticPods, TestPki } from "../../support/access/kube-api-server";

const CP = "i-0c0000000000000a1";
const W1 = "i-0a0000000000000b1";
const W2 = "i-0a0000000000000b2";

const instance = (id: string, role: "control-plane" | "worker", extra: Partial<ClusterInstance> = {}): ClusterInstance => ({
  id,
  role,
  state: "running",
  providerId: `aws:///eu-west-1a/${id}`,
  bootstrap: { state: "ready" },
  ...extra,
});

function healthyInventory(): { instances: ClusterInstance[]; workerGroups: { name: string; desired: number; inService: number }[] } {
  return { instances: [instance(CP, "control-plane"), instance(W1, "worker"), instance(W2, "worker")], workerGroups: [{ name: "kubeplane-dev-workers", desired: 2, inService: 2 }] };
}

function healthyObjects(): ClusterObjects {
  return {
    nodes: [node("ip-10-10-0-10", CP, { controlPlane: true }), node("ip-10-10-1-20", W1), node("ip-10-10-1-21", W2)],
    pods: [
      ...staticPods("ip-10-10-0-10"),
      ...["ip-10-10-0-10", "ip-10-10-1-20", "ip-10-10-1-21"].map((n, i) => pod(`calico-node-${"abc"[i]}x1z9`, n, { "k8s-app": "calico-node" }, { container: "calico-node" })),
      pod("coredns-6f6b679f8f-4lfxk", "ip-10-10-1-20", { "k8s-app": "kube-dns" }, { container: "coredns" }),
      pod("coredns-6f6b679f8f-9qzvd", "ip-10-10-1-21", { "k8s-app": "kube-dns" }, { container: "coredns" }),
    ],
    // The cloud's add-ons (bootstrap/installers/cloud-addons.ts) by their upstream names.
    deployments: [deployment("coredns", 2), deployment("calico-kube-controllers", 1), deployment("ebs-csi-controller", 1)],
    daemonSets: [daemonSet("calico-node", 3), daemonSet("kube-proxy", 3), daemonSet("aws-cloud-controller-manager", 1), daemonSet("ebs-csi-node", 3)],
  };
}

let pki: TestPki;
let server: KubeApiServer;
let kubeconfig: string;
const definition = exampleDefinition("dev");

beforeAll(async () => {
  pki = makePki();
  server = await startKubeApiServer(pki, healthyObjects());
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-validate-"));
  kubeconfig = path.join(dir, "config");
  writeFileSync(kubeconfig, kubeconfigFor(pki, server.url));
});
afterAll(() => server.close());

function runtimeWith(inventories: ClusterInventory[]): OperatorAccessRuntime {
  let round = 0;
  return {
    location: "AWS eu-west-1",
    inventory: async () => inventories[Math.min(round++, inventories.length - 1)],
    cloudWorkloads: AWS_CLOUD_WORKLOADS,
    mintKubeconfig: () => Promise.reject(new Error("not in this test")),
    planTunnel: () => Promise.reject(new Error("not in this test")),
  };
}

async function validate(inventory: ClusterInventory | ClusterInventory[], objects: ClusterObjects, options: { wait?: string; onRound?: (n: number) => void } = {}) {
  Object.assign(server.objects, objects);
  let out = "";
  let err = "";
  const cli = { env: { ...process.env, KUBECONFIG: kubeconfig }, stdout: { write: (s: string | Uint8Array) => (out += s) }, stderr: { write: (s: string | Uint8Array) => (err += s) }, now: Date.now, exitCode: 0 };
  let rounds = 0;
  const code = await runValidate(
    cli,
    {
      definitions: () => [definition],
      access: async () => runtimeWith(Array.isArray(inventory) ? inventory : [inventory]),
      sleep: async () => options.onRound?.(++rounds),
    },
    "dev",
    { wait: options.wait, intervalSeconds: 0.01 },
  );
  return { code, out, err };
}

test("healthy: exit 0 and a summary; kubectl read the four lists with the kubeplane-dev context", async () => {
  server.requests.length = 0;
  const r = await validate(healthyInventory(), healthyObjects());
  expect(r.out).toBe("cluster dev is healthy: 1 of 1 control-plane nodes and 2 of 2 workers Ready; 9 kube-system pods, 3 deployments, 4 daemonsets\n");
  expect(r.code).toBe(0);
  expect(server.requests).toEqual(
    expect.arrayContaining(["/api/v1/nodes", "/api/v1/namespaces/kube-system/pods", "/apis/apps/v1/namespaces/kube-system/deployments", "/apis/apps/v1/namespaces/kube-system/daemonsets"]),
  );
});

test("a NotReady worker: its condition's reason and message, exit 1", async () => {
  const objects = healthyObjects();
  objects.nodes[2] = node("ip-10-10-1-21", W2, { ready: false });
  const r = await validate(healthyInventory(), objects);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/^KIND +NAME +PROBLEM$/m);
  expect(r.out).toMatch(/^node +ip-10-10-1-21 +NotReady \(Ready=False, KubeletNotReady: container runtime network not ready/m);
  expect(r.out).toMatch(/^workers +Ready Nodes +1 Ready worker Nodes for 2 instances in service$/m);
  expect(r.err).toMatch(/cluster dev is not healthy: 2 problems/);
});

test("a missing worker: the group has fewer in service than desired, and an instance has no Node", async () => {
  const inventory = healthyInventory();
  inventory.workerGroups[0].inService = 1;
  const objects = healthyObjects();
  objects.nodes.pop();
  inventory.instances[2] = instance(W2, "worker", { bootstrap: { state: "unknown" } });
  const r = await validate(inventory, objects);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/^workers +kubeplane-dev-workers +1 of 2 instances in service$/m);
  expect(r.out).toMatch(new RegExp(`^instance +${W2} +worker: running but no Node yet \\(still bootstrapping\\?\\)$`, "m"));
});

test("a crash-looping CNI pod: the container, its waiting reason and restarts, and the daemonset short of a pod", async () => {
  const objects = healthyObjects();
  objects.pods[5] = pod("calico-node-cx1z9", "ip-10-10-1-21", { "k8s-app": "calico-node" }, { container: "calico-node", crashLoop: true });
  objects.daemonSets[0] = daemonSet("calico-node", 3, 2);
  const r = await validate(healthyInventory(), objects);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/^pod +calico-node-cx1z9 +container calico-node CrashLoopBackOff \(7 restarts\) on ip-10-10-1-21$/m);
  expect(r.out).toMatch(/^daemonset +calico-node +2 of 3 pods available$/m);
});

test("a required workload that is missing is reported by name (the EBS CSI controller, the CNI), not only unavailable ones", async () => {
  const objects = healthyObjects();
  const named = (o: unknown) => (o as { metadata: { name: string } }).metadata.name;
  objects.deployments = objects.deployments.filter((d) => named(d) !== "ebs-csi-controller");
  objects.daemonSets = objects.daemonSets.filter((d) => named(d) !== "calico-node");
  const r = await validate(healthyInventory(), objects);
  expect(r.out).toMatch(/^deployment +ebs-csi-controller +missing: the EBS CSI driver's controller/m);
  expect(r.out).toMatch(/^daemonset +calico-node +missing: the CNI \(Calico\)/m);
  expect(r.out.split("\n").filter((l) => / missing: /.test(l))).toHaveLength(2);
  expect(r.code).toBe(1);
});

test("a Node whose instance is gone, a failed bootstrap, a missing static pod", async () => {
  const inventory = healthyInventory();
  inventory.instances[2] = instance(W2, "worker", { state: "terminated" });
  inventory.instances.push(instance("i-0a0000000000000b3", "worker", { bootstrap: { state: "failed", step: "joining the cluster" } }));
  const objects = healthyObjects();
  objects.pods = objects.pods.filter((p) => (p.metadata as { name: string }).name !== "etcd-ip-10-10-0-10");
  const r = await validate(inventory, objects);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(new RegExp(`^node +ip-10-10-1-21 +its instance ${W2} no longer exists \\(terminated\\): delete the Node \\(kubectl delete node ip-10-10-1-21\\)$`, "m"));
  expect(r.out).toMatch(/^instance +i-0a0000000000000b3 +worker: bootstrap failed at "joining the cluster"/m);
  expect(r.out).toMatch(/^pod +etcd-ip-10-10-0-10 +missing \(static pod of a control-plane node\)$/m);
});

test("--wait: polls, with progress on stderr, until healthy", async () => {
  const starting = healthyInventory();
  starting.instances[2] = instance(W2, "worker", { state: "pending", bootstrap: { state: "unknown" } });
  const objects = healthyObjects();
  objects.nodes = objects.nodes.slice(0, 2);
  const r = await validate([starting, starting, healthyInventory()], objects, {
    wait: "5m",
    onRound: (n) => {
      if (n === 2) server.objects.nodes = healthyObjects().nodes;
    },
  });
  expect(r.err).toMatch(/kubeplane validate \[\d+s\] round 1: \d problems? \(first: /);
  expect(r.err).toMatch(/round 2:/);
  expect(r.out).toMatch(/^cluster dev is healthy/);
  expect(r.code).toBe(0);
});

test("--wait that runs out: the table and exit 1", async () => {
  const objects = healthyObjects();
  objects.nodes[1] = node("ip-10-10-1-20", W1, { ready: "Unknown" });
  let now = 0;
  Object.assign(server.objects, objects);
  let out = "";
  let err = "";
  const cli = { env: { ...process.env, KUBECONFIG: kubeconfig }, stdout: { write: (s: string | Uint8Array) => (out += s) }, stderr: { write: (s: string | Uint8Array) => (err += s) }, now: () => now, exitCode: 0 };
  const code = await runValidate(cli, { definitions: () => [definition], access: async () => runtimeWith([healthyInventory()]), sleep: async (ms) => void (now += ms) }, "dev", { wait: "30s", intervalSeconds: 10 });
  expect(code).toBe(1);
  expect(err.match(/round \d+:/g)).toHaveLength(3);
  expect(out).toMatch(/^node +ip-10-10-1-20 +NotReady \(Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status.\)$/m);
  expect(err).toMatch(/after waiting 30s/);
});

test("an API kubectl cannot reach is a problem, named with kubectl's message", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-validate-"));
  const file = path.join(dir, "config");
  writeFileSync(file, kubeconfigFor(pki, "https://127.0.0.1:1"));
  let out = "";
  const cli = { env: { ...process.env, KUBECONFIG: file }, stdout: { write: (s: string | Uint8Array) => (out += s) }, stderr: { write: () => true }, now: Date.now, exitCode: 0 };
  const code = await runValidate(cli, { definitions: () => [definition], access: async () => runtimeWith([healthyInventory()]) }, "dev", {});
  expect(code).toBe(1);
  expect(out).toMatch(/^api +Kubernetes API +kubectl get --raw \/api\/v1\/nodes: .*(refused|connect)/m);
});

test("the command line: an unknown cluster and a bad --wait are errors naming them, exit 1", async () => {
  let err = "";
  const stderr = { write: (s: string | Uint8Array) => (err += s) };
  const stdout = { write: () => true };
  expect(await runKubeplane(["validate", "nosuch"], { stdout, stderr })).toBe(1);
  expect(err).toMatch(/kubeplane: unknown cluster "nosuch"; the selected definitions .* have dev/);
  err = "";
  expect(await runKubeplane(["validate", "dev", "--wait", "soon"], { stdout, stderr })).toBe(1);
  expect(err).toMatch(/kubeplane: --wait "soon" is not a duration like 15m, 1h or 90s/);
});

test("the required workloads: kubeadm's CNI and DNS and the cloud's add-ons; none by name for kURL (its add-ons come from its installer spec)", () => {
  expect(requiredWorkloads(definition, AWS_CLOUD_WORKLOADS).map((w) => `${w.kind}/${w.name}`)).toEqual([
    "daemonset/calico-node",
    "deployment/coredns",
    "daemonset/aws-cloud-controller-manager",
    "deployment/ebs-csi-controller",
    "daemonset/ebs-csi-node",
  ]);
  expect(requiredWorkloads(exampleDefinition("kurl"), AWS_CLOUD_WORKLOADS)).toEqual([]);
});

describe("the last etcd backup (<parameter path>/status/etcd-backup)", () => {
  // The record as bootstrap/node/etcd-common.sh backup_record writes it (jq -c: version, state,
  // instanceId, time in epoch seconds, then the detail: etcd-snapshot.sh's snapshot/sha256/revision
  // when ok, {step} when failed).
  const at = (minutesAgo: number) => Math.floor(Date.now() / 1000) - minutesAgo * 60;
  const ok = (minutesAgo: number) =>
    JSON.stringify({ version: 1, state: "ok", instanceId: CP, time: at(minutesAgo), snapshot: "etcd/dev/2026/12/02/snapshot-0300.db", sha256: "ab".repeat(32), revision: 4242 });
  const failed = JSON.stringify({ version: 1, state: "failed", instanceId: CP, time: at(3), step: "uploading the snapshot" });

  async function withRecord(record: string | undefined | Error) {
    Object.assign(server.objects, healthyObjects());
    let out = "";
    const cli = { env: { ...process.env, KUBECONFIG: kubeconfig }, stdout: { write: (s: string | Uint8Array) => (out += s) }, stderr: { write: () => true }, now: Date.now, exitCode: 0 };
    const runtime: OperatorAccessRuntime = {
      ...runtimeWith([healthyInventory()]),
      etcdBackupStatus: async () => {
        if (record instanceof Error) throw record;
        return record;
      },
    };
    const code = await runValidate(cli, { definitions: () => [definition], access: async () => runtime }, "dev", {});
    return { code, out };
  }

  test("a recent good backup: healthy", async () => {
    expect(definition.backups.interval).toBe("1h");
    expect(await withRecord(ok(30))).toEqual({ code: 0, out: expect.stringMatching(/^cluster dev is healthy: /) });
  });
  test("a failed backup: its step, node and time, exit 1", async () => {
    const r = await withRecord(failed);
    expect(r.out).toMatch(new RegExp(`^backup +etcd-backup +failed at "uploading the snapshot" on ${CP} at 20\\d\\d-\\d\\d-\\d\\dT`, "m"));
    expect(r.code).toBe(1);
  });
  test("a good backup older than 2 × backups.interval is stale, exit 1", async () => {
    const r = await withRecord(ok(121));
    expect(r.out).toMatch(/^backup +etcd-backup +stale: the last, at .*, is 2h1m old \(more than 2 × backups\.interval 1h\)$/m);
    expect(r.code).toBe(1);
    expect((await withRecord(ok(119))).code).toBe(0);
  });
  test("a record that cannot be read or parsed is a problem", async () => {
    expect((await withRecord(new Error("AccessDeniedException: no"))).out).toMatch(/^backup +etcd-backup +could not be read: AccessDeniedException: no$/m);
    expect((await withRecord("not json")).out).toMatch(/^backup +etcd-backup +the record is not one etcd-snapshot\.sh writes: not json$/m);
  });
});
