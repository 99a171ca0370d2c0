/**
 * A small instance in a private subnet, reached through SSM Session Manager (no SSH, no public
 * IP). Not a Kubernetes node: tagged with the cluster (`kubeplane:cluster`) but not as owned by
 * it for the AWS cloud provider (`kubernetes.io/cluster/<name>`).
 */
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Construct } from "constructs";
import type { Bastion, BastionProps } from "../bastion";
import { asAwsIdentity } from "./aws-identity";
import { encryptedRootVolume, IMDSV2_ONLY } from "./node-hardening";
import { nodeTags } from "./tags";

/** See BastionProps. */
export class AwsBastion extends Construct implements Bastion {
  readonly instanceId: string;
  readonly instance: Instance;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    if (!props.placement?.subnetId) throw new Error("AwsBastion: placement must name a subnet");
    // Without a group, EC2 attaches the VPC's default security group.
    if (props.firewallGroupIds.length === 0) throw new Error("AwsBastion: firewallGroupIds must name at least one security group");
    const identity = asAwsIdentity(props.identity, "AwsBastion: identity");
    this.instance = new Instance(this, "instance", {
      ami: props.image.imageId,
      instanceType: props.instanceType ?? "t3.micro",
      subnetId: props.placement.subnetId,
      vpcSecurityGroupIds: [...props.firewallGroupIds],
      iamInstanceProfile: identity.instanceProfile.name,
      associatePublicIpAddress: false,
      metadataOptions: { ...IMDSV2_ONLY },
      rootBlockDevice: encryptedRootVolume(20, "AwsBastion"),
      tags: nodeTags(props.clusterName, "bastion"),
      lifecycle: { ignoreChanges: ["ami"] },
    });
    this.instanceId = this.instance.id;
  }
}
