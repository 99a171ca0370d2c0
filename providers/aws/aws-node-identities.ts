/**
 * IAM roles and instance profiles for each kind of node, each able to use SSM Session Manager
 * and Run Command. Not through the AWS managed AmazonSSMManagedInstanceCore: it allows
 * ssm:GetParameter(s) on every parameter, which would let a worker read the control-plane join
 * lease (and its certificate key). The inline policy below grants only what the SSM agent needs.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { NodeIdentities, NodeIdentitiesProps, NodeIdentity, NodeKind } from "../node-identity";
import { cloudControllerPolicy, clusterAutoscalerPolicy, ebsCsiControllerPolicy } from "./aws-cloud-integration-policies";
import { CLUSTER_TAG, ROLE_TAG } from "./tags";

/** What the SSM agent needs for Session Manager and Run Command, scoped to the account's instances. */
export function sessionManagerPolicy(instanceArnPattern: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AgentRegistration",
        Effect: "Allow",
        Action: ["ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations", "ssm:UpdateInstanceAssociationStatus"],
        Resource: [instanceArnPattern],
      },
      {
        Sid: "SessionChannels",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: ["*"],
      },
      {
        Sid: "RunCommandMessages",
        Effect: "Allow",
        Action: [
          "ec2messages:AcknowledgeMessage",
          "ec2messages:DeleteMessage",
          "ec2messages:FailMessage",
          "ec2messages:GetEndpoint",
          "ec2messages:GetMessages",
          "ec2messages:SendReply",
        ],
        Resource: ["*"],
      },
    ],
  });
}

/** The instance tag a node's bootstrap sets on its own instance: `ready` or `failed: <step>`. */
export const BOOTSTRAP_TAG = "kubeplane:bootstrap";

/**
 * What a node's bootstrap says about itself (bootstrap/node/status.sh): the kubeplane:bootstrap
 * tag on its instance, nothing else (aws:TagKeys limits the request to that one key), and only on
 * instances of its own cluster (ec2:ResourceTag). Not `Resource: ${ec2:SourceInstanceARN}`,
 * which would pin it to the node's own instance: IAM refuses a Resource that is not an ARN or
 * `*` when the policy is put ("MalformedPolicyDocument: Resource ... must be in ARN format"), and
 * nothing confirms that a bare variable passes. So a compromised node can misreport another node of
 * its own cluster (as it can its status parameter), never steer the cluster (kubeplane:role,
 * kubeplane:cluster) nor touch another cluster's instances.
 * A worker may also mark itself unhealthy, in this cluster's worker groups only (tagged by the
 * worker pool), so that its group replaces it.
 */
export function bootstrapStatusPolicy(p: {
  clusterName: string;
  kind: "control-plane" | "worker";
  instanceArnPattern: string;
  autoScalingGroupArnPattern?: string;
}): string {
  const statements: object[] = [
    {
      Sid: "TagClusterInstanceBootstrapState",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [p.instanceArnPattern],
      Condition: {
        StringEquals: { [`ec2:ResourceTag/${CLUSTER_TAG}`]: p.clusterName },
        "ForAllValues:StringEquals": { "aws:TagKeys": [BOOTSTRAP_TAG] },
        Null: { "aws:TagKeys": "false" },
      },
    },
  ];
  if (p.kind === "worker" && p.autoScalingGroupArnPattern) {
    statements.push({
      Sid: "ReplaceFailedWorker",
      Effect: "Allow",
      Action: ["autoscaling:SetInstanceHealth"],
      Resource: [p.autoScalingGroupArnPattern],
      Condition: { StringEquals: { [`autoscaling:ResourceTag/${CLUSTER_TAG}`]: p.clusterName, [`autoscaling:ResourceTag/${ROLE_TAG}`]: "worker" } },
    });
    // The pool's termination hook holds a terminating worker until it has drained itself
    // (node/drain-on-termination.sh), in this cluster's worker groups only.
    statements.push({
      Sid: "CompleteOwnDrain",
      Effect: "Allow",
      Action: ["autoscaling:CompleteLifecycleAction"],
      Resource: [p.autoScalingGroupArnPattern],
      Condition: { StringEquals: { [`autoscaling:ResourceTag/${CLUSTER_TAG}`]: p.clusterName, [`autoscaling:ResourceTag/${ROLE_TAG}`]: "worker" } },
    });
    // Which group holds the instance: Describe* actions take no resource-level permissions.
    statements.push({ Sid: "FindOwnGroup", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingInstances"], Resource: ["*"] });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** IAM role and instance profile names: at most 64 of these characters. */
const IAM_NAME_CHARACTERS = /^[A-Za-z0-9+=,.@_-]+$/;
const IAM_NAME_MAX_LENGTH = 64;
/** The longest kind in a role name (`kubeplane-<clusterName>-control-plane`). */
const LONGEST_KIND = "control-plane";
/** The longest cluster name whose identity names fit IAM's limit. */
export const IDENTITY_CLUSTER_NAME_MAX_LENGTH = IAM_NAME_MAX_LENGTH - `kubeplane--${LONGEST_KIND}`.length;

/** Checks that `clusterName` makes valid IAM names; errors name `owner` and the prop. */
function checkClusterName(owner: string, clusterName: string): void {
  if (!clusterName) throw new Error(`${owner}: clusterName is required`);
  if (!IAM_NAME_CHARACTERS.test(clusterName)) {
    throw new Error(`${owner}: clusterName may hold only letters, digits and + = , . @ _ - (it is part of IAM role names), got "${clusterName}"`);
  }
  if (clusterName.length > IDENTITY_CLUSTER_NAME_MAX_LENGTH) {
    throw new Error(
      `${owner}: clusterName must be at most ${IDENTITY_CLUSTER_NAME_MAX_LENGTH} characters (IAM role names are at most ${IAM_NAME_MAX_LENGTH}), got ${clusterName.length}`,
    );
  }
}

const EC2_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Props for one node identity. */
export interface AwsNodeIdentityProps {
  /** The cluster's name; the role is `kubeplane-<clusterName>-<kind>`. */
  readonly clusterName: string;
  /** Which kind of node runs as this identity. */
  readonly kind: NodeKind;
  /** ARN pattern of the account's instances, e.g. `arn:aws:ec2:eu-west-1:123456789012:instance/*`. */
  readonly instanceArnPattern: string;
  /**
   * ARN pattern of the account's auto-scaling groups, e.g.
   * `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*`: a failed
   * worker marks itself unhealthy in its group (limited further to the cluster's worker groups by tag).
   * @default no SetInstanceHealth grant (nodes of the kind still tag their own instance)
   */
  readonly autoScalingGroupArnPattern?: string;
}

/** An IAM role with an instance profile and Session Manager access. */
export class AwsNodeIdentity extends Construct implements NodeIdentity {
  readonly kind: NodeKind;
  readonly name: string;
  readonly role: IamRole;
  readonly instanceProfile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: AwsNodeIdentityProps) {
    super(scope, id);
    checkClusterName("AwsNodeIdentity", props.clusterName);
    if (!props.instanceArnPattern) throw new Error("AwsNodeIdentity: instanceArnPattern is required");
    this.kind = props.kind;
    this.name = `kubeplane-${props.clusterName}-${props.kind}`;
    this.role = new IamRole(this, "role", {
      name: this.name,
      description: `kubeplane ${props.clusterName}: ${props.kind} nodes`,
      assumeRolePolicy: EC2_ASSUME_ROLE,
    });
    new IamRolePolicy(this, "session-manager", {
      name: "kubeplane-session-manager",
      role: this.role.id,
      policy: sessionManagerPolicy(props.instanceArnPattern),
    });
    // Nodes that run the bootstrap (a bastion does not) record its outcome on their own instance.
    if (props.kind === "control-plane" || props.kind === "worker") {
      new IamRolePolicy(this, "bootstrap-status", {
        name: "kubeplane-bootstrap-status",
        role: this.role.id,
        policy: bootstrapStatusPolicy({
          clusterName: props.clusterName,
          kind: props.kind,
          instanceArnPattern: props.instanceArnPattern,
          autoScalingGroupArnPattern: props.autoScalingGroupArnPattern,
        }),
      });
    }
    this.instanceProfile = new IamInstanceProfile(this, "profile", { name: this.name, role: this.role.name });
  }
}

/** One identity per kind of node of a cluster. */
export class AwsNodeIdentities extends Construct implements NodeIdentities {
  readonly controlPlane: AwsNodeIdentity;
  readonly workers: AwsNodeIdentity;
  readonly bastion?: AwsNodeIdentity;

  constructor(scope: Construct, id: string, props: NodeIdentitiesProps) {
    super(scope, id);
    checkClusterName("AwsNodeIdentities", props.clusterName);
    const partition = new DataAwsPartition(this, "partition").partition;
    const region = new DataAwsRegion(this, "region").name;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const common = { clusterName: props.clusterName, instanceArnPattern: `arn:${partition}:ec2:${region}:${account}:instance/*` };
    this.controlPlane = new AwsNodeIdentity(this, "control-plane", { ...common, kind: "control-plane" });
    // The controllers the control plane installs for AWS (bootstrap/installers/cloud-addons.ts).
    const at = { partition, region, account };
    new IamRolePolicy(this, "cloud-controller-manager", { name: "kubeplane-cloud-controller-manager", role: this.controlPlane.role.id, policy: cloudControllerPolicy(at) });
    new IamRolePolicy(this, "ebs-csi-controller", { name: "kubeplane-ebs-csi-controller", role: this.controlPlane.role.id, policy: ebsCsiControllerPolicy(at) });
    if (props.clusterAutoscaler) {
      new IamRolePolicy(this, "cluster-autoscaler", {
        name: "kubeplane-cluster-autoscaler",
        role: this.controlPlane.role.id,
        policy: clusterAutoscalerPolicy({ ...at, clusterName: props.clusterName }),
      });
    }
    this.workers = new AwsNodeIdentity(this, "worker", {
      ...common,
      kind: "worker",
      autoScalingGroupArnPattern: `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`,
    });
    if (props.bastion) this.bastion = new AwsNodeIdentity(this, "bastion", { ...common, kind: "bastion" });
  }
}
