/** kubeplane etcd list|restore (cli/etcd-command.ts) against a stand-in backup store. */
import { chooseSnapshot, etcdListMain, etcdRestoreMain, EtcdDeps, snapshotTable } from "../../../cli/etcd-command";
import type { BackupRuntime, SnapshotInfo } from "../../../providers/backup-store";
import { exampleDefinition } from "../../support/examples";

const sha = (c: string) => c.repeat(64);
const SNAPSHOTS: SnapshotInfo[] = [
  { key: "etcd/20261201T220000Z-i-0aaa.db", time: new Date("2026-12-01T22:00:01Z"), sizeBytes: 3 * 1024 * 1024, sha256: sha("a"), revision: 100, kubernetesVersion: "1.36.5", instanceId: "i-0aaa" },
  { key: "etcd/20261201T230000Z-i-0bbb.db", time: new Date("2026-12-01T23:00:01Z"), sizeBytes: 4 * 1024 * 1024, sha256: sha("b"), revision: 180, kubernetesVersion: "1.36.5", instanceId: "i-0bbb" },
  { key: "etcd/20261202T000000Z-i-0ccc.db", time: new Date("2026-12-02T00:00:01Z"), sizeBytes: 1024 },
];

function harness(definitionName: "dev" | "prod", snapshots = SNAPSHOTS) {
  const requested: SnapshotInfo[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const runtime: BackupRuntime = { location: "s3://kp-x", snapshots: async () => snapshots, requestRestore: async (s) => void requested.push(s) };
  const deps: EtcdDeps = { definition: async () => exampleDefinition(definitionName), runtime: async () => runtime, out: (l) => out.push(l), err: (l) => err.push(l) };
  return { deps, requested, out, err };
}

test("the table lists every snapshot, and says which cannot be restored", () => {
  expect(snapshotTable(SNAPSHOTS)).toEqual([
    "SNAPSHOT                         TAKEN (UTC)           SIZE     REVISION  KUBERNETES  SHA-256",
    "etcd/20261201T220000Z-i-0aaa.db  2026-12-01T22:00:01Z  3.0 MiB  100       1.36.5      aaaaaaaaaaaa",
    "etcd/20261201T230000Z-i-0bbb.db  2026-12-01T23:00:01Z  4.0 MiB  180       1.36.5      bbbbbbbbbbbb",
    "etcd/20261202T000000Z-i-0ccc.db  2026-12-02T00:00:01Z  0.0 MiB  -         -           none: not restorable",
  ]);
});

test("latest is the newest snapshot that can be verified; a name or key picks one; others are refused", () => {
  expect(chooseSnapshot(SNAPSHOTS, undefined, "s3://kp-x").key).toBe("etcd/20261201T230000Z-i-0bbb.db");
  expect(chooseSnapshot(SNAPSHOTS, "latest", "s3://kp-x").key).toBe("etcd/20261201T230000Z-i-0bbb.db");
  expect(chooseSnapshot(SNAPSHOTS, "20261201T220000Z-i-0aaa.db", "s3://kp-x").key).toBe("etcd/20261201T220000Z-i-0aaa.db");
  expect(() => chooseSnapshot(SNAPSHOTS, "etcd/20261202T000000Z-i-0ccc.db", "s3://kp-x")).toThrow(/carries no SHA-256/);
  expect(() => chooseSnapshot(SNAPSHOTS, "nope.db", "s3://kp-x")).toThrow('no snapshot "nope.db" in s3://kp-x; kubeplane etcd list shows them');
  expect(() => chooseSnapshot([SNAPSHOTS[2]], undefined, "s3://kp-x")).toThrow(/no restorable snapshot in s3:\/\/kp-x/);
});

test("list exits 1 and says so when there is no snapshot yet", async () => {
  const h = harness("dev", []);
  expect(await etcdListMain("dev", h.deps)).toBe(1);
  expect(h.err).toEqual(["kubeplane etcd list: no snapshot of dev in s3://kp-x yet (the control plane takes one every 1h)"]);
});

test("restore requests the chosen snapshot and gives the runbook's next steps, HA or not", async () => {
  const single = harness("dev");
  expect(await etcdRestoreMain("dev", {}, single.deps)).toBe(0);
  expect(single.requested.map((s) => s.key)).toEqual(["etcd/20261201T230000Z-i-0bbb.db"]);
  expect(single.out.join("\n")).toMatch(/1\. terminate the control-plane instance of dev if it still runs\n {2}2\. kubeplane deploy dev-cluster --auto-approve/);
  const ha = harness("prod");
  expect(await etcdRestoreMain("prod", { snapshot: "20261201T220000Z-i-0aaa.db" }, ha.deps)).toBe(0);
  expect(ha.out.join("\n")).toContain("terminate every control-plane instance of prod");
  const refused = harness("dev");
  await expect(etcdRestoreMain("dev", { snapshot: "etcd/20261202T000000Z-i-0ccc.db" }, refused.deps)).rejects.toThrow(/cannot be verified/);
  expect(refused.requested).toEqual([]);
});
