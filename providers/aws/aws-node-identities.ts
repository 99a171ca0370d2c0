/** IAM roles and instance profiles for each kind of node, each able to use SSM Session Manager. */
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import type { NodeIdentities, NodeIdentitiesProps, NodeIdentity, NodeKind } from "../node-identity";

/** The AWS managed policy that lets Session Manager and Run Command reach an instance. */
export const SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

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
    new IamRolePolicyAttachment(this, "ssm-core", { role: this.role.name, policyArn: SSM_MANAGED_INSTANCE_CORE });
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
    this.controlPlane = new AwsNodeIdentity(this, "control-plane", { clusterName: props.clusterName, kind: "control-plane" });
    this.workers = new AwsNodeIdentity(this, "worker", { clusterName: props.clusterName, kind: "worker" });
    if (props.bastion) this.bastion = new AwsNodeIdentity(this, "bastion", { clusterName: props.clusterName, kind: "bastion" });
  }
}
