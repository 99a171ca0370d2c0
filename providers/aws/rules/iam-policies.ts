/**
 * Reading IAM policies out of synthesized resources: inline policies (JSON strings, possibly
 * with `${...}` references), `aws_iam_policy_document` data sources, customer policies made in
 * the stack and the AWS managed policies kubeplane knows.
 */
import { blocks, strings } from "../../../rules/rule";
import { parseReference, ResourceView, StackView } from "../../../rules/stack-view";

/** A statement, normalised: lists everywhere. */
export interface Statement {
  /** The statement id, which policy documents merge on. */
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly hasCondition: boolean;
}

/** A policy document read from somewhere, or why it could not be read. */
export type PolicyRead = { statements: Statement[] } | { unreadable: string };

const list = (v: unknown): string[] => strings(v);

function normalise(raw: Record<string, unknown>): Statement {
  return {
    sid: typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : undefined,
    effect: raw.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(raw.Action),
    notActions: list(raw.NotAction),
    resources: list(raw.Resource),
    notResources: list(raw.NotResource),
    hasCondition: raw.Condition !== undefined,
  };
}

/** The `statement` blocks of a `data.aws_iam_policy_document`. */
function documentStatements(config: Record<string, unknown>): Statement[] {
  return blocks(config.statement).map((s) => ({
    sid: typeof s.sid === "string" && s.sid !== "" ? s.sid : undefined,
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: list(s.actions),
    notActions: list(s.not_actions),
    resources: list(s.resources),
    notResources: list(s.not_resources),
    hasCondition: blocks(s.condition).length > 0,
  }));
}

/** Policy texts of a list attribute (a list of strings, or one string); undefined when it is something else. */
function policyTexts(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

/** Adds statements to a merged document: with `replace`, one with the Sid of an earlier one takes its place. */
function merge(into: Statement[], statements: readonly Statement[], replace: boolean): void {
  for (const s of statements) {
    const at = replace && s.sid !== undefined ? into.findIndex((m) => m.sid === s.sid) : -1;
    if (at >= 0) into[at] = s;
    else into.push(s);
  }
}

/**
 * A `data.aws_iam_policy_document` as Terraform merges it: the source documents
 * (`source_policy_documents`, `source_json`), then its own `statement` blocks, then the override
 * documents (`override_policy_documents`, `override_json`), later statements replacing earlier
 * ones with the same Sid. A source or override that cannot be read makes the document unreadable.
 */
function readPolicyDocument(name: string, config: Record<string, unknown>, view: StackView, seen: ReadonlySet<string>): PolicyRead {
  const merged: Statement[] = [];
  const part = (attribute: string): Statement[] | string => {
    const texts = policyTexts(config[attribute]);
    if (texts === undefined) return `the policy document ${name}'s ${attribute} is not a list of policies`;
    const statements: Statement[] = [];
    for (const [i, text] of texts.entries()) {
      const read = readPolicyText(text, view, seen);
      if ("unreadable" in read) return `the policy document ${name}'s ${attribute}[${i}] cannot be read: ${read.unreadable}`;
      statements.push(...read.statements);
    }
    return statements;
  };
  for (const [attributes, replace] of [[["source_policy_documents", "source_json"], false], [["statement"], true], [["override_policy_documents", "override_json"], true]] as const) {
    for (const attribute of attributes) {
      const statements = attribute === "statement" ? documentStatements(config) : part(attribute);
      if (typeof statements === "string") return { unreadable: statements };
      merge(merged, statements, replace);
    }
  }
  return { statements: merged };
}

/** Reads a policy attribute (JSON text, or a reference to a policy document data source). */
export function readPolicy(value: unknown, view: StackView): PolicyRead {
  return readPolicyText(value, view, new Set());
}

function readPolicyText(value: unknown, view: StackView, seen: ReadonlySet<string>): PolicyRead {
  const ref = parseReference(value);
  if (ref?.kind === "data" && ref.type === "aws_iam_policy_document") {
    const address = `${ref.type}.${ref.name}`;
    if (seen.has(address)) return { unreadable: `the policy document ${ref.name} includes itself` };
    const config = view.dataSource(address);
    return config ? readPolicyDocument(ref.name, config, view, new Set([...seen, address])) : { unreadable: `the policy document ${ref.name} is not in this stack` };
  }
  if (typeof value !== "string") return { unreadable: "the policy is not a JSON string" };
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    return { unreadable: "the policy is not literal JSON (write it with JSON.stringify or an aws_iam_policy_document)" };
  }
  const statement = (doc as { Statement?: unknown })?.Statement;
  return { statements: blocks(statement).map(normalise) };
}

/**
 * What AWS managed policies grant, as far as the rules care (ssm, kms, iam and wildcards).
 * From the policies' published versions; an AWS managed policy not listed here cannot be
 * checked, and the IAM rules say so.
 */
export const MANAGED_POLICY_STATEMENTS: Readonly<Record<string, readonly Statement[]>> = {
  AdministratorAccess: [{ effect: "Allow", actions: ["*"], notActions: [], resources: ["*"], notResources: [], hasCondition: false }],
  PowerUserAccess: [
    { effect: "Allow", actions: [], notActions: ["iam:*", "organizations:*", "account:*"], resources: ["*"], notResources: [], hasCondition: false },
  ],
  IAMFullAccess: [{ effect: "Allow", actions: ["iam:*"], notActions: [], resources: ["*"], notResources: [], hasCondition: false }],
  AmazonSSMFullAccess: [{ effect: "Allow", actions: ["ssm:*"], notActions: [], resources: ["*"], notResources: [], hasCondition: false }],
  AmazonSSMReadOnlyAccess: [
    { effect: "Allow", actions: ["ssm:Describe*", "ssm:Get*", "ssm:List*"], notActions: [], resources: ["*"], notResources: [], hasCondition: false },
  ],
  AmazonSSMManagedInstanceCore: [
    {
      effect: "Allow",
      actions: [
        "ssm:DescribeAssociation",
        "ssm:GetDeployablePatchSnapshotForInstance",
        "ssm:GetDocument",
        "ssm:DescribeDocument",
        "ssm:GetManifest",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:ListAssociations",
        "ssm:ListInstanceAssociations",
        "ssm:PutInventory",
        "ssm:PutComplianceItems",
        "ssm:PutConfigurePackageResult",
        "ssm:UpdateAssociationStatus",
        "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation",
      ],
      notActions: [],
      resources: ["*"],
      notResources: [],
      hasCondition: false,
    },
    {
      effect: "Allow",
      actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
      notActions: [],
      resources: ["*"],
      notResources: [],
      hasCondition: false,
    },
    {
      effect: "Allow",
      actions: [
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
      ],
      notActions: [],
      resources: ["*"],
      notResources: [],
      hasCondition: false,
    },
  ],
  AWSKeyManagementServicePowerUser: [
    {
      effect: "Allow",
      actions: ["kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*", "kms:GenerateRandom", "kms:Get*", "kms:List*", "kms:TagResource", "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"],
      notActions: [],
      resources: ["*"],
      notResources: [],
      hasCondition: false,
    },
  ],
};

const MANAGED_ARN = /^arn:[^:]*:iam::aws:policy\/(?:.*\/)?([A-Za-z0-9+=,.@_-]+)$/;

/** The name of an AWS managed policy from its ARN (any partition), or undefined. */
export function managedPolicyName(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const m = MANAGED_ARN.exec(arn.replace(/^arn:\$\{[^}]+\}:/, "arn:aws:"));
  return m?.[1];
}

/** Statements of an attached policy (by ARN): a managed policy kubeplane knows, or an aws_iam_policy of the stack. */
export function readAttachedPolicy(arn: unknown, view: StackView): PolicyRead {
  const managed = managedPolicyName(arn);
  if (managed !== undefined) {
    const statements = MANAGED_POLICY_STATEMENTS[managed];
    return statements ? { statements: [...statements] } : { unreadable: `kubeplane does not know what the AWS managed policy ${managed} grants` };
  }
  const policy = view.referenced(arn);
  if (policy && policy.type === "aws_iam_policy") return readPolicy(policy.config.policy, view);
  return { unreadable: `the policy ${String(arn)} is not made in this stack, so kubeplane cannot check it` };
}

/** A policy and the role it applies to. */
export interface RolePolicy {
  /** The resource that grants it (an inline policy, an attachment or the role itself). */
  readonly source: ResourceView;
  /** The role's name when it can be told (literal, or the `name` of a role in the stack). */
  readonly roleName?: string;
  readonly policy: PolicyRead;
}

/** The name of the role an attribute (`role = ${aws_iam_role.x.id}` or a literal) points at. */
export function roleNameOf(value: unknown, view: StackView): string | undefined {
  const role = view.referenced(value);
  if (role) return typeof role.config.name === "string" ? role.config.name : undefined;
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

/** The policies a resource grants to roles (empty for resources that grant none). */
export function rolePoliciesOf(resource: ResourceView, view: StackView): RolePolicy[] {
  const c = resource.config;
  switch (resource.type) {
    case "aws_iam_role_policy":
      return [{ source: resource, roleName: roleNameOf(c.role, view), policy: readPolicy(c.policy, view) }];
    case "aws_iam_role_policy_attachment":
      return [{ source: resource, roleName: roleNameOf(c.role, view), policy: readAttachedPolicy(c.policy_arn, view) }];
    case "aws_iam_policy_attachment":
      return strings(c.roles).map((role) => ({ source: resource, roleName: roleNameOf(role, view), policy: readAttachedPolicy(c.policy_arn, view) }));
    case "aws_iam_role": {
      const name = typeof c.name === "string" ? c.name : undefined;
      return [
        ...blocks(c.inline_policy).map((p) => ({ source: resource, roleName: name, policy: readPolicy(p.policy, view) })),
        ...strings(c.managed_policy_arns).map((arn) => ({ source: resource, roleName: name, policy: readAttachedPolicy(arn, view) })),
      ];
    }
    default:
      return [];
  }
}

/** Resource types through which policies reach roles. */
export const ROLE_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role"] as const;

/** Glob match (`*`, `?`), case-insensitive, as IAM matches actions. */
export function globMatches(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(text);
}

/** True when an Allow statement grants `action` (through Action, or NotAction that leaves it out). */
export function grants(statement: Statement, action: string): boolean {
  if (statement.effect !== "Allow") return false;
  if (statement.notActions.length > 0) return !statement.notActions.some((p) => globMatches(p, action));
  return statement.actions.some((p) => globMatches(p, action));
}

/** The resource part of an ARN (`parameter/kubeplane/dev/*`), and its service; `*` for a bare `*`. */
export function arnParts(arn: string): { service: string; resource: string } {
  if (arn === "*") return { service: "*", resource: "*" };
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return { service: "", resource: arn };
  return { service: parts[2], resource: parts.slice(5).join(":") };
}

/**
 * True when some string matches both globs (`*`: any run of characters, `?`: any one; literals
 * compared case-insensitively, as globMatches does). A search over pairs of positions: both
 * patterns are read together, a `*` on either side may match nothing or take one more character.
 */
export function globsIntersect(a: string, b: string): boolean {
  const seen = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  const key = (i: number, j: number) => i * (b.length + 1) + j;
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    if (seen.has(key(i, j))) continue;
    seen.add(key(i, j));
    if (i === a.length && j === b.length) return true;
    const ca = a[i];
    const cb = b[j];
    // A star matching nothing.
    if (ca === "*") stack.push([i + 1, j]);
    if (cb === "*") stack.push([i, j + 1]);
    // One character read by both: a star stays, anything else moves on.
    if (ca === undefined || cb === undefined) continue;
    const literalA = ca !== "*" && ca !== "?";
    const literalB = cb !== "*" && cb !== "?";
    if (literalA && literalB && ca.toLowerCase() !== cb.toLowerCase()) continue;
    stack.push([ca === "*" ? i : i + 1, cb === "*" ? j : j + 1]);
  }
  return false;
}

/**
 * True when a statement's resource (an ARN glob, or `*`) may match some SSM parameter under
 * `path` (e.g. `/kubeplane/dev`): `…:parameter/kubeplane/dev/join/control-plane`,
 * `…:parameter/kubeplane/*`, `arn:aws:ssm:*:*:*`, `*` all do.
 */
export function reachesParameterPath(resource: string, path: string): boolean {
  const text = resource.trim();
  const under = `parameter${path.replace(/\/+$/, "")}/*`;
  const parts = text.split(":");
  // An ARN is matched segment by segment; only its resource part (which may hold colons) is free.
  if (parts[0] === "arn" && parts.length >= 6) return globsIntersect(parts[2], "ssm") && globsIntersect(parts.slice(5).join(":"), under);
  // `*`, or a short pattern like `arn:aws:*` whose last star stands for the segments left out.
  return globsIntersect(text, `arn:*:ssm:*:*:${under}`);
}
