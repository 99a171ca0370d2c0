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
    if (!props.clusterName) throw new Error("AwsNodeIdentity: clusterName is required");
    this.kind = props.kind;
    this.name = `kubeplane-${props.clusterName}-${props.kind}`;
    this.role = new IamRole(this, "role", {
      name: this.name,
      description: `kubeplane ${props.clusterName}: ${props.kind} nodes`,
      assumeRolePolicy: EC2_ASSUME_ROLE,
    });
    if (!props.instanceArnPattern) throw new Error("AwsNodeIdentity: instanceArnPattern is required");
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
    const partition = new DataAwsPartition(this, "partition").partition;
    const region = new DataAwsRegion(this, "region").name;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const common = { clusterName: props.clusterName, instanceArnPattern: `arn:${partition}:ec2:${region}:${account}:instance/*` };
    this.controlPlane = new AwsNodeIdentity(this, "control-plane", { ...common, kind: "control-plane" });
    this.workers = new AwsNodeIdentity(this, "worker", { ...common, kind: "worker" });
    if (props.bastion) this.bastion = new AwsNodeIdentity(this, "bastion", { ...common, kind: "bastion" });
  }
}
