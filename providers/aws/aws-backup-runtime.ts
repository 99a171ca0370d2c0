/**
 * The run-time side of AWS's backup store (aws-backup-bucket.ts) for `kubeplane etcd list` and
 * `etcd restore`: the bucket `kp-<cluster>-<account>-<region>` found among the account's buckets
 * (ListBuckets: no STS client needed), its snapshots under `etcd/` with what the node recorded
 * (HeadObject's metadata: sha256, revision, kubernetes-version, instance-id), and the restore
 * request written to the cluster's parameter backend (SSM or Secrets Manager, as the definition's
 * joinTokens.backend), tagged with the cluster so that destroy removes it.
 *
 * The SDK clients are loaded only when a command runs; they take the region from the definition
 * and everything else (AWS_ENDPOINT_URL, credentials, retries) from the environment.
 */
import type { ClusterDefinition } from "../../definition";
import { SNAPSHOT_PREFIX, type BackupRuntime, type SnapshotInfo } from "../backup-store";
import { secretPath } from "./secrets-manager-parameter-backend";
import { parameterPath } from "./ssm-parameter-backend";
import { CLUSTER_TAG } from "./tags";

/** The restore request's name under the cluster's parameter path (bootstrap.sh restore_wanted). */
export const RESTORE_REQUEST = "cluster/restore";

export class AwsBackupRuntime implements BackupRuntime {
  location: string;
  private bucket?: string;

  constructor(private readonly definition: ClusterDefinition) {
    this.location = `the backup bucket of ${definition.name} (kp-${definition.name}-<account>-${definition.region})`;
  }

  private async s3() {
    const sdk = await import("@aws-sdk/client-s3");
    // Path-style addressing works against every endpoint (an emulator's included); S3 serves both.
    return { sdk, client: new sdk.S3Client({ region: this.definition.region, forcePathStyle: true }) };
  }

  private async bucketName(): Promise<string> {
    if (this.bucket) return this.bucket;
    const { sdk, client } = await this.s3();
    const pattern = new RegExp(`^kp-${this.definition.name}-\\d{12}-${this.definition.region}$`);
    const listed = await client.send(new sdk.ListBucketsCommand({}));
    const found = (listed.Buckets ?? []).map((b) => b.Name ?? "").filter((n) => pattern.test(n));
    if (found.length === 0) throw new Error(`no backup bucket for cluster ${this.definition.name} in ${this.definition.region} (kp-${this.definition.name}-<account>-${this.definition.region}): is the cluster stack deployed with backups.enabled?`);
    if (found.length > 1) throw new Error(`more than one backup bucket matches cluster ${this.definition.name}: ${found.join(", ")}`);
    this.bucket = found[0];
    this.location = `s3://${found[0]}`;
    return found[0];
  }

  async snapshots(): Promise<SnapshotInfo[]> {
    const bucket = await this.bucketName();
    const { sdk, client } = await this.s3();
    const objects: { Key?: string; LastModified?: Date; Size?: number }[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: SNAPSHOT_PREFIX, ...(token ? { ContinuationToken: token } : {}) }));
      objects.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const infos = await Promise.all(
      objects
        .filter((o) => o.Key?.endsWith(".db"))
        .map(async (o): Promise<SnapshotInfo> => {
          const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: o.Key! }));
          const meta = head.Metadata ?? {};
          return {
            key: o.Key!,
            time: o.LastModified ?? new Date(0),
            sizeBytes: o.Size ?? 0,
            sha256: meta.sha256,
            revision: meta.revision !== undefined ? Number(meta.revision) : undefined,
            kubernetesVersion: meta["kubernetes-version"],
            instanceId: meta["instance-id"],
          };
        }),
    );
    // Keys start with the UTC time they were taken: name order is time order.
    return infos.sort((a, b) => a.key.localeCompare(b.key));
  }

  async requestRestore(snapshot: SnapshotInfo): Promise<void> {
    const value = JSON.stringify({ version: 1, snapshot: snapshot.key, sha256: snapshot.sha256, requestedAt: Math.floor(Date.now() / 1000) });
    const tags = [{ Key: CLUSTER_TAG, Value: this.definition.name }];
    if (this.definition.joinTokens.backend === "secretsmanager") {
      const sdk = await import("@aws-sdk/client-secrets-manager");
      const client = new sdk.SecretsManagerClient({ region: this.definition.region });
      const name = `${secretPath(this.definition.name)}/${RESTORE_REQUEST}`;
      try {
        await client.send(new sdk.CreateSecretCommand({ Name: name, SecretString: value, Tags: tags }));
      } catch (e) {
        if ((e as { name?: string }).name !== "ResourceExistsException") throw e;
        await client.send(new sdk.PutSecretValueCommand({ SecretId: name, SecretString: value }));
      }
      return;
    }
    const sdk = await import("@aws-sdk/client-ssm");
    const client = new sdk.SSMClient({ region: this.definition.region });
    const name = `${parameterPath(this.definition.name)}/${RESTORE_REQUEST}`;
    await client.send(new sdk.PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true }));
    await client.send(new sdk.AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: name, Tags: tags }));
  }
}
