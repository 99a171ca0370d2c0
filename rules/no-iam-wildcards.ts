/** KP-IAM-1: no `*` action or resource for ssm, kms or iam in any policy a role gets. */
import { PolicyRead, readPolicy, ROLE_POLICY_TYPES, rolePoliciesOf, Statement } from "./iam-policies";
import { Rule } from "./rule";

const SERVICES = ["ssm", "kms", "iam"];

function statementProblems(s: Statement, label: string): string[] {
  if (s.effect !== "Allow") return [];
  const problems: string[] = [];
  if (s.notActions.length > 0) problems.push(`${label} allows everything but ${s.notActions.join(", ")} (NotAction), which includes ${SERVICES.join(", ")}`);
  for (const action of s.actions) {
    if (action === "*") problems.push(`${label} allows Action "*"`);
    else {
      const [service, name] = action.split(":");
      if (SERVICES.includes(service?.toLowerCase()) && name === "*") problems.push(`${label} allows Action "${action}"`);
    }
  }
  const sensitive = SERVICES.filter((service) => s.actions.some((a) => a === "*" || a.toLowerCase().startsWith(`${service}:`)) || s.notActions.length > 0);
  if (sensitive.length > 0 && (s.resources.includes("*") || s.notResources.length > 0)) {
    problems.push(`${label} allows ${sensitive.join("/")} actions on Resource "*"${s.hasCondition ? " (a condition does not make up for it)" : ""}`);
  }
  return problems;
}

/** Problems of a read policy; unreadable policies are problems too, since they cannot be checked. */
export function policyWildcardProblems(policy: PolicyRead, where: string): string[] {
  if ("unreadable" in policy) return [`${where}: cannot be checked: ${policy.unreadable}`];
  return policy.statements.flatMap((s, i) => statementProblems(s, `${where} statement ${i + 1}`));
}

export const noIamWildcards: Rule = {
  id: "KP-IAM-1",
  name: "no-iam-wildcards",
  level: "error",
  explanation:
    "Least privilege: no policy may grant Action \"*\", \"ssm:*\", \"kms:*\" or \"iam:*\" (or NotAction), nor any ssm, kms " +
    "or iam action on Resource \"*\"; name the parameters, keys and roles. AWS managed policies are read too " +
    "(AmazonSSMManagedInstanceCore grants ssm:GetParameter on \"*\").",
  resourceTypes: [...ROLE_POLICY_TYPES, "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"],
  check(resource, { stack }) {
    if (resource.type === "aws_iam_policy" || resource.type === "aws_iam_user_policy" || resource.type === "aws_iam_group_policy") {
      return policyWildcardProblems(readPolicy(resource.config.policy, stack), "policy");
    }
    // An attachment of a policy made in the stack: that aws_iam_policy is checked itself.
    if (stack.referenced(resource.config.policy_arn)?.type === "aws_iam_policy") return [];
    return rolePoliciesOf(resource, stack).flatMap((p, i, all) => {
      const where = resource.type === "aws_iam_role_policy" ? "policy" : all.length > 1 ? `attached policy ${i + 1}` : "attached policy";
      return policyWildcardProblems(p.policy, where);
    });
  },
};
