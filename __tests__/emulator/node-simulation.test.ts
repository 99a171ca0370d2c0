/**
 * Node simulation: the real rendered node scripts run against the AWS emulator (SSM parameters,
 * KMS, EC2 tags, Run Command) with recording stubs for kubeadm, kubectl, systemctl, curl (IMDSv2)
 * and apt. The test plays SSM Run Command on the control plane (see ControlPlaneResponder).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { CALICO_MANIFEST_URL } from "../../bootstrap/installers/kubeadm";
import { LEASE_REFRESH_COMMAND } from "../../bootstrap/user-data";
import { Emulator, startEmulator } from "../support/emulator";
import { ControlPlaneResponder } from "../support/node-simulation/control-plane-responder";
import { BackendKind, BACKENDS, JoinLease, SIMULATED_KURL_URL, SimulatedCluster, SimulatedClusterOptions } from "../support/node-simulation/simulated-cluster";
import { RecordedCall, SimulatedNode } from "../support/node-simulation/simulated-node";

/** The add-ons a kubeadm control plane applies after its CNI when no pool autoscales (bootstrap/installers/cloud-addons.ts). */
const ADDONS = ["10-aws-cloud-controller-manager", "20-aws-ebs-csi-driver", "30-gp3-storage-class"];

jest.setTimeout(150_000);

const BOOTSTRAP = "/usr/local/sbin/kubeplane-bootstrap";
const TOKEN = /--token ([a-z0-9]{6}\.[a-z0-9]{16})/;
const CA_HASH = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/;
const CERTIFICATE_KEY = /--certificate-key ([0-9a-f]{64})/;

let emulator: Emulator;
let workDir: string;
let clusters = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  workDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-node-simulation-"));
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** What a joiner logs once it asked for a fresh lease, by backend (backends/<kind>.sh). */
const ASKED: Record<BackendKind, string> = {
  ssm: "asked control-plane node",
  secretsmanager: "asked the control plane for a fresh join lease (request ",
};

function match(text: string, pattern: RegExp): string {
  const found = pattern.exec(text);
  if (!found) throw new Error(`"${text}" does not match ${pattern}`);
  return found[1];
}

const argsOf = (calls: RecordedCall[]) => calls.map((c) => c.args);
/** kubeadm's runs on a node, without the image list the kubeadm installer reads the pause image from. */
const kubeadmRuns = (node: SimulatedNode) => argsOf(node.calls("kubeadm")).filter((a) => a[0] !== "config");
const nowSeconds = () => Math.floor(Date.now() / 1000);

const parameterExists = (cluster: SimulatedCluster, name: string): Promise<boolean> => cluster.recordExists(name);

// Every scenario runs against both join-lease stores: SSM Parameter Store (refresh requests by
// Run Command) and Secrets Manager (refresh requests by record, answered by the request timer).
describe.each(BACKENDS)("%s backend", (backend) => {
  async function newCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
    clusters += 1;
    const name = `sim${clusters}`;
    return SimulatedCluster.create(emulator.env, path.join(workDir, name), name, { ...options, backend });
  }

  describe("kubeadm, HA control plane", () => {
    let cluster: SimulatedCluster;
    let init: SimulatedNode;
    let initRun: Awaited<ReturnType<SimulatedNode["run"]>>;
    let initStartedAt: number;

    beforeAll(async () => {
      cluster = await newCluster({ ha: true, ttlHours: 12 });
      init = await cluster.launch("control-plane-init");
      initStartedAt = nowSeconds();
      initRun = await init.run(BOOTSTRAP);
    });

    test("the first control plane runs kubeadm init from a config file and publishes both leases", async () => {
      expect(initRun.stderr).toContain("published a new worker join lease");
      expect(initRun.code).toBe(0);
      const config = `${init.root}/etc/kubeplane/kubeadm-init.yaml`;
      expect(argsOf(init.calls("kubeadm")).filter((a) => a[0] === "init" && a[1] !== "phase")).toEqual([
        ["init", "--config", config, "--upload-certs"],
      ]);
      const configText = readFileSync(config, "utf8");
      expect(configText).toContain("apiVersion: kubeadm.k8s.io/v1beta4");
      expect(configText).toContain('podSubnet: "192.168.0.0/16"');
      expect(configText).toContain('serviceSubnet: "10.96.0.0/12"');
      expect(configText).toContain(`controlPlaneEndpoint: "${cluster.endpoint}:6443"`);
      expect(configText).toContain(`name: "${init.instance.privateDnsName}"`);
      expect(configText).toContain('kubernetesVersion: "v1.36.5"');

      expect(argsOf(init.calls("curl"))).toContainEqual(["-fsSL", "--retry", "5", CALICO_MANIFEST_URL, "-o", `${init.root}/var/lib/kubeplane/cni-manifest.yaml`]);
      // The CNI first, then the cloud's add-ons (cloud controller, EBS CSI, the gp3 class), in name order.
      expect(argsOf(init.calls("kubectl"))).toEqual([
        ["--kubeconfig", `${init.root}/etc/kubernetes/admin.conf`, "apply", "-f", `${init.root}/var/lib/kubeplane/cni-manifest.yaml`],
        ...ADDONS.map((addon) => ["--kubeconfig", `${init.root}/etc/kubernetes/admin.conf`, "apply", "-k", `${init.root}/etc/kubeplane/addons/${addon}/`]),
      ]);
      expect(argsOf(init.calls("apt-get")).flat()).toEqual(
        expect.arrayContaining(["containerd=2.*", "kubelet=1.36.5-*", "kubeadm=1.36.5-*", "kubectl=1.36.5-*"]),
      );
      expect(argsOf(init.calls("apt-mark"))).toEqual([["hold", "containerd"], ["hold", "kubelet", "kubeadm", "kubectl"]]);
      expect(init.file("/etc/apt/sources.list.d/kubernetes.list")).toContain("https://pkgs.k8s.io/core:/stable:/v1.36/deb/");
      expect(init.file("/etc/containerd/config.toml")).toContain("SystemdCgroup = true");
      expect(argsOf(init.calls("swapoff"))).toEqual([["-a"]]);
      expect(init.file("/etc/default/kubelet")).toContain(
        `--provider-id=aws:///${init.instance.availabilityZone}/${init.instance.instanceId}`,
      );
      // The kubelet package ships /etc/default/kubelet as a conffile: the defaults are written after
      // it is installed (dpkg never prompts: installs keep existing files), before the kubelet starts.
      const kubeletInstall = init.calls("apt-get").find((c) => c.args.includes("install") && c.args.includes("kubelet=1.36.5-*"));
      expect(kubeletInstall?.args).toEqual(
        expect.arrayContaining(["-o", "Dpkg::Options::=--force-confdef", "Dpkg::Options::=--force-confold"]),
      );
      for (const install of init.calls("apt-get").filter((c) => c.args.includes("install"))) {
        expect(install.args).toContain("Dpkg::Options::=--force-confold");
      }
      const defaultsWrittenAt = statSync(path.join(init.root, "etc/default/kubelet")).mtimeMs;
      expect(defaultsWrittenAt).toBeGreaterThanOrEqual(kubeletInstall?.at ?? Infinity);
      const kubeletStart = init.calls("systemctl").find((c) => c.args.join(" ") === "enable --now kubelet");
      expect(kubeletStart?.at).toBeGreaterThanOrEqual(Math.floor(defaultsWrittenAt));
      // IMDSv2: every metadata read carried the session token (the curl stub refuses reads without it).
      const metadataReads = init.calls("curl").filter((c) => c.args.some((a) => a.includes("/latest/meta-data/")));
      expect(metadataReads.length).toBeGreaterThan(0);
      for (const read of metadataReads) expect(read.args).toContain("X-aws-ec2-metadata-token: sim-imds-token");

      const worker = (await cluster.lease("worker")) as JoinLease;
      expect(worker.command).toMatch(
        new RegExp(`^kubeadm join ${cluster.endpoint}:6443 --token [a-z0-9]{6}\\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64}$`),
      );
      expect(worker.createdAt).toBeGreaterThanOrEqual(initStartedAt);
      expect(worker.expiresAt - worker.createdAt).toBe(12 * 3600);
      expect(worker.createdBy).toBe(init.instance.instanceId);

      const controlPlane = (await cluster.lease("control-plane")) as JoinLease;
      const uploads = argsOf(init.calls("kubeadm")).filter((a) => a.join(" ").startsWith("init phase upload-certs"));
      expect(uploads).toHaveLength(1);
      const key = match(controlPlane.command, CERTIFICATE_KEY);
      expect(uploads[0]).toEqual(["init", "phase", "upload-certs", "--upload-certs", "--certificate-key", key, "--kubeconfig", `${init.root}/etc/kubernetes/admin.conf`]);
      expect(controlPlane.command).toContain(" --control-plane ");
      expect(controlPlane.expiresAt - controlPlane.createdAt).toBe(7200);

      for (const kind of ["worker", "control-plane"] as const) {
        expect(await cluster.leaseEncryption(kind)).toEqual({ keyId: cluster.kmsKeyArn, secret: true });
      }
      // kubeadm init prints a join command and certificate key: they stay out of the node's logs.
      expect(`${initRun.stdout}${initRun.stderr}`).not.toMatch(TOKEN);
      expect(`${initRun.stdout}${initRun.stderr}`).not.toContain(key);
      // The timer runs before the first publication: a failed one is retried by the timer.
      const timer = init.calls("systemctl").find((c) => c.args.join(" ") === "enable --now kubeplane-join-lease.timer");
      const firstTokenCreate = init.calls("kubeadm").find((c) => c.args[0] === "token" && c.args[1] === "create");
      expect(timer?.at).toBeLessThanOrEqual(firstTokenCreate?.at ?? -1);
      expect(await parameterExists(cluster, `${cluster.parameterPath}/join/rotation-lock`)).toBe(false);
      expect(init.file("/var/lib/kubeplane/initialised")).toBeDefined();
    });

    test("a worker joins with a fresh lease on the first try, verifying the CA hash", async () => {
      const lease = (await cluster.lease("worker")) as JoinLease;
      const requestsBefore = (await cluster.refreshRequests()).length;
      const worker = await cluster.launch("worker");
      const run = await worker.run(BOOTSTRAP);
      expect(run.stderr).toContain("joined the cluster as worker");
      expect(run.code).toBe(0);
      expect(kubeadmRuns(worker)).toEqual([
        [
          "join", `${cluster.endpoint}:6443`,
          "--token", match(lease.command, TOKEN),
          "--discovery-token-ca-cert-hash", match(lease.command, CA_HASH),
          "--node-name", worker.instance.privateDnsName,
        ],
      ]);
      expect(await cluster.refreshRequests()).toHaveLength(requestsBefore);
      expect(await cluster.recordExists(cluster.refreshRequest)).toBe(false);
      expect(run.stderr).not.toContain(ASKED[backend]);
      expect(worker.file("/etc/default/kubelet")).toContain(
        `--provider-id=aws:///${worker.instance.availabilityZone}/${worker.instance.instanceId}`,
      );
      expect(worker.file(LEASE_REFRESH_COMMAND)).toBeUndefined();
    });

    test("a worker with an expired lease asks the running control-plane node for a refresh and joins with the new command", async () => {
      // A second control-plane instance that is stopped must not be asked.
      const stoppedControlPlane = await cluster.launch("control-plane-join");
      await cluster.stopInstance(stoppedControlPlane);
      const old = (await cluster.lease("worker")) as JoinLease;
      await cluster.putLease("worker", { ...old, createdAt: old.createdAt - 50_000, expiresAt: nowSeconds() - 10 });
      const controlPlaneLease = await cluster.lease("control-plane");
      const requestsBefore = (await cluster.refreshRequests()).length;

      const responder = await new ControlPlaneResponder(cluster).start();
      const worker = await cluster.launch("worker");
      const run = await worker.run(BOOTSTRAP);
      await responder.stop();

      expect(run.stderr).toContain("the worker join lease is expired; asking for a fresh one");
      expect(run.code).toBe(0);
      if (backend === "ssm") {
        expect(run.stderr).toContain(`asked control-plane node ${init.instance.instanceId} (of 1 running)`);
        const requests = (await cluster.refreshRequests()).slice(requestsBefore);
        expect(requests).toHaveLength(1);
        expect(requests[0].DocumentName).toBe(`kubeplane-${cluster.name}-refresh-join-lease`);
      } else {
        // No Run Command: a request record, which the control plane's request timer answered and removed.
        expect(run.stderr).toContain(`${ASKED[backend]}${cluster.refreshRequest})`);
        expect(responder.answered[0]?.commandId).toMatch(new RegExp(`^${worker.instance.instanceId} \\d+$`));
        expect(responder.answered[0]?.run.stderr).toContain(`${worker.instance.instanceId} asked for a fresh join lease at`);
        expect(await cluster.recordExists(cluster.refreshRequest)).toBe(false);
      }
      expect(responder.answered.map((a) => a.instanceId)).toEqual([init.instance.instanceId]);
      expect(responder.answered[0].run.stderr).toContain("published a new worker join lease");
      // A worker's request leaves the control-plane lease (and its certificate key) alone until due.
      expect(responder.answered[0].run.stderr).toContain("the control-plane join lease made at");
      expect(await cluster.lease("control-plane")).toEqual(controlPlaneLease);

      const fresh = (await cluster.lease("worker")) as JoinLease;
      expect(match(fresh.command, TOKEN)).not.toBe(match(old.command, TOKEN));
      expect(kubeadmRuns(worker)).toEqual([
        ["join", `${cluster.endpoint}:6443`, "--token", match(fresh.command, TOKEN), "--discovery-token-ca-cert-hash", match(fresh.command, CA_HASH), "--node-name", worker.instance.privateDnsName],
      ]);
    });

    test("a worker whose lease is refused resets, asks for a refresh and joins with the new command", async () => {
      const current = (await cluster.lease("worker")) as JoinLease;
      const unknownToken = "abcdef.0123456789abcdef";
      await cluster.putLease("worker", {
        ...current,
        command: current.command.replace(TOKEN, `--token ${unknownToken}`),
        createdAt: nowSeconds() - 3600,
      });
      const responder = await new ControlPlaneResponder(cluster).start();
      const worker = await cluster.launch("worker");
      const run = await worker.run(BOOTSTRAP);
      await responder.stop();

      expect(run.stderr).toContain("the worker join lease is refused; asking for a fresh one");
      expect(run.code).toBe(0);
      const fresh = (await cluster.lease("worker")) as JoinLease;
      const kubeadm = kubeadmRuns(worker);
      expect(kubeadm.map((a) => a.slice(0, 2).join(" "))).toEqual([
        `join ${cluster.endpoint}:6443`,
        "reset --force",
        `join ${cluster.endpoint}:6443`,
      ]);
      expect(kubeadm[0]).toContain(unknownToken);
      expect(kubeadm[2]).toContain(match(fresh.command, TOKEN));
    });

    test("the timer's script keeps young leases and rotates leases past half their lifetime", async () => {
      const before = { worker: (await cluster.lease("worker")) as JoinLease, cp: (await cluster.lease("control-plane")) as JoinLease };
      const kept = await init.run(LEASE_REFRESH_COMMAND, ["--when-due"]);
      expect(kept.code).toBe(0);
      expect(kept.stderr).toContain("the worker join lease made at");
      expect(await cluster.lease("worker")).toEqual(before.worker);
      expect(await cluster.lease("control-plane")).toEqual(before.cp);

      // Worker lease: 12 h lifetime, 6 h old (rotation is due from 5.5 h). Control-plane lease: 2 h, 45 min old.
      const now = nowSeconds();
      await cluster.putLease("worker", { ...before.worker, createdAt: now - 6 * 3600, expiresAt: now + 6 * 3600 });
      await cluster.putLease("control-plane", { ...before.cp, createdAt: now - 2700, expiresAt: now + 4500 });
      const uploadsBefore = init.calls("kubeadm").filter((c) => c.args[1] === "phase").length;
      const rotated = await init.run(LEASE_REFRESH_COMMAND, ["--when-due"]);
      expect(rotated.code).toBe(0);

      const worker = (await cluster.lease("worker")) as JoinLease;
      const cp = (await cluster.lease("control-plane")) as JoinLease;
      expect(worker.createdAt).toBeGreaterThanOrEqual(now);
      expect(match(worker.command, TOKEN)).not.toBe(match(before.worker.command, TOKEN));
      expect(cp.createdAt).toBeGreaterThanOrEqual(now);
      const uploads = init.calls("kubeadm").filter((c) => c.args[1] === "phase");
      expect(uploads).toHaveLength(uploadsBefore + 1);
      expect(match(cp.command, CERTIFICATE_KEY)).toBe(match(uploads[uploads.length - 1].args.join(" "), CERTIFICATE_KEY));
      expect(match(cp.command, CERTIFICATE_KEY)).not.toBe(match(before.cp.command, CERTIFICATE_KEY));
    });

    test("only one control-plane node rotates at a time: a held rotation lock makes a refresh step aside, an expired one is taken over", async () => {
      const lock = `${cluster.parameterPath}/join/rotation-lock`;
      const old = (await cluster.lease("worker")) as JoinLease;
      const expired = { ...old, createdAt: old.createdAt - 50_000, expiresAt: nowSeconds() - 1 };
      await cluster.putLease("worker", expired);
      await cluster.putRecord(lock, `i-0another ${nowSeconds() + 120}`);

      const stepAside = await init.run(LEASE_REFRESH_COMMAND);
      expect(stepAside.code).toBe(0);
      expect(stepAside.stderr).toContain("i-0another is rotating the join lease");
      expect(await cluster.lease("worker")).toEqual(expired);

      await cluster.putRecord(lock, `i-0another ${nowSeconds() - 1}`);
      const takeOver = await init.run(LEASE_REFRESH_COMMAND);
      expect(takeOver.code).toBe(0);
      expect(takeOver.stderr).toContain("removing the expired rotation lock of i-0another");
      expect(((await cluster.lease("worker")) as JoinLease).expiresAt).toBeGreaterThan(nowSeconds());
      expect(await parameterExists(cluster, lock)).toBe(false);
    });

    test("--force waits for a rotation lock another run holds and takes it over once expired", async () => {
      const lock = `${cluster.parameterPath}/join/rotation-lock`;
      const before = (await cluster.lease("worker")) as JoinLease;
      // Expires in 5 s: the run reaches the lock within about 1 s, waits, then takes it over.
      await cluster.putRecord(lock, `i-0another ${nowSeconds() + 5}`);
      const run = await init.run(LEASE_REFRESH_COMMAND, ["--force"], { KUBEPLANE_LEASE_LOCK_POLL_SECONDS: "1" });
      expect(run.stderr).toContain("waiting for the rotation lock of i-0another");
      expect(run.stderr).toContain("removing the expired rotation lock of i-0another");
      expect(run.stderr).toContain("published a new worker join lease");
      expect(run.code).toBe(0);
      expect(match(((await cluster.lease("worker")) as JoinLease).command, TOKEN)).not.toBe(match(before.command, TOKEN));
      expect(await parameterExists(cluster, lock)).toBe(false);
    });

    test("--force gives up, failing, when the rotation lock stays held past its bounded wait", async () => {
      const lock = `${cluster.parameterPath}/join/rotation-lock`;
      const before = (await cluster.lease("worker")) as JoinLease;
      await cluster.putRecord(lock, `i-0another ${nowSeconds() + 120}`);
      const run = await init.run(LEASE_REFRESH_COMMAND, ["--force"], {
        KUBEPLANE_LEASE_LOCK_POLL_SECONDS: "1",
        KUBEPLANE_LEASE_LOCK_WAIT_SECONDS: "2",
      });
      await cluster.deleteRecord(lock);
      expect(run.stderr).toContain(`gave up waiting for the rotation lock ${lock} after 2 s`);
      expect(run.code).not.toBe(0);
      expect(await cluster.lease("worker")).toEqual(before);
    });

    test("a refresh whose kubeadm token create fails publishes nothing and fails", async () => {
      const lock = `${cluster.parameterPath}/join/rotation-lock`;
      const old = (await cluster.lease("worker")) as JoinLease;
      const expired = { ...old, createdAt: old.createdAt - 50_000, expiresAt: nowSeconds() - 1 };
      await cluster.putLease("worker", expired);
      const run = await init.run(LEASE_REFRESH_COMMAND, [], { SIM_KUBEADM_FAIL: "token create" });
      expect(run.stderr).toContain("simulated failure of kubeadm token create");
      expect(run.stderr).toContain("refusing to publish a worker join lease: kubeadm could not make a join command");
      expect(run.code).not.toBe(0);
      expect(await cluster.lease("worker")).toEqual(expired);
      expect(await parameterExists(cluster, lock)).toBe(false);
    });

    test("a refresh whose certificate upload fails publishes no control-plane lease and fails", async () => {
      const cp = (await cluster.lease("control-plane")) as JoinLease;
      const run = await init.run(LEASE_REFRESH_COMMAND, ["--force"], { SIM_KUBEADM_FAIL: "init phase upload-certs" });
      expect(run.stderr).toContain("published a new worker join lease");
      expect(run.stderr).toContain("refusing to publish a control-plane join lease: kubeadm could not make a join command");
      expect(run.code).not.toBe(0);
      expect(await cluster.lease("control-plane")).toEqual(cp);
      // Nothing after the failed upload ran: no token was made for the control-plane lease.
      const last = init.calls("kubeadm").slice(-1)[0];
      expect(last.args.slice(0, 3)).toEqual(["init", "phase", "upload-certs"]);
    });

    test("a refresh whose join command is malformed publishes nothing and fails", async () => {
      const before = (await cluster.lease("worker")) as JoinLease;
      const malformed = `kubeadm join ${cluster.endpoint}:6443 --token abcdef.0123456789abcdef`;
      const run = await init.run(LEASE_REFRESH_COMMAND, ["--force"], { SIM_KUBEADM_TOKEN_OUTPUT: malformed });
      expect(run.stderr).toContain("the worker join command lacks a valid endpoint, token or CA certificate hash");
      expect(run.stderr).toContain("refusing to publish a worker join lease: kubeadm made a malformed join command");
      expect(run.code).not.toBe(0);
      expect(await cluster.lease("worker")).toEqual(before);
    });

    test("a second control-plane node joins with the certificate key", async () => {
      const lease = (await cluster.lease("control-plane")) as JoinLease;
      const node = await cluster.launch("control-plane-join");
      const run = await node.run(BOOTSTRAP);
      expect(run.stderr).toContain("joined the cluster as control-plane");
      expect(run.code).toBe(0);
      expect(kubeadmRuns(node)).toEqual([
        [
          "join", `${cluster.endpoint}:6443`,
          "--token", match(lease.command, TOKEN),
          "--discovery-token-ca-cert-hash", match(lease.command, CA_HASH),
          "--control-plane", "--certificate-key", match(lease.command, CERTIFICATE_KEY),
          "--apiserver-advertise-address", node.instance.privateIp,
          "--apiserver-bind-port", "6443",
          "--node-name", node.instance.privateDnsName,
        ],
      ]);
      expect(argsOf(node.calls("systemctl"))).toContainEqual(["enable", "--now", "kubeplane-join-lease.timer"]);
      expect(node.file("/var/lib/kubeplane/initialised")).toBeDefined();
    });

    test("a control-plane joiner whose lease is refused gets a new control-plane lease on request", async () => {
      const request = `${cluster.parameterPath}/join/control-plane-refresh-request`;
      const current = (await cluster.lease("control-plane")) as JoinLease;
      // A young, unexpired lease whose certificate key the cluster no longer knows (e.g. an upload
      // after which the token could not be made): only a request from a control-plane joiner renews it.
      const badKey = "f".repeat(64);
      await cluster.putLease("control-plane", {
        ...current,
        command: current.command.replace(CERTIFICATE_KEY, `--certificate-key ${badKey}`),
        createdAt: nowSeconds() - 600,
      });
      const responder = await new ControlPlaneResponder(cluster).start();
      const node = await cluster.launch("control-plane-join");
      const run = await node.run(BOOTSTRAP);
      await responder.stop();

      expect(run.stderr).toContain("the control-plane join lease is refused; asking for a fresh one");
      expect(run.stderr).toContain("joined the cluster as control-plane");
      expect(run.code).toBe(0);
      const rotations = responder.answered.filter((a) => a.run.stderr.includes("published a new control-plane join lease"));
      expect(rotations).toHaveLength(1);
      expect(rotations[0].run.stderr).toContain(`control-plane node ${node.instance.instanceId} asked for a new control-plane join lease`);
      const fresh = (await cluster.lease("control-plane")) as JoinLease;
      const joins = argsOf(node.calls("kubeadm")).filter((a) => a[0] === "join");
      expect(joins.map((a) => a[a.indexOf("--certificate-key") + 1])).toEqual([badKey, match(fresh.command, CERTIFICATE_KEY)]);
      expect(await parameterExists(cluster, request)).toBe(false);
    });

    test("a re-run on a node that has joined does nothing", async () => {
      const worker = await cluster.launch("worker");
      expect((await worker.run(BOOTSTRAP)).code).toBe(0);
      for (const node of [init, worker]) {
        const callsBefore = node.calls().length;
        const rerun = await node.run(BOOTSTRAP);
        expect(rerun.code).toBe(0);
        expect(rerun.stderr).toContain("already part of the cluster");
        expect(node.calls()).toHaveLength(callsBefore);
      }
    });
  });

  describe("joining before the control plane exists", () => {
    test("a worker started before the control plane waits, then joins once the first control plane has published the lease", async () => {
      const cluster = await newCluster({ ha: true });
      const worker = await cluster.launch("worker");
      const running = worker.start(BOOTSTRAP);
      await running.logged(backend === "ssm" ? "no running control-plane node to ask for a fresh join lease yet" : ASKED[backend]);
      const init = await cluster.launch("control-plane-init");
      const initRun = await init.run(BOOTSTRAP);
      expect(initRun.code).toBe(0);
      const run = await running.finished;
      expect(run.stderr).toContain("the worker join lease is missing; asking for a fresh one");
      expect(run.stderr).toContain("joined the cluster as worker");
      expect(run.code).toBe(0);
      const lease = (await cluster.lease("worker")) as JoinLease;
      expect(kubeadmRuns(worker)).toEqual([
        ["join", `${cluster.endpoint}:6443`, "--token", match(lease.command, TOKEN), "--discovery-token-ca-cert-hash", match(lease.command, CA_HASH), "--node-name", worker.instance.privateDnsName],
      ]);
    });

    test("a worker gives up after the bounded wait with a clear log line", async () => {
      const cluster = await newCluster();
      const worker = await cluster.launch("worker");
      const run = await worker.run(BOOTSTRAP, [], { KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "3" });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `giving up: no usable worker join command in ${cluster.leaseParameter("worker")} after 3 s (last state: missing)`,
      );
      expect(kubeadmRuns(worker)).toEqual([]);
    });
  });

  describe("a control-plane node during kubeadm init", () => {
    test("a refresh before init and the CNI have completed publishes nothing, though admin.conf exists", async () => {
      const cluster = await newCluster({ ha: true });
      const init = await cluster.launch("control-plane-init");
      // kubeadm writes admin.conf early in init, long before the API server answers.
      mkdirSync(path.join(init.root, "etc/kubernetes"), { recursive: true });
      writeFileSync(path.join(init.root, "etc/kubernetes/admin.conf"), "");

      const requested = await init.run(LEASE_REFRESH_COMMAND);
      expect(requested.stderr).toContain("this control-plane node is not initialised yet");
      expect(requested.code).toBe(0);
      const forced = await init.run(LEASE_REFRESH_COMMAND, ["--force"]);
      expect(forced.stderr).toContain("is not initialised");
      expect(forced.code).not.toBe(0);
      expect(init.calls("kubeadm")).toEqual([]);
      expect(await cluster.lease("worker")).toBeUndefined();
      expect(await cluster.lease("control-plane")).toBeUndefined();
    });
  });

  describe("kubeadm, single control-plane node", () => {
    test("a failed first publication fails the bootstrap but leaves the timer, which publishes on its next run", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { SIM_KUBEADM_FAIL: "token create" });
      expect(run.stderr).toContain("refusing to publish a worker join lease");
      expect(run.code).not.toBe(0);
      expect(await cluster.lease("worker")).toBeUndefined();
      expect(argsOf(init.calls("systemctl"))).toContainEqual(["enable", "--now", "kubeplane-join-lease.timer"]);

      const timerRun = await init.run(LEASE_REFRESH_COMMAND, ["--when-due"]);
      expect(timerRun.code).toBe(0);
      expect(((await cluster.lease("worker")) as JoinLease).createdBy).toBe(init.instance.instanceId);
    });

    test("init advertises the node's own address, without certificate upload or a control-plane lease", async () => {
      const cluster = await newCluster({ ha: false, ttlHours: 1 });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP);
      expect(run.code).toBe(0);
      const config = `${init.root}/etc/kubeplane/kubeadm-init.yaml`;
      expect(argsOf(init.calls("kubeadm")).filter((a) => a[0] === "init")).toEqual([["init", "--config", config]]);
      expect(readFileSync(config, "utf8")).toContain(`controlPlaneEndpoint: "${cluster.endpoint}:6443"`);
      expect(readFileSync(config, "utf8")).toContain(`advertiseAddress: "${init.instance.privateIp}"`);
      const lease = (await cluster.lease("worker")) as JoinLease;
      expect(lease.command).toContain(`kubeadm join ${cluster.endpoint}:6443 `);
      expect(lease.expiresAt - lease.createdAt).toBe(3600);
      expect(await cluster.lease("control-plane")).toBeUndefined();
    });
  });

  describe("the node's clock", () => {
    test("takes its time from the Amazon Time Sync Service (the firewall lets nodes reach the internet on 80/443 only)", async () => {
      const cluster = await newCluster({ ha: false });
      const worker = await cluster.launch("worker");
      await worker.run(BOOTSTRAP, [], { KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "1" });
      expect(worker.file("/etc/systemd/timesyncd.conf.d/kubeplane-aws.conf")).toBe("[Time]\nNTP=169.254.169.123\n");
      const restart = worker.calls("systemctl").find((c) => c.args.join(" ") === "try-restart systemd-timesyncd.service");
      const install = worker.calls("apt-get").find((c) => c.args.includes("install"));
      expect(restart?.at).toBeLessThanOrEqual(install?.at ?? 0);
    });
  });

  describe("the API's stable name", () => {
    test("a first node waits for the API's name to resolve before kubeadm init (the record follows the instance)", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { SIM_DNS_UNRESOLVED_LOOKUPS: "2", KUBEPLANE_API_NAME_POLL_SECONDS: "0.2" });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`waiting for the API's name ${cluster.endpoint} to resolve`);
      expect(run.stderr).toContain(`the API's name ${cluster.endpoint} resolves to 10.0.0.10`);
      const lookups = init.calls("getent");
      expect(lookups.map((c) => c.args)).toEqual([1, 2, 3].map(() => ["hosts", cluster.endpoint]));
      const firstInit = init.calls("kubeadm").find((c) => c.args[0] === "init" && c.args[1] !== "phase");
      expect(firstInit?.at).toBeGreaterThanOrEqual(lookups[2].at);
    });

    test("a name that never resolves stops the bootstrap, visibly, before anything is created", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { SIM_DNS_UNRESOLVABLE: "1", KUBEPLANE_API_NAME_WAIT_SECONDS: "1", KUBEPLANE_API_NAME_POLL_SECONDS: "0.2" });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the API's name ${cluster.endpoint} does not resolve after 1 s`);
      expect(run.stderr).toContain("bootstrap failed while waiting for the API's name to resolve");
      expect(init.calls("kubeadm").filter((c) => c.args[0] === "init")).toEqual([]);
      expect(await parameterExists(cluster, `${cluster.parameterPath}/cluster/claim`)).toBe(false);
    });
  });

  describe("kURL", () => {
    test("the first control plane runs the pinned installer and publishes kURL's join commands; a worker and a control plane join with them", async () => {
      const cluster = await newCluster({ ha: true, installer: "kurl" });
      const init = await cluster.launch("control-plane-init");
      const initRun = await init.run(BOOTSTRAP);
      expect(initRun.code).toBe(0);
      expect(argsOf(init.calls("kurl-install"))).toEqual([["ha", `load-balancer-address=${cluster.endpoint}:6443`]]);
      expect(argsOf(init.calls("kurl-tasks"))).toEqual([["join_token"], ["join_token", "ha"]]);
      expect(init.calls("kubeadm")).toEqual([]);

      const workerLease = (await cluster.lease("worker")) as JoinLease;
      const cpLease = (await cluster.lease("control-plane")) as JoinLease;
      const prefix = "curl -fsSL https://kurl.sh/version/v2026.08.07-0/sim1234/join.sh | sudo bash -s ";
      // The join script gets EKCO's auth token without the quotes tasks.sh prints around it.
      const joinArgs = (command: string) => command.slice(prefix.length).split(" ").map((w) => w.replace(/^ekco-auth-token="(.*)"$/, "ekco-auth-token=$1"));
      expect(workerLease.command.startsWith(prefix)).toBe(true);
      expect(workerLease.command).toContain(`kubernetes-master-address=${cluster.endpoint}:6443`);
      expect(workerLease.command).not.toContain("control-plane");
      expect(cpLease.command).toMatch(/ cert-key=[0-9a-f]{64} control-plane /);

      const worker = await cluster.launch("worker");
      expect((await worker.run(BOOTSTRAP)).code).toBe(0);
      expect(argsOf(worker.calls("kurl-join"))).toEqual([joinArgs(workerLease.command)]);

      const secondControlPlane = await cluster.launch("control-plane-join");
      expect((await secondControlPlane.run(BOOTSTRAP)).code).toBe(0);
      expect(argsOf(secondControlPlane.calls("kurl-join"))).toEqual([joinArgs(cpLease.command)]);

      // A failed or empty download of tasks.sh publishes nothing (bash would run an empty file and succeed).
      const expired = { ...workerLease, createdAt: workerLease.createdAt - 50_000, expiresAt: nowSeconds() - 1 };
      await cluster.putLease("worker", expired);
      const tasksBefore = init.calls("kurl-tasks").length;
      for (const [variable, message] of [["SIM_CURL_FAIL", "could not download"], ["SIM_CURL_EMPTY", "downloaded an empty script from"]]) {
        const run = await init.run(LEASE_REFRESH_COMMAND, [], { [variable]: "*/tasks.sh" });
        expect(run.stderr).toContain(`${message} ${SIMULATED_KURL_URL}/tasks.sh`);
        expect(run.stderr).toContain("refusing to publish a worker join lease: kurl could not make a join command");
        expect(run.code).not.toBe(0);
        expect(await cluster.lease("worker")).toEqual(expired);
      }
      expect(init.calls("kurl-tasks")).toHaveLength(tasksBefore);
    });

    test("a failed download of the kURL installer fails the bootstrap and publishes nothing", async () => {
      const cluster = await newCluster({ installer: "kurl" });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { SIM_CURL_FAIL: SIMULATED_KURL_URL });
      expect(run.stderr).toContain("the kURL installer failed");
      expect(run.stderr).toContain(`could not download ${SIMULATED_KURL_URL}`);
      expect(init.file("/var/lib/kubeplane/kurl-install.log")).toBeUndefined();
      expect(init.file("/var/lib/kubeplane/initialised")).toBeUndefined();
      expect(run.code).not.toBe(0);
      expect(init.calls("kurl-install")).toEqual([]);
      expect(await cluster.lease("worker")).toBeUndefined();
    });
  });

  const BOOTSTRAP_TAG = "kubeplane:bootstrap";

  interface BootstrapStatus {
    version: number;
    state: string;
    role: string;
    step: string;
    instanceId: string;
    time: number;
  }

  async function bootstrapStatus(cluster: SimulatedCluster, node: SimulatedNode): Promise<BootstrapStatus | undefined> {
    const value = await cluster.recordValue(`${cluster.parameterPath}/status/${node.instance.instanceId}`);
    return value === undefined ? undefined : (JSON.parse(value) as BootstrapStatus);
  }

  describe("one cluster per claim", () => {
    test("a replaced first node of a single control plane stops with a visible failure instead of creating a second cluster", async () => {
      const cluster = await newCluster({ ha: false });
      const claim = `${cluster.parameterPath}/cluster/claim`;
      const first = await cluster.launch("control-plane-init");
      const startedAt = nowSeconds();
      expect((await first.run(BOOTSTRAP)).code).toBe(0);
      const held = JSON.parse((await cluster.recordValue(claim)) as string) as { instanceId: string; claimedAt: number };
      expect(held.instanceId).toBe(first.instance.instanceId);
      expect(held.claimedAt).toBeGreaterThanOrEqual(startedAt);
      const lease = await cluster.lease("worker");

      const replacement = await cluster.launch("control-plane-init");
      const run = await replacement.run(BOOTSTRAP);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`the cluster ${cluster.name} was already created by ${first.instance.instanceId} (${claim})`);
      expect(run.stderr).toContain("'kubeplane etcd restore'");
      const removal = backend === "ssm" ? `aws ssm delete-parameter --region eu-west-1 --name ${claim}` : `aws secretsmanager delete-secret --region eu-west-1 --secret-id ${claim} --force-delete-without-recovery`;
      expect(run.stderr).toContain(`remove the claim (${removal})`);
      expect(kubeadmRuns(replacement)).toEqual([]);
      expect(await cluster.lease("worker")).toEqual(lease);
      expect(JSON.parse((await cluster.recordValue(claim)) as string)).toEqual(held);
      expect((await cluster.instanceTags(replacement))[BOOTSTRAP_TAG]).toBe("failed: claiming the cluster");
      expect(await bootstrapStatus(cluster, replacement)).toMatchObject({
        version: 1, state: "failed", role: "control-plane-init", step: "claiming the cluster", instanceId: replacement.instance.instanceId,
      });
    });

    test("a retried bootstrap of the claim holder creates the cluster; a replaced first node of an HA control plane joins it", async () => {
      const cluster = await newCluster({ ha: true });
      const first = await cluster.launch("control-plane-init");
      // No delay between kubeadm.sh's init attempts (5 s, then 10 s by default).
      const failed = await first.run(BOOTSTRAP, [], { SIM_KUBEADM_FAIL: "init --config", KUBEPLANE_INSTALL_RETRY_DELAY_SECONDS: "0" });
      expect(failed.code).not.toBe(0);
      expect((await cluster.instanceTags(first))[BOOTSTRAP_TAG]).toBe("failed: creating the cluster");
      expect(await bootstrapStatus(cluster, first)).toMatchObject({ state: "failed", step: "creating the cluster" });

      const retried = await first.run(BOOTSTRAP);
      expect(retried.stderr).toContain("this node holds the claim");
      expect(retried.code).toBe(0);
      // Three attempts in the failed bootstrap (kubeadm.sh retries init), one in the retried bootstrap.
      expect(first.calls("kubeadm").filter((c) => c.args[0] === "init" && c.args[1] === "--config")).toHaveLength(4);
      expect((await cluster.instanceTags(first))[BOOTSTRAP_TAG]).toBe("ready");
      const controlPlaneLease = (await cluster.lease("control-plane")) as JoinLease;

      const replacement = await cluster.launch("control-plane-init");
      const run = await replacement.run(BOOTSTRAP);
      expect(run.stderr).toContain(`was created by ${first.instance.instanceId}`);
      expect(run.stderr).toContain("joined the cluster as control-plane");
      expect(run.code).toBe(0);
      expect(kubeadmRuns(replacement).map((a) => a[0])).toEqual(["join"]);
      expect(kubeadmRuns(replacement)[0]).toContain(match(controlPlaneLease.command, CERTIFICATE_KEY));
      expect(argsOf(replacement.calls("systemctl"))).toContainEqual(["enable", "--now", "kubeplane-join-lease.timer"]);
      expect(await bootstrapStatus(cluster, replacement)).toMatchObject({ state: "ready", role: "control-plane-join" });
    });
  });

  describe("control-plane joins one at a time", () => {
    test("two control-plane nodes started together never run kubeadm join at the same time", async () => {
      const cluster = await newCluster({ ha: true });
      const lock = `${cluster.parameterPath}/join/control-plane-join-lock`;
      expect((await (await cluster.launch("control-plane-init")).run(BOOTSTRAP)).code).toBe(0);
      const nodes = [await cluster.launch("control-plane-join"), await cluster.launch("control-plane-join")];
      const timing = { SIM_KUBEADM_JOIN_SECONDS: "3", KUBEPLANE_JOIN_LOCK_POLL_SECONDS: "1" };
      const running = nodes.map((node) => node.start(BOOTSTRAP, [], timing));
      const waiting = await Promise.race(running.map((r, i) => r.logged("waiting for the control-plane join lock of").then(() => i)));
      // Held while the other node joins, and tagged like everything nodes write.
      expect((await cluster.recordValue(lock))?.split(" ")[0]).toBe(nodes[1 - waiting].instance.instanceId);
      expect(await cluster.recordTags(lock)).toEqual({ "kubeplane:cluster": cluster.name });
      const runs = await Promise.all(running.map((r) => r.finished));
      for (const run of runs) {
        expect(run.stderr).toContain("joined the cluster as control-plane");
        expect(run.code).toBe(0);
      }
      expect(runs[waiting].stderr).toContain(`waiting for the control-plane join lock of ${nodes[1 - waiting].instance.instanceId}`);
      const joins = nodes
        .map((node) => ({ start: node.calls("kubeadm").find((c) => c.args[0] === "join")?.at ?? NaN, end: node.calls("kubeadm-joined")[0]?.at ?? NaN }))
        .sort((a, b) => a.start - b.start);
      expect(joins[0].end - joins[0].start).toBeGreaterThanOrEqual(3000);
      expect(joins[1].start).toBeGreaterThanOrEqual(joins[0].end);
      expect(await parameterExists(cluster, lock)).toBe(false);
    });
  });

  describe("a failed bootstrap is visible and healed, within a budget", () => {
    test("a failed worker is tagged, records its status and is marked unhealthy; past the budget it stays for an operator", async () => {
      const cluster = await newCluster();
      const workers = [await cluster.launch("worker"), await cluster.launch("worker")];
      await cluster.workerGroup(workers);
      const env = { KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "2", KUBEPLANE_REPLACEMENTS_PER_HOUR: "1" };

      const replaced = await workers[0].run(BOOTSTRAP, [], env);
      expect(replaced.code).toBe(1);
      expect(replaced.stderr).toContain("bootstrap failed while joining the cluster");
      expect(replaced.stderr).toContain("marked this node unhealthy: its auto-scaling group replaces it");
      expect(replaced.stderr).toContain(`replacement 1 of 1 this hour for ${cluster.name}`);
      expect((await cluster.instanceTags(workers[0]))[BOOTSTRAP_TAG]).toBe("failed: joining the cluster");
      expect(await bootstrapStatus(cluster, workers[0])).toMatchObject({
        version: 1, state: "failed", role: "worker", step: "joining the cluster", instanceId: workers[0].instance.instanceId,
      });
      expect(await cluster.instanceHealth(workers[0])).toBe("Unhealthy");

      const kept = await workers[1].run(BOOTSTRAP, [], env);
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain(`the replacement budget of 1 per hour for ${cluster.name} is spent: this node stays, tagged failed, and an operator must look`);
      expect((await cluster.instanceTags(workers[1]))[BOOTSTRAP_TAG]).toBe("failed: joining the cluster");
      expect(await cluster.instanceHealth(workers[1])).toBe("Healthy");
    });
  });

  describe("nodes tag what they write", () => {
    test("every parameter nodes write carries the cluster's tag, and every node records its status", async () => {
      const cluster = await newCluster({ ha: true });
      // A control-plane joiner before the control plane exists leaves a refresh request, and gives up.
      const early = await cluster.launch("control-plane-join");
      expect((await early.run(BOOTSTRAP, [], { KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "2" })).code).toBe(1);
      const init = await cluster.launch("control-plane-init");
      expect((await init.run(BOOTSTRAP)).code).toBe(0);
      // An overwritten lease keeps its tag.
      expect((await init.run(LEASE_REFRESH_COMMAND, ["--force"])).code).toBe(0);
      const worker = await cluster.launch("worker");
      expect((await worker.run(BOOTSTRAP)).code).toBe(0);

      const names = await cluster.recordNames();
      expect(names).toEqual(
        [
          `${cluster.parameterPath}/cluster/claim`,
          `${cluster.parameterPath}/join/control-plane`,
          `${cluster.parameterPath}/join/control-plane-refresh-request`,
          `${cluster.parameterPath}/join/worker`,
          // Secrets Manager: the early joiner's request record, left for a request timer that did not run yet.
          ...(backend === "secretsmanager" ? [cluster.refreshRequest] : []),
          ...[early, init, worker].map((n) => `${cluster.parameterPath}/status/${n.instance.instanceId}`),
        ].sort(),
      );
      for (const name of names) expect([name, await cluster.recordTags(name)]).toEqual([name, { "kubeplane:cluster": cluster.name }]);
      expect(await bootstrapStatus(cluster, init)).toMatchObject({ state: "ready", role: "control-plane-init", step: "done" });
      expect(await bootstrapStatus(cluster, worker)).toMatchObject({ state: "ready", role: "worker", step: "done" });
      expect((await cluster.instanceTags(worker))[BOOTSTRAP_TAG]).toBe("ready");
    });
  });

  describe("the installers on the node: containerd, retries, a retried init, no secrets left on disk", () => {
    const INIT_LOG = "/var/lib/kubeplane/kubeadm-init.log";
    const FAST_RETRIES = { KUBEPLANE_INSTALL_RETRY_DELAY_SECONDS: "0" };

    test("containerd is pinned and held, and configured after the kube packages with kubeadm's pause image (2.x: config version 3)", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP);
      expect(run.code).toBe(0);
      const installs = init.calls("apt-get").filter((c) => c.args.includes("install"));
      expect(installs.map((c) => c.args.filter((a) => /^(containerd|kubelet)/.test(a)))).toEqual([[], ["containerd=2.*"], ["kubelet=1.36.5-*"]]);
      expect(argsOf(init.calls("apt-mark"))).toEqual([["hold", "containerd"], ["hold", "kubelet", "kubeadm", "kubectl"]]);
      // The pause image comes from kubeadm, asked once the kube packages are in.
      const images = init.calls("kubeadm").find((c) => c.args[0] === "config");
      expect(images?.args).toEqual(["config", "images", "list", "--kubernetes-version", "v1.36.5"]);
      expect(images?.at).toBeGreaterThanOrEqual(installs[2].at);
      // Never the default config: the file is written whole for the major version containerd reports.
      expect(argsOf(init.calls("containerd"))).toEqual([["--version"]]);
      const config = init.file("/etc/containerd/config.toml") ?? "";
      expect(config.split("\n")[0]).toBe("version = 3");
      expect(config).toContain("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true");
      expect(config).toContain("[plugins.'io.containerd.cri.v1.images'.pinned_images]\n  sandbox = 'registry.k8s.io/pause:3.10.2'");
      const restart = init.calls("systemctl").find((c) => c.args.join(" ") === "restart containerd");
      expect(restart?.at).toBeGreaterThanOrEqual(images?.at ?? Infinity);
      const kubeletStart = init.calls("systemctl").find((c) => c.args.join(" ") === "enable --now kubelet");
      expect(kubeletStart?.at).toBeGreaterThanOrEqual(restart?.at ?? Infinity);
    });

    test("a containerd 1.7 gets config version 2 with the grpc CRI plugin's keys", async () => {
      const cluster = await newCluster({ ha: false });
      const worker = await cluster.launch("worker");
      // Only the install matters here: the worker gives up joining at once.
      await worker.run(BOOTSTRAP, [], {
        SIM_CONTAINERD_VERSION_OUTPUT: "containerd github.com/containerd/containerd v1.7.28 b98a3aace656320842a23f4a392a33f46af97866",
        SIM_KUBEADM_PAUSE_IMAGE: "registry.k8s.io/pause:3.10.1",
        KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "1",
      });
      const config = worker.file("/etc/containerd/config.toml") ?? "";
      expect(config.split("\n")[0]).toBe("version = 2");
      expect(config).toContain('[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.10.1"');
      expect(config).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true');
      expect(argsOf(worker.calls("apt-mark"))).toContainEqual(["hold", "containerd"]);
    });

    test("apt, the CNI download and the CNI apply retry: a mirror hiccup and an API server still starting do not fail the bootstrap", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { ...FAST_RETRIES, SIM_APT_FAILURES: "1", SIM_KUBECTL_APPLY_FAILURES: "2" });
      expect(run.stderr).toContain("'apt-get' failed (status 100, attempt 1 of 3)");
      expect(run.stderr).toContain("'kubectl' failed (status 1, attempt 2 of 5)");
      expect(run.code).toBe(0);
      const apt = init.calls("apt-get");
      expect(apt[0].args).toContain("update");
      expect(apt[1].args).toContain("update");
      for (const call of apt) expect(call.args).toEqual(expect.arrayContaining(["-o", "Acquire::Retries=3"]));
      const manifest = `${init.root}/var/lib/kubeplane/cni-manifest.yaml`;
      expect(argsOf(init.calls("kubectl"))).toEqual([
        ...Array(3).fill(["--kubeconfig", `${init.root}/etc/kubernetes/admin.conf`, "apply", "-f", manifest]),
        ...ADDONS.map((addon) => ["--kubeconfig", `${init.root}/etc/kubernetes/admin.conf`, "apply", "-k", `${init.root}/etc/kubeplane/addons/${addon}/`]),
      ]);
      expect(init.file("/var/lib/kubeplane/cni-manifest.yaml")).toContain("kind: ServiceAccount");
    });

    test("a CNI manifest that cannot be downloaded fails the bootstrap before any apply", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { ...FAST_RETRIES, SIM_CURL_FAIL: "*/calico.yaml" });
      expect(run.stderr).toContain(`could not download the CNI manifest ${CALICO_MANIFEST_URL}`);
      expect(run.code).not.toBe(0);
      expect(init.calls("curl").find((c) => c.args.includes(CALICO_MANIFEST_URL))?.args).toEqual(expect.arrayContaining(["-fsSL", "--retry", "5"]));
      expect(init.calls("kubectl")).toEqual([]);
      expect(init.file("/var/lib/kubeplane/initialised")).toBeUndefined();
    });

    test("a failed kubeadm init is reset before the next attempt; its log shows redacted on stderr and leaves no file", async () => {
      const cluster = await newCluster({ ha: true });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { ...FAST_RETRIES, SIM_KUBEADM_INIT_FAILURES: "1" });
      expect(run.code).toBe(0);
      const runs = kubeadmRuns(init).filter((a) => a[0] === "init" || a[0] === "reset").map((a) => a.slice(0, 2).join(" "));
      expect(runs.slice(0, 3)).toEqual(["init --config", "reset --force", "init --config"]);
      // The failed attempt's tail, with the token and the certificate key kubeadm printed redacted.
      expect(run.stderr).toContain("'kubeadm init' failed (status 1); its last lines, secrets redacted:");
      expect(run.stderr).toContain("[bootstrap-token] Using token: <redacted token>");
      expect(run.stderr).toContain("[upload-certs] Using certificate key:\n<redacted key>");
      expect(run.stderr).toContain("error execution phase addon/coredns");
      expect(run.stderr).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
      expect(run.stderr).not.toMatch(/[0-9a-f]{64}/);
      expect(init.file(INIT_LOG)).toBeUndefined();
    });

    test("kubeadm init failing every time stops after 3 attempts, each after a reset, and leaves no log behind", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP, [], { ...FAST_RETRIES, SIM_KUBEADM_INIT_FAILURES: "9" });
      expect(run.stderr).toContain("kubeadm init failed 3 times");
      expect(run.code).not.toBe(0);
      const runs = kubeadmRuns(init).map((a) => a.slice(0, 2).join(" "));
      expect(runs).toEqual(["init --config", "reset --force", "init --config", "reset --force", "init --config"]);
      expect(run.stderr).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
      expect(init.file(INIT_LOG)).toBeUndefined();
      expect(init.file("/var/lib/kubeplane/initialised")).toBeUndefined();
    });

    test("state a previous bootstrap's init left behind is reset before kubeadm init runs", async () => {
      const cluster = await newCluster({ ha: false });
      const init = await cluster.launch("control-plane-init");
      mkdirSync(path.join(init.root, "etc/kubernetes/manifests"), { recursive: true });
      writeFileSync(path.join(init.root, "etc/kubernetes/manifests/kube-apiserver.yaml"), "");
      writeFileSync(path.join(init.root, "etc/kubernetes/kubelet.conf"), "");
      const run = await init.run(BOOTSTRAP, [], FAST_RETRIES);
      expect(run.stderr).not.toContain("already part of the cluster");
      expect(run.stderr).toContain("a previous kubeadm init left state behind; running kubeadm reset --force first");
      expect(run.code).toBe(0);
      expect(kubeadmRuns(init).slice(0, 2).map((a) => a.slice(0, 2).join(" "))).toEqual(["reset --force", "init --config"]);
      expect(init.file(INIT_LOG)).toBeUndefined();
    });

    test("kURL: a single primary gets the stable endpoint as its load balancer address; the installer's log does not stay", async () => {
      const cluster = await newCluster({ ha: false, installer: "kurl" });
      const init = await cluster.launch("control-plane-init");
      const run = await init.run(BOOTSTRAP);
      expect(run.code).toBe(0);
      expect(argsOf(init.calls("kurl-install"))).toEqual([[`load-balancer-address=${cluster.endpoint}:6443`]]);
      expect(argsOf(init.calls("kurl-tasks"))).toEqual([["join_token"]]);
      const lease = (await cluster.lease("worker")) as JoinLease;
      expect(lease.command).toContain(`kubernetes-master-address=${cluster.endpoint}:6443 `);
      expect(lease.command).toContain(" additional-no-proxy-addresses=10.96.0.0/22,10.32.0.0/20 ");
      expect(init.file("/var/lib/kubeplane/kurl-install.log")).toBeUndefined();
      const worker = await cluster.launch("worker");
      expect((await worker.run(BOOTSTRAP)).code).toBe(0);
    });
  });
});
