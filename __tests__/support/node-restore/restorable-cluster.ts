/**
 * What the restore scenarios (node-restore.test.ts) add to the node simulation: the cluster's
 * backup bucket in the emulator's S3, control-plane nodes launched with `backups` in their user
 * data (as the stacks render it when `backups.enabled`), with the restore-aware kubeadm in front
 * of the shared stub (./kubeadm) and etcd 3.4.23's release holding Debian's etcdctl as their etcd
 * tools (the etcd the scenarios run; the stub curl serves it at etcd's GitHub release URL), and
 * terminating an instance as an operator does.
 */
import { createHash, X509Certificate } from "crypto";
import { mkdirSync, symlinkSync, unlinkSync } from "fs";
import * as path from "path";
import { renderUserData } from "../../../bootstrap/user-data";
import type { NodeRole } from "../../../bootstrap/user-data-context";
import { etcdToolsUrl } from "../../../bootstrap/etcd-tools";
import { backupBucketName, backupNodeSettings } from "../../../providers/aws/aws-backup-bucket";
import { debianEtcd34, EtcdReleaseFixture, useEtcdRelease } from "../etcd-release";
import { awsJson } from "../node-simulation/aws-cli";
import { SIMULATION_REGION, SimulatedCluster } from "../node-simulation/simulated-cluster";
import type { SimulatedNode } from "../node-simulation/simulated-node";

/** The emulator's account (moto's default). */
export const EMULATOR_ACCOUNT = "123456789012";

export const RESTORE_KUBEADM = path.join(__dirname, "kubeadm");

export const backupBucket = (cluster: SimulatedCluster) => backupBucketName(cluster.name, EMULATOR_ACCOUNT, SIMULATION_REGION);

/** The backup bucket, versioned, as AwsBackupBucket makes it (its other settings are the deploy loop's to prove). */
export async function createBackupBucket(cluster: SimulatedCluster): Promise<string> {
  const bucket = backupBucket(cluster);
  await awsJson(cluster.env, ["s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", `LocationConstraint=${SIMULATION_REGION}`]);
  await awsJson(cluster.env, ["s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled"]);
  return bucket;
}

/** Launches a control-plane node whose user data takes etcd backups into the cluster's bucket. */
export async function launchBackedUp(cluster: SimulatedCluster, role: Exclude<NodeRole, "worker">): Promise<SimulatedNode> {
  const node = await cluster.launch(role);
  node.install(renderUserData({ ...cluster.context(role), backups: { store: backupNodeSettings(backupBucket(cluster), SIMULATION_REGION), interval: "1h", retentionDays: 7 } }));
  const kubeadm = path.join(node.directory, "bin", "kubeadm");
  unlinkSync(kubeadm);
  symlinkSync(RESTORE_KUBEADM, kubeadm);
  const release = etcdRelease(cluster);
  useEtcdRelease(node.root, release, etcdToolsUrl(release));
  return node;
}

const releases = new WeakMap<SimulatedCluster, EtcdReleaseFixture>();

/** Debian's etcd 3.4.23 as an etcd release, built once per cluster where the stub curl serves it (stubs/curl). */
function etcdRelease(cluster: SimulatedCluster): EtcdReleaseFixture {
  let release = releases.get(cluster);
  if (!release) {
    const directory = path.join(cluster.clusterDir, "etcd-releases");
    mkdirSync(directory, { recursive: true });
    release = debianEtcd34(directory);
    releases.set(cluster, release);
  }
  return release;
}

/** Terminates a node's instance (it no longer answers anything). */
export async function terminate(cluster: SimulatedCluster, node: SimulatedNode): Promise<void> {
  await awsJson(cluster.env, ["ec2", "terminate-instances", "--instance-ids", node.instance.instanceId]);
  cluster.stopped.add(node.instance.instanceId);
}

/** kubeadm's --discovery-token-ca-cert-hash of a CA certificate: sha256 of its DER SubjectPublicKeyInfo. */
export function caCertHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}
