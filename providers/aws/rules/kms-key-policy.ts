/**
 * KP-KMS-1: a KMS key the project makes has its own policy, which names who may use the key
 * instead of handing `kms:*` to the account (KMS's default, which defers every use to IAM).
 */
import { globMatches } from "./iam-policies";
import { blocks, Rule, strings } from "../../../rules/rule";
import { parseReference, ResourceView, StackView } from "../../../rules/stack-view";
import { pointingAt } from "./vpc-flow-logs";

/** Actions that use a key's material (or hand it on, as a grant does). */
const USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GenerateDataKeyPair",
  "kms:GenerateDataKeyPairWithoutPlaintext",
  "kms:CreateGrant",
];

/** A key policy statement: who, what, and whether a condition narrows it. */
interface KeyStatement {
  readonly where: string;
  readonly effect: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly hasCondition: boolean;
}

/** The principals of a JSON statement: `"*"`, or every value of `{ AWS, Service, ... }`. */
function principalsOf(principal: unknown): string[] {
  if (typeof principal === "string") return [principal];
  if (principal && typeof principal === "object") return Object.values(principal as Record<string, unknown>).flatMap((v) => strings(v));
  return [];
}

/** The key policy's statements, or why they cannot be read. */
function readKeyPolicy(text: unknown, view: StackView): KeyStatement[] | string {
  const ref = parseReference(text);
  if (ref?.kind === "data" && ref.type === "aws_iam_policy_document") {
    const doc = view.dataSource(`${ref.type}.${ref.name}`);
    if (!doc) return `its policy document ${ref.name} is not in this stack`;
    if (["source_policy_documents", "override_policy_documents", "source_json", "override_json"].some((a) => doc[a] !== undefined)) {
      return `its policy document ${ref.name} merges other documents, which this rule cannot read`;
    }
    return blocks(doc.statement).map((s, i) => ({
      where: typeof s.sid === "string" && s.sid ? s.sid : `statement[${i}]`,
      effect: s.effect === "Deny" ? "Deny" : "Allow",
      principals: blocks(s.principals).flatMap((p) => strings(p.identifiers)),
      actions: strings(s.actions),
      notActions: strings(s.not_actions),
      hasCondition: blocks(s.condition).length > 0,
    }));
  }
  if (typeof text !== "string") return "its policy is not a JSON string";
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return "its policy is not literal JSON (write it with JSON.stringify or an aws_iam_policy_document)";
  }
  return blocks((doc as { Statement?: unknown })?.Statement).map((s, i) => ({
    where: typeof s.Sid === "string" && s.Sid ? s.Sid : `Statement[${i}]`,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    principals: [...principalsOf(s.Principal), ...(s.NotPrincipal !== undefined ? ["NotPrincipal"] : [])],
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    hasCondition: s.Condition !== undefined,
  }));
}

/** Everyone, or the whole account (its root, or its bare id): anyone the account's IAM policies allow. */
function isAccountWide(principal: string): boolean {
  if (principal === "*" || principal === "NotPrincipal" || /^\d{12}$/.test(principal) || /:iam::[^:]*:root$/.test(principal)) return true;
  // The account id by reference: `${data.aws_caller_identity.x.account_id}`.
  return /^\$\{data\.aws_caller_identity\.[^}]+\.account_id\}$/.test(principal);
}

/** The key's policy: its own `policy`, or an aws_kms_key_policy for it. */
function policiesOf(key: ResourceView, view: StackView): unknown[] {
  return [...(key.config.policy !== undefined ? [key.config.policy] : []), ...pointingAt(key, "aws_kms_key_policy", "key_id", view).map((p) => p.config.policy)];
}

export const kmsKeyPolicy: Rule = {
  id: "KP-KMS-1",
  name: "kms-key-policy",
  level: "error",
  explanation:
    "A KMS key needs its own key policy: without one KMS gives it the default, kms:* for the account, so that any IAM policy " +
    "in the account can use the key. Grant administration to the account (so the key stays manageable), and use only to the " +
    "roles that need it; no statement may grant kms:* (or *), nor use of the key to the account root or everyone without a condition.",
  resourceTypes: ["aws_kms_key"],
  check(key, { stack }) {
    const policies = policiesOf(key, stack);
    if (policies.length === 0) return ["has no key policy: KMS gives it the default (kms:* for the account), deferring every use to IAM"];
    return policies.flatMap((policy) => {
      const statements = readKeyPolicy(policy, stack);
      if (typeof statements === "string") return [`${statements}; it cannot be checked`];
      return statements
        .filter((s) => s.effect === "Allow")
        .flatMap((s) => {
          const who = s.principals.join(", ") || "no principal";
          const problems: string[] = [];
          if (s.notActions.length > 0) problems.push(`${s.where} allows NotAction ${s.notActions.join(", ")} to ${who}: everything else, kms:* included`);
          const wild = s.actions.filter((a) => globMatches(a, "kms:*"));
          if (wild.length > 0) problems.push(`${s.where} grants ${wild.join(", ")} to ${who}`);
          const accountWide = s.principals.filter(isAccountWide);
          const uses = USE_ACTIONS.filter((u) => s.actions.some((a) => globMatches(a, u)));
          if (wild.length === 0 && accountWide.length > 0 && uses.length > 0 && !s.hasCondition) {
            problems.push(`${s.where} lets ${accountWide.join(", ")} (any principal the account's IAM policies allow) use the key without a condition: ${uses.join(", ")}`);
          }
          return problems;
        });
    });
  },
};
