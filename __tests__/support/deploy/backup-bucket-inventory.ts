/**
 * A deployed cluster's backup bucket (providers/aws/aws-backup-bucket.ts) as the emulator's S3,
 * KMS and IAM report it, for the deploy loop's assertions (issue 15): its settings, who may use it,
 * and whether it (and its key) outlived a destroy.
 */
import type { ClusterDefinition } from "../../../definition";
import { backupBucketName } from "../../../providers/aws/aws-backup-bucket";
import type { EmulatorInventory } from "./emulator-inventory";

/** The emulator's account (moto's default). */
const ACCOUNT = "123456789012";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const backupBucketOf = (definition: ClusterDefinition) => backupBucketName(definition.name, ACCOUNT, definition.region);

/** Whether the bucket exists (S3's HeadBucket). */
export async function bucketExists(inventory: EmulatorInventory, bucket: string): Promise<boolean> {
  const listed = await inventory.aws("s3api", "list-buckets");
  return (listed.Buckets ?? []).some((b: Json) => b.Name === bucket);
}

/** The cluster's backup key: its alias `alias/kubeplane/<cluster>/backups`, and the key's ARN and state. */
export async function backupKey(inventory: EmulatorInventory, cluster: string): Promise<{ alias?: Json; key?: Json }> {
  const alias = (await inventory.aws("kms", "list-aliases")).Aliases.find((a: Json) => a.AliasName === `alias/kubeplane/${cluster}/backups`);
  if (!alias) return {};
  return { alias, key: (await inventory.aws("kms", "describe-key", "--key-id", alias.TargetKeyId)).KeyMetadata };
}

/** The bucket's settings, each as S3 answers for it. */
export async function backupBucketSettings(inventory: EmulatorInventory, bucket: string) {
  const s3 = (operation: string) => inventory.aws("s3api", operation, "--bucket", bucket);
  return {
    versioning: (await s3("get-bucket-versioning")).Status,
    encryption: (await s3("get-bucket-encryption")).ServerSideEncryptionConfiguration.Rules.map((r: Json) => r.ApplyServerSideEncryptionByDefault),
    publicAccessBlock: (await s3("get-public-access-block")).PublicAccessBlockConfiguration,
    policy: JSON.parse((await s3("get-bucket-policy")).Policy),
    lifecycle: (await s3("get-bucket-lifecycle-configuration")).Rules,
  };
}

/** The inline policies of every role of the cluster that name the bucket, by role name. */
export async function rolesGrantingBucket(inventory: EmulatorInventory, cluster: string, bucket: string): Promise<Record<string, Json[]>> {
  const granted: Record<string, Json[]> = {};
  for (const role of await inventory.roles(cluster)) {
    const names = (await inventory.aws("iam", "list-role-policies", "--role-name", role.RoleName)).PolicyNames as string[];
    for (const name of names) {
      const document = (await inventory.aws("iam", "get-role-policy", "--role-name", role.RoleName, "--policy-name", name)).PolicyDocument;
      // The bucket's own ARN or one under it (not another bucket whose name starts with this one's).
      const names = (s: Json) => [s.Resource].flat().some((r: string) => r === `arn:aws:s3:::${bucket}` || r.startsWith(`arn:aws:s3:::${bucket}/`));
      const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]).filter(names);
      if (statements.length) granted[role.RoleName] = statements;
    }
  }
  return granted;
}
