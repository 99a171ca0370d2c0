/** Finding the configuration resources that belong to an S3 bucket of the stack. */
import { blocks, isTrue } from "../../../rules/rule";
import { parseReference, ResourceView, StackView } from "../../../rules/stack-view";

/** Resources of `type` that configure `bucket` (by reference to it, or by its literal name). */
export function bucketCompanions(bucket: ResourceView, type: string, view: StackView): ResourceView[] {
  const literalName = typeof bucket.config.bucket === "string" && !bucket.config.bucket.includes("${") ? bucket.config.bucket : undefined;
  return view.ofType(type).filter((r) => {
    const ref = parseReference(r.config.bucket);
    if (ref) return ref.kind === "resource" && ref.type === bucket.type && ref.name === bucket.name;
    return literalName !== undefined && r.config.bucket === literalName;
  });
}

/** True when the bucket has versioning enabled (inline, or through aws_s3_bucket_versioning). */
export function isVersioned(bucket: ResourceView, view: StackView): boolean {
  if (blocks(bucket.config.versioning).some((v) => isTrue(v.enabled))) return true;
  return bucketCompanions(bucket, "aws_s3_bucket_versioning", view).some((v) =>
    blocks(v.config.versioning_configuration).some((c) => c.status === "Enabled"),
  );
}

/** True when the bucket has default encryption configured (inline, or through the SSE resource). */
export function isEncrypted(bucket: ResourceView, view: StackView): boolean {
  const hasRule = (config: unknown) =>
    blocks(config).some((rule) => blocks(rule.apply_server_side_encryption_by_default).some((d) => typeof d.sse_algorithm === "string"));
  if (blocks(bucket.config.server_side_encryption_configuration).some((c) => hasRule(c.rule))) return true;
  return bucketCompanions(bucket, "aws_s3_bucket_server_side_encryption_configuration", view).some((c) => hasRule(c.config.rule));
}

/** The public-access-block settings missing for the bucket (all four must be true). */
export function missingPublicAccessBlocks(bucket: ResourceView, view: StackView): string[] {
  const settings = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
  const blocksOfBucket = bucketCompanions(bucket, "aws_s3_bucket_public_access_block", view);
  if (blocksOfBucket.length === 0) return settings;
  return settings.filter((s) => !blocksOfBucket.some((b) => isTrue(b.config[s])));
}
