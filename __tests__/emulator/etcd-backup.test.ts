/**
 * etcd snapshots and restore (issue 15) with a REAL etcd (Debian's etcd-server / etcd-client) and
 * the emulator's S3 and SSM: the node scripts exactly as a control-plane node's user data ships
 * them (renderUserData), run under KUBEPLANE_ROOT with the real aws CLI, curl, jq and etcdctl.
 * The node downloads etcd's tools as it does from etcd's releases, here from a local server
 * (../support/etcd-release.ts): etcd 3.4.23's layout holding Debian's real etcdctl, verified by
 * its SHA-256 in the node's settings.
 * The instance metadata service is a small local server that answers as IMDSv2 does (a PUT for
 * the token, then reads with it: "Use IMDSv2", EC2 User Guide). No Terraform deploy: the bucket is
 * made through the S3 API.
 */
import { createHash } from "crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import type { Server } from "http";
import * as os from "os";
import * as path from "path";
import { backupNodeSettings } from "../../providers/aws/aws-backup-bucket";
import { awsControlPlaneContext, freePort, imdsEndpoint, installNode, RealEtcd, run, startImds } from "../support/real-etcd";
import { Emulator, startEmulator } from "../support/emulator";
import { exampleDefinition } from "../support/examples";
import type { ClusterDefinition } from "../../definition";
import { AwsBackupRuntime } from "../../providers/aws/aws-backup-runtime";
import { EtcdDeps, etcdListMain, etcdRestoreMain } from "../../cli/etcd-command";
import { buildEtcdRelease, debianEtcd34, EtcdReleaseFixture, EtcdReleaseServer, etcdToolsDir, useEtcdRelease } from "../support/etcd-release";

jest.setTimeout(120_000);

const REGION = "eu-west-1";
const CLUSTER = "etcdtest";
const BUCKET = `kp-${CLUSTER}-123456789012-${REGION}`;
const INSTANCE = "i-0e7cd0a1b2c3d4e5f";

const IMDS_METADATA = {
  "instance-id": INSTANCE,
  "placement/region": REGION,
  "placement/availability-zone": `${REGION}a`,
  "local-hostname": "ip-10-0-1-10.eu-west-1.compute.internal",
  "local-ipv4": "10.0.1.10",
};

let emulator: Emulator;
let imds: Server;
let etcd: RealEtcd;
let root: string;
let work: string;
let nodeEnv: NodeJS.ProcessEnv;
let releases: EtcdReleaseServer;
let debian: EtcdReleaseFixture;
/** Points the node at Debian's etcd 3.4.23 release (the one every test but those saying otherwise uses). */
const useDebianEtcd = () => useEtcdRelease(root, debian, releases.add(debian));

const aws = async (args: readonly string[], env = nodeEnv) => {
  const r = await run("aws", ["--region", REGION, ...args], env);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
};
const awsJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await aws([...args, "--output", "json"])) as T;
const snapshotKeys = async () => ((await awsJson<{ Contents?: { Key: string }[] }>(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "etcd/"])).Contents ?? []).map((c) => c.Key).sort();
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const snapshot = (env = nodeEnv) => run(path.join(root, "usr/local/sbin/kubeplane-etcd-snapshot"), [], env);
const restore = (args: readonly string[], env = nodeEnv) => run(path.join(root, "usr/local/sbin/kubeplane-etcd-restore"), args, env);
const backupStatus = async () => JSON.parse(await aws(["ssm", "get-parameter", "--name", `/kubeplane/${CLUSTER}/status/etcd-backup`, "--query", "Parameter.Value", "--output", "text"]));

beforeAll(async () => {
  [emulator, imds] = await Promise.all([startEmulator(), startImds(IMDS_METADATA)]);
  work = mkdtempSync(path.join(os.tmpdir(), "kubeplane-etcd-"));
  root = path.join(work, "node");
  etcd = new RealEtcd(path.join(work, "etcd-data"), await freePort(), await freePort());
  await etcd.start();

  // The control plane's files, as its user data writes them.
  const context = awsControlPlaneContext(CLUSTER, REGION, { role: "control-plane-init", controlPlaneCount: 1, backups: { store: backupNodeSettings(BUCKET, REGION), interval: "1h", retentionDays: 7 } });
  installNode(root, context);
  releases = await new EtcdReleaseServer().start();
  debian = debianEtcd34(work);
  useDebianEtcd();
  // The cluster PKI kubeadm would have made: opaque files to the scripts, which tar and compare them.
  for (const file of ["ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key"]) {
    const target = path.join(root, "etc/kubernetes/pki", file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${file} of ${CLUSTER}: ${createHash("sha256").update(file).digest("hex")}\n`);
  }
  nodeEnv = {
    ...emulator.env,
    KUBEPLANE_ROOT: root,
    KUBEPLANE_IMDS_ENDPOINT: imdsEndpoint(imds),
    KUBEPLANE_ETCD_ENDPOINT: etcd.clientUrl,
    AWS_MAX_ATTEMPTS: "1",
  };
  await aws(["s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", `LocationConstraint=${REGION}`]);
  await aws(["s3api", "put-bucket-versioning", "--bucket", BUCKET, "--versioning-configuration", "Status=Enabled"]);
});

afterAll(async () => {
  await etcd?.stop();
  await releases?.stop();
  await emulator?.stop();
  await new Promise((r) => (imds ? imds.close(r) : r(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a snapshot, then a restore, with a real etcd", () => {
  let taken: string;

  test("the snapshot script uploads a verified snapshot with its SHA-256, the PKI, prunes expired snapshots and records success", async () => {
    for (let i = 0; i < 20; i++) expect((await etcd.ctl(["put", `/registry/test/key-${i}`, `value-${i}`])).code).toBe(0);
    // An expired snapshot (older than retentionDays by its name) and a recent one that stays.
    const old = path.join(work, "old.db");
    writeFileSync(old, "old");
    await aws(["s3api", "put-object", "--bucket", BUCKET, "--key", "etcd/20200101T000000Z-i-0old.db", "--body", old]);
    const recentName = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    await aws(["s3api", "put-object", "--bucket", BUCKET, "--key", `etcd/${recentName}-i-0recent.db`, "--body", old]);

    const result = await snapshot();
    expect(result.stderr).toMatch(/uploaded etcd\/\d{8}T\d{6}Z-i-0e7cd0a1b2c3d4e5f\.db \(revision \d+, \d+ keys, sha256 [0-9a-f]{64}\)/);
    expect(result.code).toBe(0);
    // etcd's tools: downloaded from the release, checked, unpacked once.
    expect(result.stderr).toContain(`installed etcd 3.4.23's etcdctl (sha256 ${debian.sha256})`);
    expect(readdirSync(etcdToolsDir(root, "3.4.23"))).toEqual(["etcdctl"]);
    expect(releases.downloads).toBe(1);

    const keys = await snapshotKeys();
    expect(keys).not.toContain("etcd/20200101T000000Z-i-0old.db");
    expect(keys).toContain(`etcd/${recentName}-i-0recent.db`);
    taken = keys.find((k) => k.endsWith(`${INSTANCE}.db`))!;
    expect(taken).toBeDefined();

    const head = await awsJson<{ Metadata: Record<string, string> }>(["s3api", "head-object", "--bucket", BUCKET, "--key", taken]);
    const downloaded = path.join(work, "downloaded.db");
    await aws(["s3api", "get-object", "--bucket", BUCKET, "--key", taken, downloaded]);
    expect(head.Metadata).toEqual({ sha256: sha256(downloaded), revision: expect.stringMatching(/^\d+$/), "kubernetes-version": "1.36.5", "instance-id": INSTANCE });
    // etcd itself reads the uploaded file as a snapshot with the keys written.
    const status = JSON.parse((await run("etcdctl", ["snapshot", "status", downloaded, "-w", "json"], { ...process.env, ETCDCTL_API: "3" })).stdout);
    expect(status.totalKey).toBeGreaterThanOrEqual(20);

    const pki = await awsJson<{ Metadata: Record<string, string> }>(["s3api", "head-object", "--bucket", BUCKET, "--key", "pki/pki.tar.gz"]);
    expect(pki.Metadata.sha256).toMatch(/^[0-9a-f]{64}$/);

    expect(await backupStatus()).toMatchObject({ version: 1, state: "ok", instanceId: INSTANCE, snapshot: taken, sha256: head.Metadata.sha256 });
    expect(JSON.parse(readFileSync(path.join(root, "var/lib/kubeplane/etcd-backup.json"), "utf8"))).toMatchObject({ state: "ok", snapshot: taken });
  });

  test("wiping the data directory and restoring brings every key back", async () => {
    await etcd.stop();
    rmSync(etcd.dataDir, { recursive: true, force: true });
    const result = await restore(["--snapshot", taken, "--data-dir", etcd.dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl]);
    expect(result.stderr).toContain(`restored ${taken} into ${etcd.dataDir} as member node-0`);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(taken);
    // The tools the snapshot installed serve the restore: no second download.
    expect(releases.downloads).toBe(1);
    await etcd.start();
    const got = await etcd.ctl(["get", "/registry/test/", "--prefix", "--keys-only"]);
    expect(got.stdout.split("\n").filter(Boolean)).toHaveLength(20);
    expect((await etcd.ctl(["get", "/registry/test/key-7", "--print-value-only"])).stdout.trim()).toBe("value-7");
  });

  test("--pki restores the cluster's CAs and service-account keys onto a new node, and refuses to overwrite a different PKI", async () => {
    const pkiDir = path.join(root, "etc/kubernetes/pki");
    const before = readFileSync(path.join(pkiDir, "ca.key"), "utf8");
    rmSync(pkiDir, { recursive: true, force: true });
    const target = path.join(work, "new-node-etcd");
    const result = await restore(["--snapshot", taken, "--data-dir", target, "--name", "node-0", "--peer-url", etcd.peerUrl, "--pki"]);
    expect(result.stderr).toContain("with the cluster PKI");
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(pkiDir, "ca.key"), "utf8")).toBe(before);
    expect(readdirSync(path.join(pkiDir, "etcd")).sort()).toEqual(["ca.crt", "ca.key"]);

    writeFileSync(path.join(pkiDir, "ca.key"), "another cluster's CA key\n");
    const refused = await restore(["--snapshot", taken, "--data-dir", path.join(work, "third-node-etcd"), "--name", "node-0", "--peer-url", etcd.peerUrl, "--pki"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ca\.key differs from the stored PKI: refusing to overwrite it; nothing restored/);
    expect(existsSync(path.join(work, "third-node-etcd"))).toBe(false);
    writeFileSync(path.join(pkiDir, "ca.key"), before);
  });
});

describe("what the restore refuses", () => {
  const corrupt = async (key: string, body: Buffer, recordedSha: string) => {
    const file = path.join(work, "upload.db");
    writeFileSync(file, body);
    await aws(["s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", file, "--metadata", `sha256=${recordedSha},revision=1,kubernetes-version=1.36.5`]);
  };

  test("a truncated snapshot: refused by its SHA-256, the data directory untouched", async () => {
    const good = path.join(work, "good.db");
    expect((await etcd.ctl(["snapshot", "save", good])).code).toBe(0);
    const bytes = readFileSync(good);
    await corrupt("etcd/20991231T235959Z-i-0truncated.db", bytes.subarray(0, bytes.length / 2), sha256(good));
    const dataDir = path.join(work, "untouched");
    mkdirSync(dataDir);
    const result = await restore(["--data-dir", dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/etcd\/20991231T235959Z-i-0truncated\.db is corrupt or truncated: its SHA-256 is [0-9a-f]{64}, the backup recorded [0-9a-f]{64}; nothing restored/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  test("a file that is no etcd snapshot (its SHA-256 matches): refused by etcd's snapshot status", async () => {
    const garbage = Buffer.from("not a bolt database\n".repeat(100));
    await corrupt("etcd/20991231T235960Z-i-0garbage.db", garbage, createHash("sha256").update(garbage).digest("hex"));
    const dataDir = path.join(work, "untouched-2");
    const result = await restore(["--snapshot", "etcd/20991231T235960Z-i-0garbage.db", "--data-dir", dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/is not a valid etcd snapshot \(etcdutl snapshot status refuses it\); nothing restored/);
    expect(existsSync(dataDir)).toBe(false);
  });

  test("a data directory with data in it is never overwritten", async () => {
    const result = await restore(["--snapshot", "etcd/20991231T235960Z-i-0garbage.db", "--data-dir", etcd.dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${etcd.dataDir} holds data: nothing restored`);
    expect((await etcd.ctl(["get", "/registry/test/key-3", "--print-value-only"])).stdout.trim()).toBe("value-3");
  });
});

describe("a backup that cannot be stored fails visibly", () => {
  test("a missing bucket: the script fails, naming S3's error, and the failure is recorded", async () => {
    const env = { ...nodeEnv };
    // The settings file names the bucket; a node whose bucket is gone reads the same file.
    const envFile = path.join(root, "etc/kubeplane/cluster.env");
    const settings = readFileSync(envFile, "utf8");
    writeFileSync(envFile, settings.replace(`KUBEPLANE_BACKUP_BUCKET='${BUCKET}'`, "KUBEPLANE_BACKUP_BUCKET='kp-etcdtest-gone'"));
    try {
      const failed = await snapshot(env);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(/aws s3api put-object failed: .*NoSuchBucket/);
      expect(failed.stderr).toContain("the etcd backup failed while uploading the snapshot");
      expect(await backupStatus()).toMatchObject({ state: "failed", step: "uploading the snapshot", instanceId: INSTANCE });
    } finally {
      writeFileSync(envFile, settings);
    }
  });

  test("a node that is not the etcd leader takes no snapshot", async () => {
    // etcd's endpoint status as a follower reports it (leader != member_id): the release's
    // etcdctl prints the real etcdctl's JSON with the leader changed.
    const realStatus = (await etcd.ctl(["endpoint", "status", "-w", "json"])).stdout;
    const follower = JSON.parse(realStatus);
    follower[0].Status.leader = 1234;
    const release = buildEtcdRelease(path.join(work, "follower"), "3.4.23", {
      etcdctl: { script: `#!/usr/bin/env bash\nif [[ " $* " == *" endpoint status "* ]]; then echo '${JSON.stringify(follower)}'; exit 0; fi\nexec /usr/bin/etcdctl "$@"\n` },
    });
    const before = await snapshotKeys();
    useEtcdRelease(root, release, releases.add(release));
    try {
      const result = await snapshot();
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/is not the leader \(1234\): the leader takes the snapshot/);
      expect(await snapshotKeys()).toEqual(before);
    } finally {
      useDebianEtcd();
    }
  });
});

describe("etcd's tools: the pinned release or nothing", () => {
  test("a download whose SHA-256 is not the pinned one is refused: nothing installed, the backup recorded failed, and the restore refuses too", async () => {
    useEtcdRelease(root, debian, releases.add(debian), "0".repeat(64));
    try {
      const failed = await snapshot();
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain(`etcd 3.4.23's tools from ${releases.add(debian)} have the SHA-256 ${debian.sha256}, not the pinned ${"0".repeat(64)}: refused, nothing installed`);
      expect(failed.stderr).toContain("the etcd backup failed while installing etcd's tools");
      expect(existsSync(etcdToolsDir(root, "3.4.23"))).toBe(false);
      expect(readdirSync(path.join(root, "opt/kubeplane"))).toEqual([]);
      expect(await backupStatus()).toMatchObject({ state: "failed", step: "installing etcd's tools", instanceId: INSTANCE });

      const dataDir = path.join(work, "unverified-tools");
      const refused = await restore(["--data-dir", dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("refused, nothing installed");
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      useDebianEtcd();
    }
  });

  test("a release that cannot be downloaded fails the backup, naming the URL", async () => {
    const missing = { ...debian, version: "3.4.99" };
    const url = releases.add(debian).replace(/3\.4\.23/g, "3.4.99");
    useEtcdRelease(root, missing, url);
    try {
      const failed = await snapshot();
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(/curl: \(22\) The requested URL returned error: 404/);
      expect(failed.stderr).toContain(`could not download etcd 3.4.99's tools from ${url}`);
      expect(await backupStatus()).toMatchObject({ state: "failed", step: "installing etcd's tools" });
    } finally {
      useDebianEtcd();
    }
  });

  test("tools of another minor than the etcd that runs are refused: the snapshot by the server's version, the restore by kubeadm's etcd image", async () => {
    // A 3.6 release (Debian's etcdctl 3.4 and an etcdutl in front of it: only their version
    // matters here) against the real etcd 3.4.23 server, whose endpoint status says 3.4.23.
    const release = buildEtcdRelease(path.join(work, "other-minor"), "3.6.14", {
      etcdctl: { copyOf: "/usr/bin/etcdctl" },
      etcdutl: { script: '#!/usr/bin/env bash\nETCDCTL_API=3 exec /usr/bin/etcdctl "$@"\n' },
    });
    const before = await snapshotKeys();
    useEtcdRelease(root, release, releases.add(release));
    try {
      const failed = await snapshot();
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain("etcd runs 3.4.23 but kubeplane's etcd tools are 3.6.14 (another minor)");
      expect(await backupStatus()).toMatchObject({ state: "failed", step: "checking etcd's version against its tools" });
      expect(await snapshotKeys()).toEqual(before);
    } finally {
      useDebianEtcd();
    }

    // The restore asks kubeadm which etcd it runs: `kubeadm config images list` prints one image a
    // line, etcd last (kubeadm's GetControlPlaneImages, cmd/kubeadm/app/images/images.go; the
    // node simulation's stub kubeadm prints the same list for 1.36).
    const stubs = path.join(work, "kubeadm-36");
    mkdirSync(stubs, { recursive: true });
    writeFileSync(path.join(stubs, "kubeadm"), '#!/usr/bin/env bash\n[[ "$1 $2 $3" == "config images list" ]] || exit 1\nfor i in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do echo "registry.k8s.io/$i:$5"; done\necho registry.k8s.io/coredns/coredns:v1.13.1\necho registry.k8s.io/pause:3.10.2\necho registry.k8s.io/etcd:3.6.6-0\n');
    chmodSync(path.join(stubs, "kubeadm"), 0o755);
    const dataDir = path.join(work, "other-minor-data");
    const refused = await restore(["--data-dir", dataDir, "--name", "node-0", "--peer-url", etcd.peerUrl], { ...nodeEnv, PATH: `${stubs}:${process.env.PATH}` });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("etcd runs 3.6.6-0 but kubeplane's etcd tools are 3.4.23 (another minor)");
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("kubeplane etcd list and restore against the same bucket", () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, emulator.env));
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  const definition = () => ({ ...exampleDefinition("dev"), name: CLUSTER, region: REGION }) as ClusterDefinition;
  const lines = { out: [] as string[], err: [] as string[] };
  const deps = (): EtcdDeps => ({ definition: async () => definition(), out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) });

  test("list finds the bucket by its name and shows each snapshot with what the node recorded", async () => {
    const runtime = new AwsBackupRuntime(definition());
    const snapshots = await runtime.snapshots();
    const ours = snapshots.find((s) => s.key.endsWith(`${INSTANCE}.db`))!;
    expect(ours).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), kubernetesVersion: "1.36.5", instanceId: INSTANCE, revision: expect.any(Number) });
    expect(runtime.location).toBe(`s3://${BUCKET}`);
    expect(await etcdListMain(CLUSTER, deps())).toBe(0);
    expect(lines.out[0]).toMatch(/^SNAPSHOT\s+TAKEN \(UTC\)\s+SIZE\s+REVISION\s+KUBERNETES\s+SHA-256$/);
    expect(lines.out.some((l) => l.startsWith(ours.key) && l.includes("1.36.5"))).toBe(true);
    // The snapshot put there without metadata (the "recent" one) is listed as not restorable.
    expect(lines.out.some((l) => l.includes("i-0recent") && l.endsWith("none: not restorable"))).toBe(true);
  });

  test("restore writes the request the first control-plane node reads (bootstrap.sh restore_wanted), and refuses what it cannot verify", async () => {
    const chosen = (await new AwsBackupRuntime(definition()).snapshots()).find((s) => s.key.endsWith(`${INSTANCE}.db`))!;
    lines.out.length = 0;
    expect(await etcdRestoreMain(CLUSTER, { snapshot: chosen.key.replace("etcd/", "") }, deps())).toBe(0);
    const request = JSON.parse(await aws(["ssm", "get-parameter", "--name", `/kubeplane/${CLUSTER}/cluster/restore`, "--query", "Parameter.Value", "--output", "text"]));
    expect(request).toMatchObject({ version: 1, snapshot: chosen.key, sha256: chosen.sha256 });
    const tags = await awsJson<{ TagList: { Key: string; Value: string }[] }>(["ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", `/kubeplane/${CLUSTER}/cluster/restore`]);
    expect(tags.TagList).toContainEqual({ Key: "kubeplane:cluster", Value: CLUSTER });
    expect(lines.out.join("\n")).toContain(`kubeplane deploy ${CLUSTER}-cluster --auto-approve`);

    const recent = (await new AwsBackupRuntime(definition()).snapshots()).find((s) => s.key.includes("i-0recent"))!;
    await expect(etcdRestoreMain(CLUSTER, { snapshot: recent.key }, deps())).rejects.toThrow(/carries no SHA-256 .* it cannot be verified, so it is not restored/);
    await expect(etcdRestoreMain(CLUSTER, { snapshot: "20000101T000000Z-i-0nope.db" }, deps())).rejects.toThrow(/no snapshot "20000101T000000Z-i-0nope.db" in s3:\/\/kp-etcdtest/);
  });
});

describe("with etcd 3.6's tools: the offline snapshot commands are etcdutl's", () => {
  // kubeadm's etcd for Kubernetes 1.35 and 1.36 is 3.6 (definition/kubernetes-versions.ts
  // etcdMinor; the stub kubeadm's image list says 3.6.6-0 for 1.36), and the node downloads etcd
  // 3.6.14's release for it (bootstrap/etcd-tools.ts). etcd 3.5 deprecated `etcdctl snapshot
  // status` and `restore` for etcdutl's (etcd-io/etcd v3.5.21 etcdctl/ctlv3/command/
  // snapshot_command.go: "Deprecated: Use `etcdutl snapshot status` instead."); 3.6's etcdctl has
  // only `snapshot save` (v3.6.5, same file). No 3.5+ binary runs here (Debian ships 3.4.23), so
  // this release holds stand-ins: Debian's etcdctl 3.4 behind the interfaces of 3.6.
  // `etcdutl snapshot status -w json` prints etcdutl/snapshot/v3_snapshot.go Status (hash,
  // revision, totalKey, totalSize, and version, the snapshot's storage version, new in 3.6) and
  // `etcdutl snapshot restore` takes --data-dir, --name, --initial-cluster,
  // --initial-advertise-peer-urls (v3.6.5 etcdutl/etcdutl/snapshot_command.go); the etcdctl
  // refuses the offline commands, as 3.6's lacks them, and its endpoint status reports the
  // server as a 3.6.6 (the field etcdctl/ctlv3/command/printer_json.go prints from the
  // StatusResponse's version). What this proves: the scripts install etcd 3.6's release layout,
  // call etcdutl for the offline commands, with flags and output 3.6 has. What it does not: a 3.6
  // binary's own behaviour.
  test("the snapshot and the restore use the release's etcdutl, parse its 3.6 output, and etcd has the keys back", async () => {
    const calls = path.join(work, "etcd36-calls");
    writeFileSync(calls, "");
    const release = buildEtcdRelease(path.join(work, "etcd36"), "3.6.14", {
      etcdutl: {
        script:
          `#!/usr/bin/env bash\nset -euo pipefail\necho "etcdutl $*" >>${calls}\n` +
          `if [[ $1 == snapshot && $2 == status ]]; then\n  ETCDCTL_API=3 /usr/bin/etcdctl snapshot status "$3" -w json | jq -c '. + {version: "3.6.0"}'\n` +
          `elif [[ $1 == snapshot && $2 == restore ]]; then\n  ETCDCTL_API=3 /usr/bin/etcdctl "$@"\nelse echo "stub etcdutl: unexpected $*" >&2; exit 2; fi\n`,
      },
      etcdctl: {
        script:
          `#!/usr/bin/env bash\nset -euo pipefail\nif [[ " $* " == *" snapshot status "* || " $* " == *" snapshot restore "* ]]; then echo "etcdctl $*" >>${calls}; echo "Error: etcd 3.6's etcdctl has no snapshot status/restore" >&2; exit 1; fi\n` +
          `if [[ " $* " == *" endpoint status "* ]]; then /usr/bin/etcdctl "$@" | jq -c 'map(.Status.version = "3.6.6")'; exit; fi\nexec /usr/bin/etcdctl "$@"\n`,
      },
    });
    useEtcdRelease(root, release, releases.add(release));
    try {
      // The bucket now also holds names that only look like snapshots' (second 60: the garbage one
      // above): the retention step leaves them alone instead of failing the backup.
      const taken = await snapshot();
      expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("uploaded etcd/") });
      expect(taken.stderr).toContain(`installed etcd 3.6.14's etcdctl and etcdutl (sha256 ${release.sha256})`);
      expect(readdirSync(etcdToolsDir(root, "3.6.14")).sort()).toEqual(["etcdctl", "etcdutl"]);
      const key = /uploaded (etcd\/\S+\.db) \(revision (\d+), (\d+) keys/.exec(taken.stderr)!;
      expect(Number(key[3])).toBeGreaterThanOrEqual(20);
      const dataDir = path.join(work, "etcd36-data");
      const restored = await restore(["--snapshot", key[1], "--data-dir", dataDir, "--name", "node-0", "--peer-url", "http://127.0.0.1:2380"]);
      expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`restored ${key[1]}`) });
      const lines = readFileSync(calls, "utf8").trim().split("\n");
      expect(lines.every((l) => l.startsWith("etcdutl snapshot "))).toBe(true);
      expect(lines.filter((l) => l.startsWith("etcdutl snapshot status")).length).toBe(2);
      expect(lines).toContainEqual(expect.stringMatching(/^etcdutl snapshot restore \S+ --data-dir \S+\.restoring\.\d+ --name node-0 --initial-cluster node-0=http:\/\/127\.0\.0\.1:2380 --initial-advertise-peer-urls http:\/\/127\.0\.0\.1:2380$/));
      const restoredEtcd = new RealEtcd(dataDir, await freePort(), await freePort());
      await restoredEtcd.start();
      try {
        expect((await restoredEtcd.ctl(["get", "/registry/test/key-7", "--print-value-only"])).stdout.trim()).toBe("value-7");
      } finally {
        await restoredEtcd.stop();
      }
    } finally {
      useDebianEtcd();
    }
  });

  test("a 3.6 release without etcdutl is refused: nothing installed", async () => {
    const release = buildEtcdRelease(path.join(work, "etcd36-no-etcdutl"), "3.6.14", { etcdctl: { copyOf: "/usr/bin/etcdctl" } });
    useEtcdRelease(root, release, releases.add(release));
    try {
      const failed = await snapshot();
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain(`etcd 3.6.14's release from ${releases.add(release)} holds no etcdutl: nothing installed`);
      expect(existsSync(etcdToolsDir(root, "3.6.14"))).toBe(false);
    } finally {
      useDebianEtcd();
    }
  });
});
