/** KP-GCS-1: every bucket the cluster makes has uniform access, public access prevention and versioning. */
import { blocks, isTrue, Rule } from "../../../rules/rule";

export const gcsBucketHardened: Rule = {
  id: "KP-GCS-1",
  name: "gcs-bucket-hardened",
  level: "error",
  explanation:
    "A bucket is IAM-only (uniform bucket-level access: no object ACL can make an object public), refuses public grants " +
    "(public access prevention enforced) and keeps the versions it replaces (versioning).",
  resourceTypes: ["google_storage_bucket"],
  check(resource) {
    const c = resource.config;
    const problems: string[] = [];
    if (!isTrue(c.uniform_bucket_level_access)) problems.push("uniform_bucket_level_access is not true");
    if (c.public_access_prevention !== "enforced") problems.push(`public_access_prevention is ${c.public_access_prevention === undefined ? "not set" : `"${String(c.public_access_prevention)}"`}, not "enforced"`);
    if (!blocks(c.versioning).some((v) => isTrue(v.enabled))) problems.push("versioning is not enabled");
    return problems;
  },
};
