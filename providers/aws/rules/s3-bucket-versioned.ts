/** KP-S3-1: S3 buckets the project creates (state buckets) are versioned. */
import { Rule } from "../../../rules/rule";
import { isVersioned } from "./s3-buckets";

export const s3BucketVersioned: Rule = {
  id: "KP-S3-1",
  name: "s3-bucket-versioned",
  level: "error",
  explanation:
    "A bucket kubeplane creates holds Terraform state: it must be versioned (aws_s3_bucket_versioning with status " +
    "Enabled), so that a corrupted or deleted state can be restored.",
  resourceTypes: ["aws_s3_bucket"],
  check(resource, { stack }) {
    return isVersioned(resource, stack) ? [] : ["is not versioned (no aws_s3_bucket_versioning with status Enabled for it)"];
  },
};
