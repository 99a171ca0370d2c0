/**
 * What a cluster's nodes write to SSM Parameter Store at run time, written into the emulator with
 * the aws CLI exactly as the node scripts write it (bootstrap/node/backends/ssm.sh), so that the
 * deploy-loop suites can check that `destroy` removes it:
 *
 * - the worker join lease: `backend_put` (put-parameter --type SecureString --key-id <the
 *   cluster's KMS key ARN, KUBEPLANE_KMS_KEY_ID> --overwrite --value file://...), holding a
 *   version-1 lease as `lease_new` (bootstrap/node/lease.sh) makes it; tagged
 *   `kubeplane:cluster=<name>` afterwards with add-tags-to-resource, since SSM refuses tags on an
 *   overwriting put-parameter;
 * - the rotation lock (refresh-join-lease.sh, `$KUBEPLANE_PARAMETER_PATH/join/rotation-lock`,
 *   "<instance id> <expiry epoch>") and the cluster claim (`cluster/claim`): `backend_create`
 *   (put-parameter --type String, no overwrite), tagged on creation;
 * - a node's status (`status/<instance id>`): `backend_record` (put-parameter --type String
 *   --overwrite), tagged afterwards;
 * - one untagged leftover: the control-plane join lease as today's `backend_put` writes it,
 *   before nodes tagged what they write.
 */
import { rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { EmulatorInventory } from "./emulator-inventory";

const CLUSTER_TAG = "kubeplane:cluster";

/** What simulateNodeWrites wrote, by kind. */
export interface NodeWrites {
  readonly secure: readonly string[];
  readonly plain: readonly string[];
  readonly untagged: readonly string[];
  readonly all: readonly string[];
}

function leaseFile(instanceId: string): string {
  const createdAt = Math.floor(Date.now() / 1000);
  // lease_new's document; the value travels in a private file, as backend_put sends it.
  const lease = {
    version: 1,
    installer: "kubeadm",
    command: "kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:" + "0".repeat(64),
    createdAt,
    expiresAt: createdAt + 3600,
    createdBy: instanceId,
  };
  const file = path.join(os.tmpdir(), `kubeplane-lease-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(lease), { mode: 0o600 });
  return file;
}

/**
 * Writes a cluster's run-time parameters under `/kubeplane/<cluster>/` as its nodes would, the
 * SecureStrings under `kmsKeyArn` (the cluster's key). Returns the names written.
 */
export async function simulateNodeWrites(inventory: EmulatorInventory, cluster: string, kmsKeyArn: string): Promise<NodeWrites> {
  const base = `/kubeplane/${cluster}`;
  const instanceId = "i-0123456789abcdef0";
  const tag = `Key=${CLUSTER_TAG},Value=${cluster}`;
  const backendPut = async (name: string) => {
    const file = leaseFile(instanceId);
    try {
      await inventory.aws("ssm", "put-parameter", "--name", name, "--type", "SecureString", "--key-id", kmsKeyArn, "--overwrite", "--value", `file://${file}`);
    } finally {
      rmSync(file, { force: true });
    }
  };
  const tagParameter = (name: string) => inventory.aws("ssm", "add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", name, "--tags", tag);
  const backendCreate = (name: string, value: string) => inventory.aws("ssm", "put-parameter", "--name", name, "--type", "String", "--value", value, "--tags", tag);

  const worker = `${base}/join/worker`;
  await backendPut(worker);
  await tagParameter(worker);

  const plain = [`${base}/join/rotation-lock`, `${base}/cluster/claim`, `${base}/status/${instanceId}`];
  await backendCreate(plain[0], `${instanceId} ${Math.floor(Date.now() / 1000) + 300}`);
  await backendCreate(plain[1], instanceId);
  // backend_record: a String, overwritten, then tagged (as backend_put).
  await inventory.aws("ssm", "put-parameter", "--name", plain[2], "--type", "String", "--overwrite", "--value", "ready");
  await tagParameter(plain[2]);

  const untagged = `${base}/join/control-plane`;
  await backendPut(untagged);
  return { secure: [worker, untagged], plain, untagged: [untagged], all: [worker, untagged, ...plain].sort() };
}

/** Another cluster's parameter (`/kubeplane/<other>/join/worker`), which a destroy must not touch. */
export async function writeOtherClusterParameter(inventory: EmulatorInventory, other: string): Promise<{ name: string; value: string }> {
  const name = `/kubeplane/${other}/join/worker`;
  const value = `lease of ${other}`;
  await inventory.aws("ssm", "put-parameter", "--name", name, "--type", "String", "--value", value, "--tags", `Key=${CLUSTER_TAG},Value=${other}`);
  return { name, value };
}
