/**
 * Workers: a launch template (IMDSv2, the encrypted root volume mapped under the image's root
 * device name, the worker user data) and an auto-scaling group over the private subnets. The
 * group tags itself and its instances (`default_tags` does not reach ASG-launched instances).
 */
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import type { WorkerPool, WorkerPoolProps } from "../worker-pool";
import { asAwsIdentity } from "./aws-identity";
import { encryptedRootVolume, IMDSV2_ONLY } from "./node-hardening";
import { nodeTags } from "./tags";

/** The launch template API spells the volume's booleans as strings. */
function launchTemplateVolume(volume: ReturnType<typeof encryptedRootVolume>) {
  return { ...volume, encrypted: String(volume.encrypted), deleteOnTermination: String(volume.deleteOnTermination) };
}

/** See WorkerPoolProps. */
export class AwsWorkerPool extends Construct implements WorkerPool {
  readonly poolName: string;
  readonly launchTemplate: LaunchTemplate;
  readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { min, desired, max } = props;
    for (const [prop, value] of Object.entries({ min, desired, max })) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`AwsWorkerPool: ${prop} must be a whole number ≥ 0, got ${value}`);
    }
    if (min > max) throw new Error(`AwsWorkerPool: min (${min}) must not exceed max (${max})`);
    if (desired < min || desired > max) throw new Error(`AwsWorkerPool: desired (${desired}) must be within [min, max] = [${min}, ${max}]`);
    if (props.placements.length === 0) throw new Error("AwsWorkerPool: placements must name at least one placement");
    // Without a group, EC2 attaches the VPC's default security group.
    if (props.firewallGroupIds.length === 0) throw new Error("AwsWorkerPool: firewallGroupIds must name at least one security group");
    const rootVolume = encryptedRootVolume(props.volumeSizeGiB, "AwsWorkerPool");
    const rootDeviceName = props.image.rootDeviceName;
    if (!Token.isUnresolved(rootDeviceName) && !/^\/dev\/[a-z0-9]+$/.test(rootDeviceName)) {
      throw new Error(`AwsWorkerPool: rootDeviceName must be a device name like /dev/sda1 or /dev/xvda, got "${rootDeviceName}"`);
    }
    const identity = asAwsIdentity(props.identity, "AwsWorkerPool: identity");
    const name = `kubeplane-${props.clusterName}-workers`;
    const tags = { ...(props.tags ?? {}), ...nodeTags(props.clusterName, "worker") };

    this.launchTemplate = new LaunchTemplate(this, "template", {
      name,
      description: `kubeplane ${props.clusterName}: workers`,
      imageId: props.image.imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: identity.instanceProfile.arn },
      vpcSecurityGroupIds: [...props.firewallGroupIds],
      // Through a local: user data may hold references (tokens) and quotes, which a function
      // argument cannot take literally.
      // gzip-compressed (cloud-init decompresses it): EC2 takes 16 KiB of user data.
      userData: Fn.base64gzip(new TerraformLocal(this, "user-data", props.userData).asString),
      metadataOptions: { ...IMDSV2_ONLY },
      blockDeviceMappings: [{ deviceName: rootDeviceName, ebs: launchTemplateVolume(rootVolume) }],
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      updateDefaultVersion: true,
    });

    this.group = new AutoscalingGroup(this, "group", {
      name,
      minSize: min,
      desiredCapacity: desired,
      maxSize: max,
      // One subnet per zone on AWS; placements that share a subnet name it once.
      vpcZoneIdentifier: [...new Set(props.placements.map((p) => p.subnetId))],
      healthCheckType: "EC2",
      // A worker whose bootstrap failed marks itself unhealthy (SetInstanceHealth, which works with
      // the EC2 check type) without waiting out this grace period (--no-should-respect-grace-period);
      // the period only keeps the group's own EC2 checks off instances still booting.
      healthCheckGracePeriod: 300,
      launchTemplate: { id: this.launchTemplate.id, version: "$Latest" },
      tag: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
    this.poolName = this.group.name;
  }
}
