/** KP-S3-2: S3 buckets the project creates (state buckets) are encrypted. */
import { Rule } from "../../../rules/rule";
import { isEncrypted } from "./s3-buckets";

export const s3BucketEncrypted: Rule = {
  id: "KP-S3-2",
  name: "s3-bucket-encrypted",
  level: "error",
  explanation:
    "Terraform state holds every resource attribute, sensitive ones included: a state bucket must declare default " +
    "encryption (aws_s3_bucket_server_side_encryption_configuration, aws:kms or AES256).",
  resourceTypes: ["aws_s3_bucket"],
  check(resource, { stack }) {
    return isEncrypted(resource, stack) ? [] : ["declares no default encryption (no aws_s3_bucket_server_side_encryption_configuration for it)"];
  },
};
