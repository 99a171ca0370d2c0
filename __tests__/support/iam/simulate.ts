/**
 * One AWS request evaluated against a node role's identity policies (and the resource's policy,
 * when it has one) with iam-simulate, which validates the action, the resource's type and the
 * context keys against AWS's IAM data and evaluates as AWS documents
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * iam-simulate is AGPL and a test-only devDependency.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/** A policy document with a name (the aws_iam_role_policy's logical id). */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: { Version: string; Statement: Record<string, unknown>[] };
}

/** A request as AWS authorizes it: who, what, on which resource, with which context. */
export interface IamRequest {
  /** The caller: an assumed-role session ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** The resource's own policy (a KMS key policy), when it has one. */
  readonly resourcePolicy?: NamedPolicy["policy"];
}

/** The outcome, and which identity statements (`<policy>#<Sid>`) allowed it. */
export interface IamDecision {
  readonly result: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
  readonly allowedBy: string[];
  /** Context keys the simulator dropped as not applying to the action (a sign of a wrong key). */
  readonly ignoredContextKeys: string[];
}

/** The account of an ARN (empty for AWS-owned resources like `document/AWS-RunShellScript`). */
function accountOf(arn: string): string {
  return arn === "*" ? "" : (arn.split(":")[4] ?? "");
}

/**
 * A Resource entry that is one policy variable as a whole (`${ec2:SourceInstanceARN}`): IAM
 * replaces a variable with the request's value of that key, and an entry whose key the request
 * lacks matches nothing ("Policy variables", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 * iam-simulate expands variables only inside an ARN, so the whole-entry ones are expanded here,
 * per request, before it evaluates; variables inside an ARN are left to it.
 */
const WHOLE_VARIABLE = /^\$\{([^}]+)\}$/;
function expandWholeResourceVariables(policy: NamedPolicy["policy"], context: IamRequest["context"]): NamedPolicy["policy"] {
  const lower = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const expand = (entries: unknown) => {
    if (entries === undefined) return undefined;
    const list = ([] as unknown[]).concat(entries).flatMap((entry) => {
      const variable = typeof entry === "string" ? WHOLE_VARIABLE.exec(entry) : null;
      if (!variable) return [entry];
      const value = lower.get(variable[1].toLowerCase());
      return typeof value === "string" ? [value] : [];
    });
    // An entry list left empty matches nothing: stand in an ARN no request is on.
    return list.length ? list : ["arn:aws:kubeplane-test:::unresolved-policy-variable"];
  };
  return {
    ...policy,
    Statement: policy.Statement.map((st) => ({
      ...st,
      ...("Resource" in st ? { Resource: expand(st.Resource) } : {}),
      ...("NotResource" in st ? { NotResource: expand(st.NotResource) } : {}),
    })),
  };
}

export async function evaluate(policies: readonly NamedPolicy[], request: IamRequest): Promise<IamDecision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: accountOf(request.resource) || accountOf(request.principal) },
      contextVariables: request.context,
    },
    identityPolicies: policies.map((p) => ({ name: p.name, policy: expandWholeResourceVariables(p.policy, request.context) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  };
  const response = await runSimulation(simulation, { simulationMode: "Strict" });
  if (response.resultType === "error") {
    throw new Error(`iam-simulate refused ${request.action} on ${request.resource}: ${response.errors.message} ${JSON.stringify(response.errors)}`);
  }
  // A wildcard-only action (ec2:DescribeInstances) on "*" comes back as one wildcard result.
  const single = response.resultType === "single" ? response.result : response.results.length === 1 ? response.results[0] : undefined;
  if (!single) throw new Error(`iam-simulate: ${request.action} on ${request.resource} is not one concrete resource (use a concrete ARN)`);
  const analysis = single.analysis;
  const allowedBy = (analysis.identityAnalysis?.allowStatements ?? []).map((s) => `${s.policyId}#${s.statement.sid() ?? s.statement.index()}`);
  return { result: response.overallResult as IamDecision["result"], allowedBy, ignoredContextKeys: single.ignoredContextKeys ?? [] };
}
