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

export async function evaluate(policies: readonly NamedPolicy[], request: IamRequest): Promise<IamDecision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: accountOf(request.resource) || accountOf(request.principal) },
      contextVariables: request.context,
    },
    identityPolicies: policies.map((p) => ({ name: p.name, policy: p.policy })),
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
