/** KP-IAM-1: no wildcard action or resource for ssm, kms or iam in any policy a role, user or group gets. */
import { arnParts, globsIntersect, PolicyRead, readAttachedPolicy, readPolicy, ROLE_POLICY_TYPES, rolePoliciesOf, Statement } from "./iam-policies";
import { Rule, strings } from "../../../rules/rule";

const SERVICES = ["ssm", "kms", "iam"];

/**
 * A wildcard action: `*`, or any glob (`*` or `?`) that can match an ssm, kms or iam action —
 * `ssm:*`, `iam:?*`, `kms:Get*`, `s?m:GetParameter` alike. Least privilege names each action.
 */
export function isWildcardAction(action: string): boolean {
  return /[*?]/.test(action) && servicesOf(action).length > 0;
}

/** The sensitive services (ssm, kms, iam) an action pattern can reach. */
function servicesOf(action: string): string[] {
  return SERVICES.filter((service) => globsIntersect(action, `${service}:*`));
}

/**
 * The sensitive services a resource pattern covers entirely: `*`, or an ssm/kms/iam ARN whose
 * resource part names no resource — `parameter/*`, `key/*`, `role/*`, `*` — whatever its region
 * and account. Empty for a resource that names something (`parameter/kubeplane/dev/*`).
 */
export function wildcardResourceServices(resource: string): string[] {
  const text = resource.trim();
  if (text === "*") return SERVICES;
  const parts = text.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return /[*?]/.test(text) && globsIntersect(text, "arn:*") ? SERVICES : [];
  const { service, resource: rest } = arnParts(text);
  if (!/^[A-Za-z-]*[/:]?[*?/:]*$/.test(rest) || !rest.includes("*")) return [];
  return SERVICES.filter((s) => globsIntersect(service, s));
}

function statementProblems(s: Statement, label: string): string[] {
  if (s.effect !== "Allow") return [];
  const problems: string[] = [];
  if (s.notActions.length > 0) problems.push(`${label} allows everything but ${s.notActions.join(", ")} (NotAction), which includes ${SERVICES.join(", ")}`);
  for (const action of s.actions.filter(isWildcardAction)) problems.push(`${label} allows Action "${action}"`);
  const sensitive = s.notActions.length > 0 ? SERVICES : SERVICES.filter((service) => s.actions.some((a) => servicesOf(a).includes(service)));
  if (sensitive.length === 0) return problems;
  const condition = s.hasCondition ? " (a condition does not make up for it)" : "";
  const resources = s.notResources.length > 0 ? ["*"] : [...new Set(s.resources)];
  for (const resource of resources) {
    const covered = wildcardResourceServices(resource).filter((service) => sensitive.includes(service));
    if (covered.length > 0) problems.push(`${label} allows ${covered.join("/")} actions on Resource "${resource}"${condition}`);
  }
  return problems;
}

/** Problems of a read policy; unreadable policies are problems too, since they cannot be checked. */
export function policyWildcardProblems(policy: PolicyRead, where: string): string[] {
  if ("unreadable" in policy) return [`${where}: cannot be checked: ${policy.unreadable}`];
  return policy.statements.flatMap((s, i) => statementProblems(s, `${where} statement ${i + 1}`));
}

/** Attachments of a policy to users or groups (roles are read through rolePoliciesOf). */
const OTHER_ATTACHMENT_TYPES = ["aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"];

export const noIamWildcards: Rule = {
  id: "KP-IAM-1",
  name: "no-iam-wildcards",
  level: "error",
  explanation:
    "Least privilege: no policy may grant Action \"*\" or a wildcard ssm, kms or iam action (\"ssm:*\", \"kms:Get*\", " +
    "\"iam:?*\"), nor NotAction, nor any ssm, kms or iam action on Resource \"*\" or on every parameter, key or role " +
    "(\"arn:aws:ssm:*:*:parameter/*\"); name the actions, parameters, keys and roles. AWS managed policies and merged " +
    "policy documents are read too (AmazonSSMManagedInstanceCore grants ssm:GetParameter on \"*\").",
  resourceTypes: [...ROLE_POLICY_TYPES, ...OTHER_ATTACHMENT_TYPES, "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"],
  check(resource, { stack }) {
    const c = resource.config;
    if (resource.type === "aws_iam_policy" || resource.type === "aws_iam_user_policy" || resource.type === "aws_iam_group_policy") {
      return policyWildcardProblems(readPolicy(c.policy, stack), "policy");
    }
    // An attachment of a policy made in the stack: that aws_iam_policy is checked itself.
    if (stack.referenced(c.policy_arn)?.type === "aws_iam_policy") return [];
    const toUsersOrGroups = OTHER_ATTACHMENT_TYPES.includes(resource.type) || (resource.type === "aws_iam_policy_attachment" && strings(c.roles).length === 0);
    if (toUsersOrGroups) return policyWildcardProblems(readAttachedPolicy(c.policy_arn, stack), "attached policy");
    return rolePoliciesOf(resource, stack).flatMap((p, i, all) => {
      const where = resource.type === "aws_iam_role_policy" ? "policy" : all.length > 1 ? `attached policy ${i + 1}` : "attached policy";
      return policyWildcardProblems(p.policy, where);
    });
  },
};
