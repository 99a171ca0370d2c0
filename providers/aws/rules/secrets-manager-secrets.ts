/**
 * Reading Secrets Manager grants for the join-lease rules (KP-IAM-2, KP-IAM-3, KP-SEC-1), so that
 * a cluster whose join lease lives in Secrets Manager (`joinTokens.backend: secretsmanager`) is
 * held to the standard an SSM cluster is. A cluster's records have one logical path, whatever
 * the store: `kubeplane/<cluster>/...`, spelt `/kubeplane/<cluster>/...` as SSM parameters and
 * `kubeplane/<cluster>/...` as secret names. A secret's ARN is
 * `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`
 * (Service Authorization Reference, AWS Secrets Manager resource types), so a grant names one
 * secret as `secret:<name>-??????` or by its Terraform reference.
 */
import { globsIntersect } from "./iam-policies";
import type { StackView } from "../../../rules/stack-view";

/** Secrets Manager actions that read a secret's value. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue"];

/** Secrets Manager actions that change a secret, its value, its versions, its policy or its tags. */
export const SECRET_WRITE_ACTIONS = [
  "secretsmanager:CreateSecret",
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecret",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:DeleteSecret",
  "secretsmanager:RestoreSecret",
  "secretsmanager:RotateSecret",
  "secretsmanager:CancelRotateSecret",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:ReplicateSecretToRegions",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
];

/** A cluster path as secret names spell it: no leading (or trailing) `/`. */
export function secretPrefix(path: string): string {
  return path.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** A cluster path as SSM parameter names spell it: one leading `/`. */
export function parameterPrefix(path: string): string {
  return `/${secretPrefix(path)}`;
}

/**
 * The secret a resource names, as a glob over ARN resource parts (`secret:<name>-XXXXXX`): an
 * ARN's resource part, or, for a Terraform reference to an aws_secretsmanager_secret of the stack
 * (`${aws_secretsmanager_secret.x.arn}`), exactly that secret (`secret:<name>-??????`). Undefined
 * for a resource that is no Secrets Manager ARN (another service's, or a reference to something else).
 */
export function secretResourcePattern(resource: string, stack: StackView): string | undefined {
  const text = resource.trim();
  const secret = stack.referenced(text);
  if (secret) {
    if (secret.type !== "aws_secretsmanager_secret") return undefined;
    return typeof secret.config.name === "string" && !secret.config.name.includes("${") ? `secret:${secret.config.name}-??????` : "secret:*";
  }
  if (text === "*") return "*";
  const parts = text.split(":");
  if (parts[0] === "arn" && parts.length >= 6) return globsIntersect(parts[2], "secretsmanager") ? parts.slice(5).join(":") : undefined;
  // A short pattern like `arn:aws:*`, whose last star stands for the segments left out.
  return globsIntersect(text, "arn:*:secretsmanager:*:*:secret:*") ? "*" : undefined;
}

/** Does the pattern name exactly the secret `name` (its ARN's random suffix as `??????` or six literal characters)? */
export function namesOnlySecret(pattern: string, name: string): boolean {
  if (!pattern.startsWith(`secret:${name}-`)) return false;
  return /^(\?{6}|[A-Za-z0-9]{6})$/.test(pattern.slice(`secret:${name}-`.length));
}

/** May the pattern match a secret whose name is under `prefix/` (e.g. `kubeplane/dev/...`)? */
export function reachesSecretPrefix(pattern: string, prefix: string): boolean {
  return globsIntersect(pattern, `secret:${secretPrefix(prefix)}/*`);
}

/**
 * Does the pattern name secrets of these subtrees of `prefix` only: it starts, literally (no
 * wildcard before), with `secret:<prefix>/<subtree>/`, so whatever follows stays inside.
 */
export function onlySecretSubtrees(pattern: string, prefix: string, subtrees: readonly string[]): boolean {
  return subtrees.some((subtree) => pattern.startsWith(`secret:${secretPrefix(prefix)}/${subtree}/`));
}
