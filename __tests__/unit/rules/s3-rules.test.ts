/** KP-S3-1..3: buckets the project creates are versioned, encrypted and never public. */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Testing, TerraformStack } from "cdktf";
import { auditStack, findingsOf, ruleIds } from "./rule-harness";

function hardenedBucket(s: TerraformStack, id: string, options: { versioning?: boolean; encryption?: boolean; block?: boolean } = {}) {
  const bucket = new S3Bucket(s, id, { bucket: `acme-${id}` });
  if (options.versioning ?? true) new S3BucketVersioningA(s, `${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  if (options.encryption ?? true) {
    new S3BucketServerSideEncryptionConfigurationA(s, `${id}-sse`, { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
  }
  if (options.block ?? true) {
    new S3BucketPublicAccessBlock(s, `${id}-block`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  }
  return bucket;
}

describe("S3 state buckets", () => {
  it("a bare bucket breaks all three rules", () => {
    const { stack, findings } = auditStack((s) => new S3Bucket(s, "state", { bucket: "acme-state" }));
    expect(ruleIds(findings)).toEqual(["KP-S3-1", "KP-S3-2", "KP-S3-3"]);
    expect(findingsOf(findings, "KP-S3-3")).toEqual([
      "aws_s3_bucket.state: does not block public access: block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets not true",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-S3-1 s3-bucket-versioned/);
  });

  it.each([
    ["KP-S3-1", { versioning: false }, /is not versioned/],
    ["KP-S3-2", { encryption: false }, /declares no default encryption/],
    ["KP-S3-3", { block: false }, /does not block public access/],
  ])("%s fires when only its configuration is missing", (id, options, message) => {
    const { findings } = auditStack((s) => hardenedBucket(s, "state", options));
    expect(ruleIds(findings)).toEqual([id]);
    expect(findingsOf(findings, id)).toEqual([expect.stringMatching(message)]);
  });

  it("a suspended versioning or a partial public access block does not count", () => {
    const { findings } = auditStack((s) => {
      const bucket = hardenedBucket(s, "state", { versioning: false, block: false });
      new S3BucketVersioningA(s, "suspended", { bucket: bucket.bucket, versioningConfiguration: { status: "Suspended" } });
      new S3BucketPublicAccessBlock(s, "partial", { bucket: "acme-state", blockPublicAcls: true, blockPublicPolicy: true });
    });
    expect(findingsOf(findings, "KP-S3-1")).toHaveLength(1);
    expect(findingsOf(findings, "KP-S3-3")).toEqual([expect.stringMatching(/ignore_public_acls, restrict_public_buckets not true$/)]);
  });

  it("is quiet on a hardened bucket, configured by reference or by name", () => {
    const { findings } = auditStack((s) => {
      hardenedBucket(s, "by-ref");
      new S3Bucket(s, "by-name", { bucket: "acme-by-name" });
      new S3BucketVersioningA(s, "v", { bucket: "acme-by-name", versioningConfiguration: { status: "Enabled" } });
      new S3BucketServerSideEncryptionConfigurationA(s, "e", { bucket: "acme-by-name", rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
      new S3BucketPublicAccessBlock(s, "b", { bucket: "acme-by-name", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    });
    expect(findings).toEqual([]);
  });
});
