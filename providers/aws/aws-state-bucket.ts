/**
 * AWS's state store: the S3 bucket every cluster's remote state lives in, and the IAM policies
 * of the deploy role and the plan-only CI role (aws-deployer-policies.ts).
 *
 * The bucket is versioned (a broken or deleted state can be restored), encrypted by default
 * (SSE-S3, AES256: no key policy for the CI role to need), blocks every kind of public access,
 * refuses requests that do not use TLS (a bucket policy denying aws:SecureTransport=false,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html), and is
 * protected from `terraform destroy` (lifecycle prevent_destroy). Rules KP-S3-1..3 hold it to this.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Backend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { Suppression } from "../../rules/rule-pack";
import type { StateStore, StateStoreProps } from "../state-store";
import { BOOTSTRAP_POLICY_PREFIX, deployerKeyPolicy, deployerListingPolicy, deployerPolicy, DeployerScope } from "./aws-deployer-policies";
import { knownRegions } from "./regions";
import { CLUSTER_TAG } from "./tags";
import { blockPublicAccess, denyWithoutTls } from "./s3-bucket-hardening";

/** The tag on everything the bootstrap stack makes (not kubeplane:cluster: it is no cluster's). */
export const STATE_STORE_TAG = "kubeplane:state-store";

/**
 * S3's bucket naming rules for general purpose buckets
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63
 * characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter
 * or digit, no two adjacent dots, not shaped like an IP address, none of the reserved prefixes
 * and suffixes.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (is ${name.length})`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return "may hold only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit";
  if (name.includes("..")) return "must not hold two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return "must not start with xn--, sthree- or amzn-s3-demo-";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return "must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3";
  return undefined;
}

/** The default bucket name for an account and region: `kubeplane-state-<account>-<region>`. */
export function defaultBucketName(account: string, region: string): string {
  return `kubeplane-state-${account}-${region}`;
}

/**
 * Names of the policies the store makes, per region (IAM names are global): under
 * `kubeplane-bootstrap-`, which the deploy policy may not change (aws-deployer-policies.ts).
 */
export function deployerPolicyNames(region: string): { deploy: string; deployKeys: string; deployListing: string; plan: string; planKeys: string; planListing: string } {
  const prefix = `${BOOTSTRAP_POLICY_PREFIX}${region}`;
  return {
    deploy: `${prefix}-deploy`,
    deployKeys: `${prefix}-deploy-keys`,
    deployListing: `${prefix}-deploy-listing`,
    plan: `${prefix}-plan`,
    planKeys: `${prefix}-plan-keys`,
    planListing: `${prefix}-plan-listing`,
  };
}

/** Properties of AwsStateBucket: those of every state store. */
export type AwsStateBucketProps = StateStoreProps;

/** The state bucket, its settings, and the deploy and plan policies. */
export class AwsStateBucket extends Construct implements StateStore {
  readonly name: string;
  readonly outputs: Readonly<Record<string, string | readonly string[]>>;
  readonly suppressions: readonly Suppression[];
  readonly bucket: S3Bucket;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: AwsStateBucketProps) {
    super(scope, id);
    this.region = props.region;
    if (!knownRegions().includes(props.region)) {
      throw new Error(`AwsStateBucket ${this.node.path}: region "${props.region}" is not an AWS region kubeplane knows; known: ${knownRegions().join(", ")}`);
    }
    if (props.name !== undefined) {
      const problem = bucketNameProblem(props.name);
      if (problem) throw new Error(`AwsStateBucket ${this.node.path}: name "${props.name}" is not a valid S3 bucket name: it ${problem}`);
    }
    new AwsProvider(this, "provider", { region: props.region, defaultTags: [{ tags: { [STATE_STORE_TAG]: props.region } }] });
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.name ?? defaultBucketName(account, props.region),
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.name = this.bucket.bucket;
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const publicAccess = blockPublicAccess(this, this.bucket);
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          denyWithoutTls(this.bucket),
        ],
      }),
      // S3 refuses a bucket policy while the public access block is being put (409 OperationAborted).
      dependsOn: [publicAccess],
    });

    const scope_: DeployerScope = { partition, account, bucket: this.bucket.bucket };
    const names = deployerPolicyNames(props.region);
    const policy = (pid: string, name: string, description: string, document: object) =>
      new IamPolicy(this, pid, { name, description, policy: JSON.stringify(document) });
    const deploy = policy("deploy-policy", names.deploy, "kubeplane: deploy and destroy clusters whose state is in this bucket", deployerPolicy("deploy", scope_));
    const deployKeys = policy("deploy-keys-policy", names.deployKeys, "kubeplane: the deploy role's KMS key statements", deployerKeyPolicy("deploy", scope_, CLUSTER_TAG));
    const plan = policy("plan-policy", names.plan, "kubeplane: plan (CI) clusters whose state is in this bucket", deployerPolicy("plan", scope_));
    const planKeys = policy("plan-keys-policy", names.planKeys, "kubeplane: the plan role's KMS key statements", deployerKeyPolicy("plan", scope_, CLUSTER_TAG));
    const listing = "kubeplane: IAM listings of the orphan search (they take no resource)";
    const deployListing = policy("deploy-listing-policy", names.deployListing, listing, deployerListingPolicy("deploy"));
    const planListing = policy("plan-listing-policy", names.planListing, listing, deployerListingPolicy("plan"));

    this.outputs = {
      state_store: this.bucket.bucket,
      deploy_policy_arns: [deploy.arn, deployKeys.arn, deployListing.arn],
      plan_policy_arns: [plan.arn, planKeys.arn, planListing.arn],
    };
    const reason =
      "KMS key ids are random and exist only after CreateKey (which, like ListAliases, takes no resource): the key statements are " +
      `scoped by the ${CLUSTER_TAG} tag every cluster key carries (aws:RequestTag on CreateKey, aws:ResourceTag after)`;
    const listingReason =
      "iam:ListRoles, iam:ListInstanceProfiles and iam:ListPolicies take no resource (AWS's Service Authorization Reference), so only " +
      "Resource \"*\" grants them; they return names and ARNs (no policy document) and change nothing; the orphan search needs them";
    this.suppressions = [
      ...[deployKeys, planKeys].map((p) => ({ rule: "KP-IAM-1", resource: p.node.path, reason })),
      ...[deployListing, planListing].map((p) => ({ rule: "KP-IAM-1", resource: p.node.path, reason: listingReason })),
    ];
  }

  configureBackend(stack: TerraformStack, storeName: string, key: string): void {
    const problem = bucketNameProblem(storeName);
    if (problem) throw new Error(`AwsStateBucket ${this.node.path}: configureBackend: "${storeName}" is not a valid S3 bucket name: it ${problem}`);
    new S3Backend(stack, { bucket: storeName, key, region: this.region, encrypt: true });
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
  }
}
