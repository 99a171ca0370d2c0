/**
 * Resolves the Terraform references in synthesized policy documents to the concrete values AWS
 * would see once Terraform has applied them, so that an IAM evaluator can read the policies.
 * The values are made up but realistic: one account, the example's region, partition `aws`,
 * key ids shaped like KMS key ids, role and document ARNs in the formats AWS documents:
 *   role     arn:aws:iam::<account>:role/<name>        (IAM identifiers, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html)
 *   key      arn:aws:kms:<region>:<account>:key/<id>    (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN)
 *   document arn:aws:ssm:<region>:<account>:document/<name>  (Service Authorization Reference, Systems Manager resource types)
 *   secret   arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>
 *            (Service Authorization Reference, AWS Secrets Manager resource types; the suffix, CreateSecret's Name)
 */
import { createHash } from "crypto";
import type { TerraformJson } from "../examples";

/** Where a synthesized stack is deployed. */
export interface Deployment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export const ACCOUNT = "123456789012";

/** A made-up but well-formed KMS key id (a UUID), stable for a resource's configuration (so two clusters' keys differ). */
export function keyIdFor(block: Record<string, unknown>): string {
  const h = createHash("sha256").update(JSON.stringify(block)).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The six characters Secrets Manager appends to a secret's name in its ARN: made up, stable for the name. */
export function secretSuffixFor(name: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return [...createHash("sha256").update(name).digest()].slice(0, 6).map((b) => alphabet[b % alphabet.length]).join("");
}

/** A secret's ARN, suffix included. */
export function secretArnFor(name: string, at: Deployment): string {
  return `arn:${at.partition}:secretsmanager:${at.region}:${at.account}:secret:${name}-${secretSuffixFor(name)}`;
}

/** `${ref}`, or `$${...}`: Terraform's escape for a literal `${...}` (an IAM policy variable). */
const REFERENCE = /(\$?)\$\{([^}]*)\}/g;

/** The resource (or data source) a reference names, and the attribute it reads. */
function lookUp(json: TerraformJson, kind: "resource" | "data", type: string, name: string, ref: string): Record<string, unknown> {
  const block = (kind === "data" ? json.data : json.resource)?.[type]?.[name];
  if (!block) throw new Error(`resolveReferences: \${${ref}} names ${kind} ${type}.${name}, which the stack does not declare`);
  return block;
}

/** A literal attribute of a resource, itself free of references. */
function literal(block: Record<string, unknown>, attribute: string, ref: string): string {
  const value = block[attribute];
  if (typeof value !== "string" || value.includes("${")) {
    throw new Error(`resolveReferences: \${${ref}} needs a literal ${attribute}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The concrete value of one Terraform reference (`data.aws_region.x.name`, `aws_kms_key.x.arn`, ...). */
export function resolveReference(json: TerraformJson, ref: string, at: Deployment): string {
  const parts = ref.split(".");
  const [kind, type, name, attribute] = parts[0] === "data" ? ["data" as const, ...parts.slice(1)] : ["resource" as const, ...parts];
  if (parts.length !== (kind === "data" ? 4 : 3) || !type || !name || !attribute) {
    throw new Error(`resolveReferences: \${${ref}} is not a <type>.<name>.<attribute> reference this resolver knows`);
  }
  const block = lookUp(json, kind, type, name, ref);
  const key = `${kind === "data" ? "data." : ""}${type}.${attribute}`;
  switch (key) {
    case "data.aws_partition.partition":
      return at.partition;
    case "data.aws_region.name":
    case "data.aws_region.region":
      return at.region;
    case "data.aws_caller_identity.account_id":
      return at.account;
    case "aws_kms_key.arn":
      return `arn:${at.partition}:kms:${at.region}:${at.account}:key/${keyIdFor(block)}`;
    case "aws_kms_key.key_id":
    case "aws_kms_key.id":
      return keyIdFor(block);
    case "aws_ssm_document.arn":
      return `arn:${at.partition}:ssm:${at.region}:${at.account}:document/${literal(block, "name", ref)}`;
    case "aws_ssm_document.name":
    case "aws_ssm_document.id":
      return literal(block, "name", ref);
    case "aws_secretsmanager_secret.arn":
    case "aws_secretsmanager_secret.id":
      return secretArnFor(literal(block, "name", ref), at);
    case "aws_iam_role.arn":
      return `arn:${at.partition}:iam::${at.account}:role${literal({ path: block.path ?? "/" }, "path", ref)}${literal(block, "name", ref)}`;
    case "aws_iam_role.name":
    case "aws_iam_role.id":
      return literal(block, "name", ref);
    // A bucket's name may itself be built from references (the backup bucket's account and region).
    case "aws_s3_bucket.arn":
      return `arn:${at.partition}:s3:::${resolveReferences(json, String(block.bucket), at)}`;
    case "aws_s3_bucket.bucket":
    case "aws_s3_bucket.id":
      return resolveReferences(json, String(block.bucket), at);
    default:
      throw new Error(`resolveReferences: no rule for \${${ref}} (${key}); add one that gives the value AWS would`);
  }
}

/**
 * `text` with every `${...}` Terraform reference replaced by its concrete value, and every
 * `$${...}` by the literal `${...}` Terraform leaves (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
 */
export function resolveReferences(json: TerraformJson, text: string, at: Deployment): string {
  return text.replace(REFERENCE, (_match, escaped: string, ref: string) => (escaped ? `\${${ref}}` : resolveReference(json, ref, at)));
}

/** The deployment of a synthesized stack: its provider's region, the test account, partition aws. */
export function deploymentOf(json: TerraformJson): Deployment {
  const region = json.provider?.aws?.[0]?.region;
  if (typeof region !== "string") throw new Error("deploymentOf: the stack's aws provider has no literal region");
  return { account: ACCOUNT, region, partition: "aws" };
}
