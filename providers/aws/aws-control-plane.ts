/**
 * Control-plane instances spread over the private subnets, registered with the API load
 * balancers when there are any (the internal one of an HA control plane, the public one). The first node initialises the cluster; the others join it.
 * AMI and user data changes do not replace a running control-plane node (upgrades are a
 * deliberate, node-by-node operation), so they are ignored after creation.
 */
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import type { ControlPlane, ControlPlaneProps } from "../control-plane";
import { asAwsIdentity } from "./aws-identity";
import { encryptedRootVolume, IMDSV2_ONLY } from "./node-hardening";
import { nodeTags } from "./tags";

/** See ControlPlaneProps. */
export class AwsControlPlane extends Construct implements ControlPlane {
  readonly instanceIds: readonly string[];
  readonly endpointHost: string;
  readonly firstNodeAddress: string;
  readonly instances: readonly Instance[];

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const { count } = props;
    if (!Number.isInteger(count) || count < 1 || (count > 1 && count % 2 === 0)) {
      throw new Error(`AwsControlPlane: count must be 1 or an odd number of at least 3, got ${count}`);
    }
    if (count > 1 && props.joinUserData === undefined) throw new Error("AwsControlPlane: joinUserData is required when count > 1");
    if (count > 1 && props.loadBalancer === undefined) throw new Error("AwsControlPlane: loadBalancer is required when count > 1");
    if (props.loadBalancer?.isPublic) throw new Error("AwsControlPlane: loadBalancer must be internal (nodes reach their API through it); pass an internet-facing one as publicLoadBalancer");
    if (props.publicLoadBalancer && !props.publicLoadBalancer.isPublic) throw new Error("AwsControlPlane: publicLoadBalancer must be internet-facing; pass an internal one as loadBalancer");
    if (props.placements.length === 0) throw new Error("AwsControlPlane: placements must name at least one placement");
    // Without a group, EC2 attaches the VPC's default security group.
    if (props.firewallGroupIds.length === 0) throw new Error("AwsControlPlane: firewallGroupIds must name at least one security group");
    if (!props.initUserData) throw new Error("AwsControlPlane: initUserData is required (the first node initialises the cluster with it)");
    const rootVolume = encryptedRootVolume(props.volumeSizeGiB, "AwsControlPlane");
    const identity = asAwsIdentity(props.identity, "AwsControlPlane: identity");

    const initUserData = new TerraformLocal(this, "init-user-data", props.initUserData);
    const joinUserData = count > 1 ? new TerraformLocal(this, "join-user-data", props.joinUserData) : undefined;
    this.instances = Array.from({ length: count }, (_, i) => {
      const instance = new Instance(this, `node-${i}`, {
        ami: props.image.imageId,
        instanceType: props.instanceType,
        subnetId: props.placements[i % props.placements.length].subnetId,
        vpcSecurityGroupIds: [...props.firewallGroupIds],
        iamInstanceProfile: identity.instanceProfile.name,
        // gzip-compressed (cloud-init decompresses it): EC2 takes 16 KiB. Through a local: user
        // data may hold references (tokens) and quotes, which a function argument cannot take literally.
        userDataBase64: Fn.base64gzip((i === 0 ? initUserData : joinUserData!).asString),
        metadataOptions: { ...IMDSV2_ONLY },
        rootBlockDevice: rootVolume,
        tags: { ...nodeTags(props.clusterName, "control-plane"), Name: `${props.clusterName}-control-plane-${i}` },
        lifecycle: { ignoreChanges: ["ami", "user_data", "user_data_base64"] },
      });
      props.loadBalancer?.addTarget(`node-${i}`, instance.id);
      props.publicLoadBalancer?.addTarget(`node-${i}`, instance.id);
      return instance;
    });
    this.instanceIds = this.instances.map((i) => i.id);
    this.firstNodeAddress = this.instances[0].privateIp;
    this.endpointHost = props.loadBalancer?.dnsName ?? this.firstNodeAddress;
  }
}
