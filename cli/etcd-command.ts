/**
 * `kubeplane etcd list <cluster>` and `kubeplane etcd restore <cluster> [--snapshot KEY]`
 * (issue 15): the cluster's etcd snapshots in its backup store, and the restore request that the
 * next first control-plane node acts on (bootstrap/node/bootstrap.sh restore_wanted: it restores
 * etcd and the PKI with kubeplane-etcd-restore, then runs kubeadm init over them).
 */
import type { ClusterDefinition } from "../definition";
import { backupRuntimeFor, type BackupRuntime, type SnapshotInfo } from "../providers/backup-store";

/** What the etcd commands use. */
export interface EtcdDeps {
  /** The definition of the cluster named (throws naming the known ones). */
  readonly definition: (name: string) => Promise<ClusterDefinition>;
  /** @default backupRuntimeFor */
  readonly runtime?: (definition: ClusterDefinition) => Promise<BackupRuntime>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const runtimeOf = (deps: EtcdDeps, d: ClusterDefinition) => (deps.runtime ?? backupRuntimeFor)(d);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The snapshots as a table, oldest first: KEY, TAKEN (UTC), SIZE, REVISION, KUBERNETES, SHA-256. */
export function snapshotTable(snapshots: readonly SnapshotInfo[]): string[] {
  const rows = [
    ["SNAPSHOT", "TAKEN (UTC)", "SIZE", "REVISION", "KUBERNETES", "SHA-256"],
    ...snapshots.map((s) => [
      s.key,
      s.time.toISOString().replace(/\.\d+Z$/, "Z"),
      mib(s.sizeBytes),
      s.revision !== undefined ? String(s.revision) : "-",
      s.kubernetesVersion ?? "-",
      s.sha256 ? s.sha256.slice(0, 12) : "none: not restorable",
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
}

/** `kubeplane etcd list <cluster>`: 0, or 1 when there is no snapshot (said so). */
export async function etcdListMain(cluster: string, deps: EtcdDeps): Promise<number> {
  const definition = await deps.definition(cluster);
  const runtime = await runtimeOf(deps, definition);
  const snapshots = await runtime.snapshots();
  if (snapshots.length === 0) {
    deps.err(`kubeplane etcd list: no snapshot of ${cluster} in ${runtime.location} yet (the control plane takes one every ${definition.backups.interval})`);
    return 1;
  }
  for (const line of snapshotTable(snapshots)) deps.out(line);
  return 0;
}

/** The snapshot `wanted` names (its key, its file name, or `latest`), or a clear error. */
export function chooseSnapshot(snapshots: readonly SnapshotInfo[], wanted: string | undefined, where: string): SnapshotInfo {
  const restorable = snapshots.filter((s) => s.sha256);
  if (!wanted || wanted === "latest") {
    const latest = restorable[restorable.length - 1];
    if (!latest) throw new Error(`no restorable snapshot in ${where} (none carries the SHA-256 kubeplane-etcd-snapshot records)`);
    return latest;
  }
  const found = snapshots.find((s) => s.key === wanted || s.key.endsWith(`/${wanted}`));
  if (!found) throw new Error(`no snapshot "${wanted}" in ${where}; kubeplane etcd list shows them`);
  if (!found.sha256) throw new Error(`snapshot ${found.key} carries no SHA-256 (not uploaded by kubeplane-etcd-snapshot): it cannot be verified, so it is not restored`);
  return found;
}

/** `kubeplane etcd restore <cluster> [--snapshot KEY]`: writes the request and prints the runbook's next steps. */
export async function etcdRestoreMain(cluster: string, options: { snapshot?: string }, deps: EtcdDeps): Promise<number> {
  const definition = await deps.definition(cluster);
  const runtime = await runtimeOf(deps, definition);
  const chosen = chooseSnapshot(await runtime.snapshots(), options.snapshot, runtime.location);
  await runtime.requestRestore(chosen);
  const ha = definition.controlPlane.count > 1;
  deps.out(`kubeplane etcd restore: ${cluster} will be restored from ${chosen.key} (revision ${chosen.revision ?? "?"}, sha256 ${chosen.sha256})`);
  deps.out(`  the request is in the cluster's parameter backend (cluster/restore); the next first control-plane node (node-0) acts on it:`);
  deps.out(`  it verifies the snapshot, restores etcd and the cluster's PKI, runs kubeadm init over them and removes the request.`);
  deps.out(`Next:`);
  if (ha) {
    deps.out(`  1. terminate every control-plane instance of ${cluster} (an HA restore starts from one member: etcd's documented procedure)`);
    deps.out(`  2. kubeplane deploy ${cluster}-cluster --auto-approve   (re-creates them: node-0 restores, the others join it)`);
  } else {
    deps.out(`  1. terminate the control-plane instance of ${cluster} if it still runs`);
    deps.out(`  2. kubeplane deploy ${cluster}-cluster --auto-approve   (re-creates node-0, which restores)`);
  }
  deps.out(`  3. kubeplane validate ${cluster} --wait 20m`);
  return 0;
}
