/**
 * AWS's node bundle store: one S3 bucket per cluster holding each role's bundle
 * (`bundles/<role>-<sha256>.tar.gz`, written by Terraform; a new content is a new object, so a
 * launch template never points at an archive that changed under it).
 *
 * - versioned, encrypted by default (SSE-S3: nothing in a bundle is secret, bootstrap/bundle.ts
 *   leaves out every file that holds a Terraform reference, and rule KP-SEC-* scans them as user
 *   data), every kind of public access blocked, a bucket policy that refuses requests without TLS;
 * - each node role may read only its own role's bundles (s3:GetObject on `bundles/<role>-*`);
 *   nothing may write but Terraform.
 * Rules KP-S3-1..3 hold it like every bucket.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { Construct } from "constructs";
import { type NodeBundle, type NodeBundleLocation, type NodeBundleProps, validateNodeBundleProps } from "../node-bundle";
import { asAwsIdentity } from "./aws-identity";
import { blockPublicAccess, denyWithoutTls } from "./s3-bucket-hardening";

/** The prefix of the bundles in the bucket. */
export const BUNDLE_PREFIX = "bundles/";
/** The tag that says what the bucket is for. */
export const BUNDLE_BUCKET_PURPOSE = { key: "kubeplane:purpose", value: "node-bundles" } as const;

/**
 * `kp-<cluster>-<account>-<region>-n`: unique per account and region (S3 names are global),
 * apart from the backup bucket (`kp-<cluster>-<account>-<region>`: no region ends in `-n`),
 * under the deployer's `kp-` bucket scope (aws-deployer-policies.ts); at most 3 + 28 + 1 + 12 +
 * 1 + 14 + 2 = 61 characters for AWS's longest cluster name and region (S3 takes 63).
 */
export function bundleBucketName(clusterName: string, account: string, region: string): string {
  return `kp-${clusterName}-${account}-${region}-n`;
}

/** See the file's comment. */
export class AwsNodeBundle extends Construct implements NodeBundle {
  readonly locations: Readonly<Record<string, NodeBundleLocation>>;
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: NodeBundleProps) {
    super(scope, id);
    const where = `AwsNodeBundle ${this.node.path}`;
    validateNodeBundleProps(where, props);
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = new DataAwsRegion(this, "region").name;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: bundleBucketName(props.clusterName, account, region),
      // Terraform made everything in it: a destroy removes it with its versions.
      forceDestroy: true,
      tags: { [BUNDLE_BUCKET_PURPOSE.key]: BUNDLE_BUCKET_PURPOSE.value },
    });
    const versioning = new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", { bucket: this.bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    const publicAccess = blockPublicAccess(this, this.bucket);
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          denyWithoutTls(this.bucket),
        ],
      }),
      dependsOn: [publicAccess],
    });
    const locations: Record<string, NodeBundleLocation> = {};
    for (const archive of props.archives) {
      const key = `${BUNDLE_PREFIX}${archive.role}-${archive.sha256}.tar.gz`;
      new S3Object(this, `${archive.role}-archive`, {
        bucket: this.bucket.id,
        key,
        contentBase64: archive.base64,
        contentType: "application/gzip",
        // Written once versioning and default encryption are on: an object put before them is
        // unversioned ("null" version) and unencrypted, and the emulator cannot delete a null
        // version (moto 5.2.1 answers 500), which stalled the bucket's force-destroy.
        dependsOn: [versioning, encryption],
      });
      locations[archive.role] = {
        kind: "s3",
        settings: { KUBEPLANE_BUNDLE_BUCKET: this.bucket.bucket, KUBEPLANE_BUNDLE_KEY: key, KUBEPLANE_BUNDLE_REGION: region },
      };
    }
    this.locations = locations;
    // One grant per reading identity: its own roles' bundles only.
    const byReader = new Map<string, { role: { id: string }; prefixes: string[] }>();
    for (const archive of props.archives) {
      const reader = asAwsIdentity(archive.reader, `${where}: archives (${archive.role}): reader`);
      const entry = byReader.get(reader.kind) ?? { role: reader.role, prefixes: [] };
      entry.prefixes.push(`${this.bucket.arn}/${BUNDLE_PREFIX}${archive.role}-*`);
      byReader.set(reader.kind, entry);
    }
    for (const [kind, { role, prefixes }] of byReader) {
      new IamRolePolicy(this, `${kind}-read`, {
        name: "kubeplane-node-bundle",
        role: role.id,
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "ReadOwnBundle", Effect: "Allow", Action: ["s3:GetObject"], Resource: prefixes }] }),
      });
    }
  }
}
