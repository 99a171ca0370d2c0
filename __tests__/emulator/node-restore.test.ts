/**
 * The restore path on a node, end to end in the node simulation (issue 15; the README's runbook
 * "Backups and restore"): a control plane is lost, `kubeplane etcd restore` writes the request,
 * the operator terminates the instances, and the new first control-plane node (node-0) finds
 * the cluster claimed, the request and the snapshot: it verifies the snapshot, restores etcd's
 * data directory and the cluster's PKI, runs kubeadm init over them and publishes join leases as
 * a normal init does. A corrupt snapshot is refused before anything is written. An HA control
 * plane restores on node-0 and the others join it as new members.
 *
 * The node scripts are the rendered ones, run by the node simulation (../support/node-simulation)
 * against the emulator's SSM, S3 and EC2; kubeadm is the restore-aware stub in
 * ../support/node-restore/kubeadm (preflight, certs and reset as kubeadm's source does them,
 * cited there). etcd is REAL (Debian's etcd 3.4): what kubeadm's etcd static pod would run over
 * /var/lib/etcd is started by the test over the node's directory, before the loss (to write keys
 * and take the snapshot the node's own kubeplane-etcd-snapshot uploads) and after the restore
 * (to find the keys back).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { EtcdDeps, etcdRestoreMain } from "../../cli/etcd-command";
import type { ClusterDefinition } from "../../definition";
import { Emulator, startEmulator } from "../support/emulator";
import { exampleDefinition } from "../support/examples";
import { awsJson } from "../support/node-simulation/aws-cli";
import { SIMULATION_REGION, SimulatedCluster } from "../support/node-simulation/simulated-cluster";
import type { ScriptRun, SimulatedNode } from "../support/node-simulation/simulated-node";
import { backupBucket, caCertHash, createBackupBucket, launchBackedUp, terminate } from "../support/node-restore/restorable-cluster";
import { freePort, RealEtcd, run, startEtcdCluster } from "../support/real-etcd";

jest.setTimeout(180_000);

const BOOTSTRAP = "/usr/local/sbin/kubeplane-bootstrap";
const SNAPSHOT = "/usr/local/sbin/kubeplane-etcd-snapshot";
/** The cluster PKI kubeplane keeps (etcd-common.sh KUBEPLANE_PKI_FILES). */
const PKI = ["ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key"];
const KEYS = 25;

let emulator: Emulator;
let workDir: string;
const etcds: RealEtcd[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator();
  workDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-node-restore-"));
  // The CLI's AWS SDK clients talk to the emulator.
  Object.assign(process.env, emulator.env);
});

afterAll(async () => {
  await Promise.all(etcds.map((e) => e.stop()));
  await emulator?.stop();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function ok(what: string, result: ScriptRun): ScriptRun {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.stderr}`);
  return result;
}

/** `kubeplane etcd restore <cluster> [--snapshot KEY]`, as the operator runs it. */
async function requestRestore(cluster: SimulatedCluster, snapshot?: string): Promise<string[]> {
  const out: string[] = [];
  const deps: EtcdDeps = {
    definition: async () => {
      const dev = exampleDefinition("dev");
      return { ...dev, name: cluster.name, region: SIMULATION_REGION, controlPlane: { ...dev.controlPlane, count: cluster.options.ha ? 3 : 1 } } as ClusterDefinition;
    },
    out: (l) => out.push(l),
    err: (l) => out.push(l),
  };
  expect(await etcdRestoreMain(cluster.name, snapshot ? { snapshot } : {}, deps)).toBe(0);
  return out;
}

/** What the kubelet would run over the node's /var/lib/etcd (kubeadm's etcd static pod): a real etcd. */
async function etcdOver(node: SimulatedNode): Promise<RealEtcd> {
  const etcd = new RealEtcd(path.join(node.root, "var/lib/etcd"), await freePort(), await freePort(), node.instance.privateDnsName);
  etcds.push(etcd);
  await etcd.start();
  return etcd;
}

async function writeKeys(etcd: RealEtcd): Promise<void> {
  for (let i = 0; i < KEYS; i++) expect((await etcd.ctl(["put", `/registry/configmaps/default/cm-${i}`, `value-${i}`])).code).toBe(0);
}

async function expectKeysBack(etcd: RealEtcd): Promise<void> {
  const keys = await etcd.ctl(["get", "/registry/configmaps/default/", "--prefix", "--keys-only"]);
  expect(keys.stdout.split("\n").filter(Boolean)).toHaveLength(KEYS);
  expect((await etcd.ctl(["get", "/registry/configmaps/default/cm-17", "--print-value-only"])).stdout.trim()).toBe("value-17");
}

const uploaded = (result: ScriptRun) => /uploaded (etcd\/\S+\.db) \(revision/.exec(result.stderr)?.[1];
const kubeadmInits = (node: SimulatedNode) => node.calls("kubeadm").map((c) => c.args).filter((a) => a[0] === "init" && a[1] !== "phase");
const pkiOf = (node: SimulatedNode) => Object.fromEntries(PKI.map((f) => [f, node.file(`/etc/kubernetes/pki/${f}`)]));

describe("a single control plane, lost and restored onto a new node-0", () => {
  let cluster: SimulatedCluster;
  let first: SimulatedNode;
  let firstPki: Record<string, string | undefined>;
  let taken: string;
  let caHash: string;
  let replacement: SimulatedNode;

  beforeAll(async () => {
    cluster = await SimulatedCluster.create(emulator.env, path.join(workDir, "single"), "restore1", { backend: "ssm" });
    await createBackupBucket(cluster);
    first = await launchBackedUp(cluster, "control-plane-init");
    ok("the first node's bootstrap", await first.run(BOOTSTRAP));
    const etcd = await etcdOver(first);
    await writeKeys(etcd);
    // The node's own snapshot timer, against its etcd.
    const snapshot = ok("kubeplane-etcd-snapshot", await first.run(SNAPSHOT, [], { KUBEPLANE_ETCD_ENDPOINT: etcd.clientUrl }));
    taken = uploaded(snapshot)!;
    firstPki = pkiOf(first);
    caHash = caCertHash(firstPki["ca.crt"]!);
    // The control plane is lost.
    await etcd.stop();
    await terminate(cluster, first);
  });

  test("before the loss: kubeadm made the cluster's CA, the join leases carry its hash, and the snapshot and PKI are in the bucket", async () => {
    expect(taken).toMatch(new RegExp(`^etcd/\\d{8}T\\d{6}Z-${first.instance.instanceId}\\.db$`));
    expect((await cluster.lease("worker"))!.command).toContain(`--discovery-token-ca-cert-hash ${caHash}`);
    const objects = await awsJson<{ Contents: { Key: string }[] }>(cluster.env, ["s3api", "list-objects-v2", "--bucket", backupBucket(cluster)]);
    expect(objects.Contents.map((o) => o.Key).sort()).toEqual([taken, "pki/pki.tar.gz"]);
  });

  test("a corrupt snapshot: the new node-0 refuses it, writes nothing, runs no kubeadm init, and fails naming the next step", async () => {
    // The uploaded snapshot's first half under a later name, with the whole one's SHA-256 (as a
    // truncated upload would be).
    const good = path.join(workDir, "good.db");
    await awsJson(cluster.env, ["s3api", "get-object", "--bucket", backupBucket(cluster), "--key", taken, good]);
    const head = await awsJson<{ Metadata: Record<string, string> }>(cluster.env, ["s3api", "head-object", "--bucket", backupBucket(cluster), "--key", taken]);
    const half = path.join(workDir, "half.db");
    const bytes = readFileSync(good);
    writeFileSync(half, bytes.subarray(0, bytes.length / 2));
    const corrupt = "etcd/20991231T235959Z-i-0truncated.db";
    const metadata = Object.entries(head.Metadata).map(([k, v]) => `${k}=${v}`).join(",");
    await awsJson(cluster.env, ["s3api", "put-object", "--bucket", backupBucket(cluster), "--key", corrupt, "--body", half, "--metadata", metadata]);
    await requestRestore(cluster, corrupt);

    replacement = await launchBackedUp(cluster, "control-plane-init");
    const result = await replacement.run(BOOTSTRAP);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`restoring it from ${corrupt} instead of creating a new one`);
    expect(result.stderr).toMatch(/etcd\/20991231T235959Z-i-0truncated\.db is corrupt or truncated: its SHA-256 is [0-9a-f]{64}, the backup recorded [0-9a-f]{64}; nothing restored/);
    expect(result.stderr).toContain(
      `could not restore the cluster from ${corrupt} (why: above); nothing was restored and no cluster was created. Next: choose another snapshot ('kubeplane etcd list restore1', then 'kubeplane etcd restore restore1 --snapshot <key>') and replace this instance`,
    );
    expect(existsSync(path.join(replacement.root, "var/lib/etcd"))).toBe(false);
    expect(existsSync(path.join(replacement.root, "etc/kubernetes/pki"))).toBe(false);
    expect(kubeadmInits(replacement)).toEqual([]);
    expect(JSON.parse((await cluster.recordValue(`${cluster.parameterPath}/status/${replacement.instance.instanceId}`))!)).toMatchObject({
      state: "failed",
      step: `restoring the cluster from ${corrupt}`,
    });
    // The request stays for the next attempt; the old lease is untouched.
    expect(JSON.parse((await cluster.recordValue(`${cluster.parameterPath}/cluster/restore`))!)).toMatchObject({ snapshot: corrupt });
    expect((await cluster.lease("worker"))!.createdBy).toBe(first.instance.instanceId);
  });

  test("the good snapshot: node-0 restores etcd and the PKI, runs kubeadm init over them (keeping the CA), publishes join leases, and etcd has every key", async () => {
    const steps = await requestRestore(cluster, taken);
    expect(steps.join("\n")).toContain(`kubeplane deploy restore1-cluster --auto-approve`);
    await terminate(cluster, replacement);
    const node0 = await launchBackedUp(cluster, "control-plane-init");
    const result = ok("the restoring node-0's bootstrap", await node0.run(BOOTSTRAP));
    expect(result.stderr).toContain(`restoring it from ${taken} instead of creating a new one`);
    expect(result.stderr).toContain(`restored the cluster restore1 from ${taken}`);
    // The new node took etcd's tools from etcd's release (the stub curl's), of the minor kubeadm's etcd runs.
    expect(result.stderr).toMatch(/installed etcd 3\.4\.23's etcdctl \(sha256 [0-9a-f]{64}\)/);
    expect(node0.calls("kubeadm").map((c) => c.args.join(" "))).toContain("config images list --kubernetes-version v1.36.5");

    // kubeadm init ran once, over the restored data directory, and kept the restored CAs and keys.
    expect(kubeadmInits(node0)).toEqual([["init", "--config", path.join(node0.root, "etc/kubeplane/kubeadm-init.yaml"), "--ignore-preflight-errors=DirAvailable--var-lib-etcd"]]);
    expect(pkiOf(node0)).toEqual(firstPki);
    const lease = (await cluster.lease("worker"))!;
    expect(lease.createdBy).toBe(node0.instance.instanceId);
    expect(lease.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(lease.command).toContain(`--discovery-token-ca-cert-hash ${caHash}`);
    expect(node0.calls("systemctl").map((c) => c.args.join(" "))).toContain("enable --now kubeplane-etcd-snapshot.timer");
    const claim = JSON.parse((await cluster.recordValue(`${cluster.parameterPath}/cluster/claim`))!);
    expect(claim).toMatchObject({ instanceId: node0.instance.instanceId, restoredFrom: taken });
    expect(await cluster.recordExists(`${cluster.parameterPath}/cluster/restore`)).toBe(false);

    // kubeadm itself refuses that directory without the exception (its DirAvailable check).
    const refused = await run(path.join(node0.directory, "bin", "kubeadm"), ["init", "--config", path.join(node0.root, "etc/kubeplane/kubeadm-init.yaml")], node0.env());
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain("\t[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");

    // etcd over the restored directory: the keys are back, in a cluster of this one member.
    const etcd = await etcdOver(node0);
    await expectKeysBack(etcd);
    expect(await etcd.members()).toEqual([`${node0.instance.privateDnsName} https://${node0.instance.privateIp}:2380`]);
  });
});

describe("an HA control plane, lost and restored: node-0 restores, the others join it as new members", () => {
  test("restore on node-0 from the latest snapshot; a joining control-plane node is added to etcd, and no member is removed", async () => {
    const cluster = await SimulatedCluster.create(emulator.env, path.join(workDir, "ha"), "restore2", { backend: "ssm", ha: true });
    await createBackupBucket(cluster);
    const first = await launchBackedUp(cluster, "control-plane-init");
    ok("the first node's bootstrap", await first.run(BOOTSTRAP));
    // The old control plane's etcd: three members, one per control-plane instance (the two others
    // are instances and members only: their bootstrap is the node simulation's to prove).
    const peers = [await launchBackedUp(cluster, "control-plane-join"), await launchBackedUp(cluster, "control-plane-join")];
    const old = await startEtcdCluster(path.join(workDir, "ha-old"), [first, ...peers].map((n) => n.instance.privateDnsName));
    etcds.push(...old);
    await writeKeys(old[1]);
    // The leader's snapshot timer takes it (the others log that they are not the leader).
    let taken: string | undefined;
    for (const member of old) taken ??= uploaded(ok("kubeplane-etcd-snapshot", await first.run(SNAPSHOT, [], { KUBEPLANE_ETCD_ENDPOINT: member.clientUrl })));
    expect(taken).toBeDefined();
    const caHash = caCertHash(first.file("/etc/kubernetes/pki/ca.crt")!);

    // The runbook: request the restore (latest snapshot), terminate every control-plane instance, deploy.
    const steps = (await requestRestore(cluster)).join("\n");
    expect(steps).toContain("terminate every control-plane instance of restore2");
    await Promise.all(old.map((m) => m.stop()));
    for (const node of [first, ...peers]) await terminate(cluster, node);

    const node0 = await launchBackedUp(cluster, "control-plane-init");
    const restored = ok("the restoring node-0's bootstrap", await node0.run(BOOTSTRAP));
    expect(restored.stderr).toContain(`restoring it from ${taken} instead of creating a new one`);
    expect((await cluster.lease("control-plane"))!.command).toContain(`--discovery-token-ca-cert-hash ${caHash}`);
    const etcd = await etcdOver(node0);
    await expectKeysBack(etcd);
    // etcd's restore starts a new cluster of one member: the old members are gone with it.
    expect(await etcd.members()).toEqual([`${node0.instance.privateDnsName} https://${node0.instance.privateIp}:2380`]);

    const joiner = await launchBackedUp(cluster, "control-plane-join");
    const joined = ok("the joining control-plane node's bootstrap", await joiner.run(BOOTSTRAP, [], { SIM_ETCD_ENDPOINT: etcd.clientUrl, KUBEPLANE_ETCD_ENDPOINT: etcd.clientUrl }));
    expect(joined.stderr).toContain("etcd members checked: 0 dead member(s) removed");
    expect(await etcd.members()).toEqual(
      [`${node0.instance.privateDnsName} https://${node0.instance.privateIp}:2380`, `(unstarted) https://${joiner.instance.privateIp}:2380 learner`].sort(),
    );
    await expectKeysBack(etcd);
  });
});

describe("a kURL cluster: snapshots are taken, but a new node-0 does not restore them", () => {
  test("the replacement finds the claimed cluster and a snapshot, refuses to create a new cluster, and says what to do", async () => {
    const cluster = await SimulatedCluster.create(emulator.env, path.join(workDir, "kurl"), "restore3", { backend: "ssm", installer: "kurl" });
    await createBackupBucket(cluster);
    const first = await launchBackedUp(cluster, "control-plane-init");
    ok("the first node's bootstrap", await first.run(BOOTSTRAP));
    // A snapshot in the bucket, as the node's timer uploads one (what is in it does not matter:
    // the replacement stops before reading it).
    const snapshot = path.join(workDir, "kurl-snapshot.db");
    writeFileSync(snapshot, "snapshot\n");
    const key = `etcd/20261201T000000Z-${first.instance.instanceId}.db`;
    await awsJson(cluster.env, ["s3api", "put-object", "--bucket", backupBucket(cluster), "--key", key, "--body", snapshot, "--metadata", "sha256=0,revision=1,kubernetes-version=1.36.5"]);
    await terminate(cluster, first);

    const replacement = await launchBackedUp(cluster, "control-plane-init");
    const result = await replacement.run(BOOTSTRAP);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `its backups hold ${key}, but kubeplane restores etcd snapshots with the kubeadm installer only: the kurl installer would create a new, empty cluster behind the same endpoint. Nothing was created.`,
    );
    expect(result.stderr).toContain("kubeplane etcd list restore3");
    expect(replacement.calls("kurl-install")).toEqual([]);
    // The claim is still the first node's.
    expect(JSON.parse((await cluster.recordValue(`${cluster.parameterPath}/cluster/claim`))!)).toMatchObject({ instanceId: first.instance.instanceId });
    expect(JSON.parse((await cluster.recordValue(`${cluster.parameterPath}/status/${replacement.instance.instanceId}`))!)).toMatchObject({ state: "failed" });
  });
});
