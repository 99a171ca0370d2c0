/** KP-S3-3: S3 buckets the project creates (state buckets) block every kind of public access. */
import { Rule } from "../../../rules/rule";
import { missingPublicAccessBlocks } from "./s3-buckets";

export const s3BucketPublicAccessBlocked: Rule = {
  id: "KP-S3-3",
  name: "s3-bucket-public-access-blocked",
  level: "error",
  explanation:
    "A state bucket must never become public: an aws_s3_bucket_public_access_block for it must set block_public_acls, " +
    "block_public_policy, ignore_public_acls and restrict_public_buckets to true.",
  resourceTypes: ["aws_s3_bucket"],
  check(resource, { stack }) {
    const missing = missingPublicAccessBlocks(resource, stack);
    return missing.length === 0 ? [] : [`does not block public access: ${missing.join(", ")} not true`];
  },
};
