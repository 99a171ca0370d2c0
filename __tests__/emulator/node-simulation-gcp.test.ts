/**
 * Node simulation on Google Cloud: the rendered node scripts of `cloud: gcp` with the
 * `gcp-secret-manager` backend run the project's own claim, lease, lock, request and status code
 * paths against the GCP fake (__tests__/support/gcp-fake: metadata server per VM, Secret Manager,
 * Compute Engine), with the node simulation's recording stubs for kubeadm, kubectl, systemctl and
 * apt. No AWS emulator: the fake is the cloud.
 */
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { GcpFake } from "../support/gcp-fake/gcp-fake";
import { GCP_SIM_PROJECT, secretId, SimulatedGcpCluster } from "../support/gcp-fake/simulated-gcp-cluster";
import { SimulatedNode } from "../support/node-simulation/simulated-node";

jest.setTimeout(150_000);
// The aws CLI is never called on GCP: no fork server for it.
process.env.KUBEPLANE_SIM_AWS_CLI = "process";

const BOOTSTRAP = "/usr/local/sbin/kubeplane-bootstrap";
const TOKEN = /--token ([a-z0-9]{6}\.[a-z0-9]{16})/;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const kubeadmRuns = (node: SimulatedNode) => node.calls("kubeadm").map((c) => c.args).filter((a) => a[0] !== "config");

let fake: GcpFake;
let workDir: string;

beforeAll(async () => {
  fake = await GcpFake.start();
  workDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-node-simulation-gcp-"));
});

afterAll(() => {
  fake?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Lease {
  command: string;
  createdAt: number;
  expiresAt: number;
  createdBy: string;
}

describe("kubeadm, single control plane, gcp-secret-manager", () => {
  let cluster: SimulatedGcpCluster;
  let init: Awaited<ReturnType<SimulatedGcpCluster["launch"]>>;
  let initRun: Awaited<ReturnType<SimulatedNode["run"]>>;

  beforeAll(async () => {
    cluster = await SimulatedGcpCluster.create(fake, path.join(workDir, "gsim1"), "gsim1");
    init = await cluster.launch("control-plane-init");
    initRun = await init.node.run(BOOTSTRAP);
  });

  const lease = async (): Promise<Lease> => JSON.parse((await cluster.value(cluster.leaseParameter("worker")))!) as Lease;

  test("the first control plane claims the cluster, creates it and publishes the worker lease as a secret version", async () => {
    expect(initRun.stderr).toContain("published a new worker join lease");
    expect(initRun.code).toBe(0);
    expect(JSON.parse((await cluster.value(`${cluster.parameterPath}/cluster/claim`))!)).toMatchObject({ instanceId: init.vm.id });
    const published = await lease();
    expect(published.createdBy).toBe(init.vm.id);
    expect(published.expiresAt - published.createdAt).toBe(12 * 3600);
    expect(published.command).toMatch(TOKEN);
    // The lease is the secret Terraform made (no annotation value), its payload a version.
    const secret = (await fake.state()).secrets[secretId(cluster.leaseParameter("worker"))];
    expect(secret.annotations).toEqual({});
    expect(secret.versions.filter((v) => v.state === "ENABLED")).toHaveLength(1);
    // The rotation lock was taken and released.
    expect(await cluster.value(`${cluster.parameterPath}/join/rotation-lock`)).toBeUndefined();
  });

  test("it records its state as a status record and a guest attribute, and enables the request timer", async () => {
    expect(JSON.parse((await cluster.value(`${cluster.parameterPath}/status/${init.vm.id}`))!)).toMatchObject({
      version: 1,
      state: "ready",
      role: "control-plane-init",
      instanceId: init.vm.id,
    });
    expect((await fake.vm(init.vm.name)).guestAttributes).toEqual({ "kubeplane/bootstrap": "ready" });
    expect(init.node.calls("systemctl").map((c) => c.args)).toContainEqual(["enable", "--now", "kubeplane-join-lease-requests.timer"]);
    expect(init.node.file("/etc/default/kubelet")).toContain(`--provider-id=gce://${GCP_SIM_PROJECT}/${init.vm.zone}/${init.vm.name} --node-ip=${init.vm.ip}`);
  });

  test("a worker joins with the published lease and says so", async () => {
    const worker = await cluster.launch("worker");
    const run = await worker.node.run(BOOTSTRAP);
    expect(run.code).toBe(0);
    const token = TOKEN.exec((await lease()).command)![1];
    expect(kubeadmRuns(worker.node).find((a) => a[0] === "join")).toEqual(expect.arrayContaining(["--token", token]));
    expect((await fake.vm(worker.vm.name)).guestAttributes).toEqual({ "kubeplane/bootstrap": "ready" });
    expect(JSON.parse((await cluster.value(`${cluster.parameterPath}/status/${worker.vm.id}`))!)).toMatchObject({ state: "ready", role: "worker" });
  });

  test("a worker finding an expired lease asks by record; the control plane's request timer answers it", async () => {
    const expired = { ...(await lease()), createdAt: nowSeconds() - 7200, expiresAt: nowSeconds() - 60 };
    await fake.api("POST", `/secretmanager/v1/projects/${GCP_SIM_PROJECT}/secrets/${secretId(cluster.leaseParameter("worker"))}:addVersion`, {
      payload: { data: Buffer.from(JSON.stringify(expired)).toString("base64") },
    });
    const worker = await cluster.launch("worker");
    let joining = true;
    const answering = cluster.answerRequests(init.node, () => joining);
    const run = await worker.node.run(BOOTSTRAP);
    joining = false;
    expect(await answering).toBeGreaterThanOrEqual(1);
    expect(run.stderr).toContain("the worker join lease is expired; asking for a fresh one");
    expect(run.stderr).toContain(`asked the control plane for a fresh join lease (request ${cluster.refreshRequest})`);
    expect(run.code).toBe(0);
    const fresh = await lease();
    expect(fresh.expiresAt).toBeGreaterThan(nowSeconds());
    expect(kubeadmRuns(worker.node).find((a) => a[0] === "join")).toEqual(expect.arrayContaining(["--token", TOKEN.exec(fresh.command)![1]]));
    // Answered and removed; the versions before the current one are destroyed.
    expect(await cluster.value(cluster.refreshRequest)).toBeUndefined();
    const versions = (await fake.state()).secrets[secretId(cluster.leaseParameter("worker"))].versions;
    expect(versions[versions.length - 1].state).toBe("ENABLED");
    expect(versions[versions.length - 2].state).toBe("DESTROYED");
  });

  test("a worker whose join fails records it and is left to its group's autohealing, within the hour's budget", async () => {
    const worker = await cluster.launch("worker");
    const run = await worker.node.run(BOOTSTRAP, [], { SIM_KUBEADM_FAIL: "join", KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "3" });
    expect(run.code).not.toBe(0);
    expect((await fake.vm(worker.vm.name)).guestAttributes).toEqual({ "kubeplane/bootstrap": "failed: joining the cluster" });
    expect(JSON.parse((await cluster.value(`${cluster.parameterPath}/status/${worker.vm.id}`))!)).toMatchObject({ state: "failed", step: "joining the cluster" });
    expect(run.stderr).not.toContain("auto-scaling group");
    expect(run.stderr).toMatch(/replacement 1 of 3 this hour for \S+/);
    // No node is granted recreateInstances (providers/gcp): the group's health check replaces it.
    expect(run.stderr).toContain(`the managed instance group gsim1-workers (regions/europe-west1) recreates instance ${worker.vm.name} by autohealing`);
    expect((await fake.state()).recreations).toEqual([]);
    const hour = Math.floor(nowSeconds() / 3600);
    expect(await cluster.value(`${cluster.parameterPath}/status/replacements/${hour}-1`)).toMatch(new RegExp(`^${worker.vm.id} \\d+$`));
  });

  test("a replaced first control-plane node finds the claim and stops, naming gcloud to remove it", async () => {
    const second = await cluster.launch("control-plane-init");
    const run = await second.node.run(BOOTSTRAP);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`the cluster gsim1 was already created by ${init.vm.id}`);
    expect(run.stderr).toContain(`gcloud secrets delete ${secretId(`${cluster.parameterPath}/cluster/claim`)} --project ${GCP_SIM_PROJECT} --quiet`);
    expect(kubeadmRuns(second.node).filter((a) => a[0] === "init")).toEqual([]);
  });

  test("everything the nodes made carries the cluster's label", async () => {
    const names = await cluster.recordNames();
    expect(names).toEqual(expect.arrayContaining([`${cluster.parameterPath}/cluster/claim`, `${cluster.parameterPath}/status/${init.vm.id}`]));
    const state = await fake.state();
    for (const [id, secret] of Object.entries(state.secrets).filter(([i]) => i.startsWith("kubeplane_gsim1_"))) {
      expect([id, secret.labels]).toEqual([id, { "kubeplane-cluster": "gsim1" }]);
    }
  });
});

describe("kubeadm, HA control plane, gcp-secret-manager", () => {
  test("control-plane nodes started together join one at a time behind the join lock", async () => {
    const cluster = await SimulatedGcpCluster.create(fake, path.join(workDir, "gsim2"), "gsim2", { ha: true });
    const init = await cluster.launch("control-plane-init");
    const initRun = await init.node.run(BOOTSTRAP);
    expect(initRun.code).toBe(0);
    const controlPlaneLease = JSON.parse((await cluster.value(cluster.leaseParameter("control-plane")))!) as Lease;
    expect(controlPlaneLease.command).toMatch(/--control-plane --certificate-key [0-9a-f]{64}/);

    const joiners = [await cluster.launch("control-plane-join"), await cluster.launch("control-plane-join")];
    let joining = true;
    const answering = cluster.answerRequests(init.node, () => joining);
    const runs = await Promise.all(joiners.map((j) => j.node.run(BOOTSTRAP, [], { SIM_KUBEADM_JOIN_SECONDS: "1", KUBEPLANE_JOIN_LOCK_POLL_SECONDS: "1" })));
    joining = false;
    await answering;
    for (const run of runs) expect(run.code).toBe(0);
    // Their joins did not overlap: one waited for the other's lock.
    const joins = joiners.map((j) => j.node.calls("kubeadm").find((c) => c.args[0] === "join")!.at).sort((a, b) => a - b);
    expect(joins[1] - joins[0]).toBeGreaterThanOrEqual(1000);
    expect(runs.map((r) => r.stderr).join("\n")).toContain("waiting for the control-plane join lock of");
    expect(await cluster.value(`${cluster.parameterPath}/join/control-plane-join-lock`)).toBeUndefined();
    // The refresh after a control-plane joiner's request left no request behind.
    expect(await cluster.value(`${cluster.parameterPath}/join/control-plane-refresh-request`)).toBeUndefined();
  });
});
