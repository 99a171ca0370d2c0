/**
 * AWS's backup store: one S3 bucket per cluster for its etcd snapshots (`etcd/`) and its PKI
 * (`pki/`), written at run time by the control plane (bootstrap/node/etcd-store/s3.sh), never
 * by Terraform.
 *
 * - versioned (an overwritten or deleted object can be brought back), encrypted by default with a
 *   KMS key of its own, usable only by the control-plane role and only through S3;
 * - every kind of public access blocked; a bucket policy that refuses requests without TLS and
 *   refuses the cluster's other node roles outright;
 * - snapshots expire after `retentionDays` (a lifecycle rule), older versions of anything after
 *   the same time, unfinished uploads after a day;
 * - the control-plane role may list, read and write under `etcd/` and `pki/` and delete under
 *   `etcd/` (the node prunes expired snapshots at once); no other node role gets anything.
 * Rules KP-S3-1..3 hold it like every bucket.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import type { BackupNodeConfig } from "../../bootstrap/user-data-context";
import { BackupStore, BackupStoreProps, PKI_PREFIX, SNAPSHOT_PREFIX } from "../backup-store";
import { BACKUP_RETENTION_MAX_DAYS } from "../../definition/schema";
import { asAwsIdentity } from "./aws-identity";
import { KEY_ADMINISTRATION_ACTIONS } from "./ssm-parameter-backend";
import { blockPublicAccess, denyWithoutTls } from "./s3-bucket-hardening";

/** The tag that says what a bucket is for (the CLI and audits find the backup bucket by it too). */
export const BACKUP_BUCKET_PURPOSE = { key: "kubeplane:purpose", value: "etcd-backups" } as const;

/**
 * The backup bucket's name: `kp-<cluster>-<account>-<region>`, unique per account and region
 * (S3 names are global) and computable by the CLI from the definition and the caller's account.
 * At most 3 + 28 + 1 + 12 + 1 + 14 = 59 characters for AWS's longest cluster name and region.
 */
export function backupBucketName(clusterName: string, account: string, region: string): string {
  return `kp-${clusterName}-${account}-${region}`;
}

/** The node-side settings of a backup bucket (bootstrap/node/etcd-store/s3.sh reads them). */
export function backupNodeSettings(bucket: string, region: string): BackupNodeConfig {
  return {
    kind: "s3",
    settings: { KUBEPLANE_BACKUP_BUCKET: bucket, KUBEPLANE_BACKUP_REGION: region, KUBEPLANE_BACKUP_SNAPSHOT_PREFIX: SNAPSHOT_PREFIX, KUBEPLANE_BACKUP_PKI_PREFIX: PKI_PREFIX },
  };
}

/** Properties of AwsBackupBucket: those of every backup store. */
export type AwsBackupBucketProps = BackupStoreProps;

/** See the file's comment. */
export class AwsBackupBucket extends Construct implements BackupStore {
  readonly name: string;
  readonly snapshotPrefix = SNAPSHOT_PREFIX;
  readonly pkiPrefix = PKI_PREFIX;
  readonly nodeConfig: BackupNodeConfig;
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  /** The control-plane role's grant (its policy document, for tests and rules). */
  readonly controlPlanePolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: AwsBackupBucketProps) {
    super(scope, id);
    const where = `AwsBackupBucket ${this.node.path}`;
    if (!props.clusterName) throw new Error(`${where}: clusterName is empty`);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1 || props.retentionDays > BACKUP_RETENTION_MAX_DAYS) {
      throw new Error(`${where}: retentionDays must be a whole number of days from 1 to ${BACKUP_RETENTION_MAX_DAYS}, got ${props.retentionDays}`);
    }
    const controlPlane = asAwsIdentity(props.controlPlane, `${where}: controlPlane`);
    const others = (props.otherNodes ?? []).map((o, i) => asAwsIdentity(o, `${where}: otherNodes[${i}]`));
    const keep = props.keepOnDestroy ?? true;
    const name = props.clusterName;

    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = new DataAwsRegion(this, "region").name;

    this.key = new KmsKey(this, "key", {
      description: `kubeplane ${name}: encrypts the cluster's etcd snapshots and PKI`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" },
          {
            Sid: "ControlPlaneUsesKeyThroughS3",
            Effect: "Allow",
            Principal: { AWS: controlPlane.role.arn },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
          },
        ],
      }),
    });
    new KmsAlias(this, "key-alias", { name: `alias/kubeplane/${name}/backups`, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: backupBucketName(name, account, region),
      // Kept: destroy leaves the bucket (and says so); otherwise it empties it, every version.
      forceDestroy: !keep,
      tags: { [BACKUP_BUCKET_PURPOSE.key]: BACKUP_BUCKET_PURPOSE.value },
    });
    this.name = this.bucket.bucket;
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn } }],
    });
    const publicAccess = blockPublicAccess(this, this.bucket);
    new S3BucketLifecycleConfiguration(this, "retention", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "snapshots-expire",
          status: "Enabled",
          filter: [{ prefix: SNAPSHOT_PREFIX }],
          expiration: [{ days: props.retentionDays }],
        },
        {
          id: "old-versions-expire",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [publicAccess],
    });
    const objects = `${this.bucket.arn}/*`;
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          denyWithoutTls(this.bucket),
          ...(others.length > 0
            ? [{ Sid: "DenyOtherNodes", Effect: "Deny", Principal: { AWS: others.map((o) => o.role.arn) }, Action: "s3:*", Resource: [this.bucket.arn, objects] }]
            : []),
        ],
      }),
      // S3 refuses a bucket policy while the public access block is being put (409 OperationAborted).
      dependsOn: [publicAccess],
    });

    this.controlPlanePolicy = new IamRolePolicy(this, "control-plane-policy", {
      name: "kubeplane-etcd-backups",
      role: controlPlane.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ListBackups",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [this.bucket.arn],
            Condition: { StringLike: { "s3:prefix": [`${SNAPSHOT_PREFIX}*`, `${PKI_PREFIX}*`] } },
          },
          { Sid: "ReadWriteBackups", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${this.bucket.arn}/${SNAPSHOT_PREFIX}*`, `${this.bucket.arn}/${PKI_PREFIX}*`] },
          // Pruning expired snapshots: a delete marker (older versions stay until the lifecycle expires them).
          { Sid: "PruneSnapshots", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${this.bucket.arn}/${SNAPSHOT_PREFIX}*`] },
          { Sid: "BackupEncryption", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [this.key.arn], Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } } },
        ],
      }),
    });
    this.nodeConfig = backupNodeSettings(this.bucket.bucket, region);
  }
}
