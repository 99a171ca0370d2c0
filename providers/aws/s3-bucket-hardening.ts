/**
 * What every bucket kubeplane makes has (rules KP-S3-3 and the TLS-only policy): all four public
 * access blocks, and a bucket policy statement that refuses requests without TLS. One place for
 * the state bucket, the backup bucket and the node-bundle bucket.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { Construct } from "constructs";

/** Blocks every kind of public access to `bucket` (construct id `public-access` in `scope`). */
export function blockPublicAccess(scope: Construct, bucket: S3Bucket): S3BucketPublicAccessBlock {
  return new S3BucketPublicAccessBlock(scope, "public-access", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
}

/** The bucket policy statement that denies any request made without TLS (aws:SecureTransport false). */
export function denyWithoutTls(bucket: S3Bucket): Record<string, unknown> {
  return {
    Sid: "DenyWithoutTls",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucket.arn, `${bucket.arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
