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
    this.workers = new AwsNodeIdentity(this, "worker", { ...common, kind: "worker" });
    if (props.bastion) this.bastion = new AwsNodeIdentity(this, "bastion", { ...common, kind: "bastion" });
  }
}
