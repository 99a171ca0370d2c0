/** The current Ubuntu LTS AMI from Canonical, or an explicit AMI from the definition. */
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { Construct } from "constructs";
import type { MachineImage, MachineImageProps } from "../machine-image";

/** Canonical's AWS account, the owner of official Ubuntu images. */
export const CANONICAL_OWNER = "099720109477";
/** Ubuntu 24.04 LTS (noble), amd64, gp3 root volume. */
export const UBUNTU_LTS_NAME_PATTERN = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*";

/** See MachineImageProps. */
export class UbuntuMachineImage extends Construct implements MachineImage {
  readonly imageId: string;

  constructor(scope: Construct, id: string, props: MachineImageProps = {}) {
    super(scope, id);
    if (props.imageId !== undefined) {
      if (!/^ami-[0-9a-z]+$/.test(props.imageId)) throw new Error(`UbuntuMachineImage: imageId must be an AMI id, got "${props.imageId}"`);
      this.imageId = props.imageId;
      return;
    }
    this.imageId = new DataAwsAmi(this, "ubuntu", {
      mostRecent: true,
      owners: [CANONICAL_OWNER],
      filter: [
        { name: "name", values: [UBUNTU_LTS_NAME_PATTERN] },
        { name: "architecture", values: ["x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
        { name: "root-device-type", values: ["ebs"] },
      ],
    }).id;
  }
}
