/**
 * The bootstrap stack (stacks/bootstrap-stack.ts) on AWS: the state bucket with its settings, the
 * four policies, its own state local or in the bucket, and the rule pack it passes.
 */
import { App, Testing } from "cdktf";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { bucketNameProblem } from "../../../providers/aws/aws-state-bucket";
import { auditApp, RulePack } from "../../../rules";
import { BOOTSTRAP_FACTS, BootstrapStack, BootstrapStackProps } from "../../../stacks/bootstrap-stack";

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>> & { terraform: Record<string, Record<string, unknown>> };

function synthesize(props: Partial<BootstrapStackProps> = {}): { json: Json; outdir: string; app: App; stack: BootstrapStack } {
  const outdir = mkdtempSync(path.join(tmpdir(), "kubeplane-bootstrap-"));
  const app = new App({ outdir });
  const stack = new BootstrapStack(app, "kubeplane-bootstrap-eu-west-1", {
    cloud: new AwsCloud(),
    region: "eu-west-1",
    backend: { kind: "local", path: path.join(outdir, "bootstrap.tfstate") },
    ...props,
  });
  const json = JSON.parse(Testing.synth(stack, true)) as Json;
  app.synth();
  return { json, outdir, app, stack };
}

const only = (json: Json, type: string) => {
  const all = Object.values(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

describe("the bootstrap stack on AWS", () => {
  const { json, outdir, app } = synthesize();

  test("a versioned, AES256-encrypted state bucket that blocks public access and refuses requests without TLS", () => {
    const bucket = only(json, "aws_s3_bucket");
    // The default name: account and region, resolved at apply.
    expect(bucket.bucket).toMatch(/^kubeplane-state-\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}-eu-west-1$/);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(only(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(only(json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(only(json, "aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const policy = JSON.parse(String(only(json, "aws_s3_bucket_policy").policy));
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
    expect(policy.Statement[0].Resource).toEqual([expect.stringMatching(/\$\{aws_s3_bucket\.[\w-]+\.arn\}$/), expect.stringMatching(/\$\{aws_s3_bucket\.[\w-]+\.arn\}\/\*$/)]);
  });

  test("the deploy and plan policies, each with its key policy, and their ARNs as outputs", () => {
    const names = Object.values(json.resource.aws_iam_policy).map((p) => p.name).sort();
    expect(names).toEqual([
      "kubeplane-bootstrap-eu-west-1-deploy",
      "kubeplane-bootstrap-eu-west-1-deploy-keys",
      "kubeplane-bootstrap-eu-west-1-deploy-listing",
      "kubeplane-bootstrap-eu-west-1-plan",
      "kubeplane-bootstrap-eu-west-1-plan-keys",
      "kubeplane-bootstrap-eu-west-1-plan-listing",
    ]);
    expect(Object.keys(json.output).sort()).toEqual(["deploy_policy_arns", "plan_policy_arns", "state_store"]);
    expect(json.output.deploy_policy_arns.value).toEqual([
      expect.stringMatching(/aws_iam_policy\..*deploy-policy.*\.arn/),
      expect.stringMatching(/aws_iam_policy\..*deploy-keys-policy.*\.arn/),
      expect.stringMatching(/aws_iam_policy\..*deploy-listing-policy.*\.arn/),
    ]);
    expect(json.output.plan_policy_arns.value).toHaveLength(3);
    expect(json.provider.aws[0]).toMatchObject({ region: "eu-west-1", default_tags: [{ tags: { "kubeplane:state-store": "eu-west-1" } }] });
  });

  test("passes the rule pack, KP-IAM-1 suppressed on the two key and the two listing policies only, with the reasons", () => {
    const report = auditApp(app);
    expect(report.warnings).toEqual([]);
    expect(report.unusedSuppressions).toEqual([]);
    const suppressed = report.suppressed.map((f) => `${f.rule.id} ${f.path.split("/").pop()}: ${f.message}`);
    expect(suppressed.sort()).toEqual([
      'KP-IAM-1 deploy-keys-policy: policy statement 1 allows kms actions on Resource "arn:${data.aws_partition.state-store_partition_FE42682D.partition}:kms:*:${data.aws_caller_identity.state-store_account_4DBFB67D.account_id}:key/*" (a condition does not make up for it)',
      'KP-IAM-1 deploy-keys-policy: policy statement 2 allows kms actions on Resource "*"',
      'KP-IAM-1 deploy-keys-policy: policy statement 3 allows kms actions on Resource "*" (a condition does not make up for it)',
      'KP-IAM-1 deploy-listing-policy: policy statement 1 allows iam actions on Resource "*"',
      'KP-IAM-1 plan-keys-policy: policy statement 1 allows kms actions on Resource "arn:${data.aws_partition.state-store_partition_FE42682D.partition}:kms:*:${data.aws_caller_identity.state-store_account_4DBFB67D.account_id}:key/*" (a condition does not make up for it)',
      'KP-IAM-1 plan-keys-policy: policy statement 2 allows kms actions on Resource "*"',
      'KP-IAM-1 plan-listing-policy: policy statement 1 allows iam actions on Resource "*"',
    ]);
    const reasonOf = (policy: string) => report.suppressed.find((f) => f.path.endsWith(`/${policy}`))?.suppressedBy?.reason;
    expect(reasonOf("deploy-keys-policy")).toContain("kubeplane:cluster tag");
    expect(reasonOf("plan-listing-policy")).toContain("take no resource");
  });

  test("without its suppressions the key and listing policies break KP-IAM-1, and nothing else does", () => {
    const bare = new App({ outdir: mkdtempSync(path.join(tmpdir(), "kubeplane-bootstrap-")) });
    const stack = new BootstrapStack(bare, "b", { cloud: new AwsCloud(), region: "eu-west-1", backend: { kind: "local", path: "/tmp/b.tfstate" } });
    const findings = new RulePack({ cluster: BOOTSTRAP_FACTS, rules: new AwsCloud().rules, suppressions: [] }).audit(stack);
    expect([...new Set(findings.map((f) => `${f.rule.id} ${f.path.split("/").pop()}`))].sort()).toEqual([
      "KP-IAM-1 deploy-keys-policy",
      "KP-IAM-1 deploy-listing-policy",
      "KP-IAM-1 plan-keys-policy",
      "KP-IAM-1 plan-listing-policy",
    ]);
  });

  test("local state first, at the path given", () => {
    expect(json.terraform.backend).toEqual({ local: { path: path.join(outdir, "bootstrap.tfstate") } });
  });

  // "is valid Terraform" (terraform init and validate) is in __tests__/emulator/terraform-validate.test.ts.
});

test("after the move, its state is in the bucket it made, locked with use_lockfile", () => {
  const { json } = synthesize({ storeName: "acme-state", backend: { kind: "store", storeName: "acme-state", key: "kubeplane-bootstrap/eu-west-1.tfstate" } });
  expect(json.terraform.backend).toEqual({ s3: { bucket: "acme-state", key: "kubeplane-bootstrap/eu-west-1.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true } });
  expect(only(json, "aws_s3_bucket").bucket).toBe("acme-state");
});

test("bad input is refused, naming the construct and the prop", () => {
  expect(() => synthesize({ storeName: "Acme_State" })).toThrow(
    'AwsStateBucket kubeplane-bootstrap-eu-west-1/state-store: name "Acme_State" is not a valid S3 bucket name: it may hold only lower-case letters',
  );
  expect(() => synthesize({ region: "eu-nowhere-1" })).toThrow('AwsStateBucket kubeplane-bootstrap-eu-west-1/state-store: region "eu-nowhere-1" is not an AWS region kubeplane knows');
  expect(() => synthesize({ backend: { kind: "local", path: "/tmp/state.json" } })).toThrow('BootstrapStack kubeplane-bootstrap-eu-west-1: backend.path must be a .tfstate file, got "/tmp/state.json"');
  expect(bucketNameProblem("192.168.1.1")).toBe("must not be formatted as an IP address");
  expect(bucketNameProblem("a..b")).toBe("must not hold two adjacent dots");
  expect(bucketNameProblem(`kubeplane-state-123456789012-ap-southeast-4`)).toBeUndefined();
});
