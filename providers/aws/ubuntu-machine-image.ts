/**
 * The current Ubuntu LTS AMI from Canonical, or an explicit AMI from the definition. Either way
 * the AMI is read with a `data aws_ami`, so its root device name is known: an explicit AMI may
 * name its root device differently from Ubuntu's `/dev/sda1` (Amazon Linux: `/dev/xvda`), and
 * a nonexistent one fails at plan time instead of at launch.
 */
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { Construct } from "constructs";
import type { MachineImage } from "../machine-image";

/** Canonical's AWS account, the owner of official Ubuntu images. */
export const CANONICAL_OWNER = "099720109477";
/** Ubuntu 24.04 LTS (noble), amd64, gp3 root volume. */
export const UBUNTU_LTS_NAME_PATTERN = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*";

/** Props for an UbuntuMachineImage. */
export interface UbuntuMachineImageProps {
  /**
   * An explicit AMI id that replaces the lookup (the definition's `aws.ami`).
   * @default Canonical's current Ubuntu LTS AMI
   */
  readonly imageId?: string;
}

/** See UbuntuMachineImageProps. */
export class UbuntuMachineImage extends Construct implements MachineImage {
  readonly imageId: string;
  readonly rootDeviceName: string;
  /** The AMI's data source: the Ubuntu lookup, or the explicit AMI read by id. */
  readonly ami: DataAwsAmi;

  constructor(scope: Construct, id: string, props: UbuntuMachineImageProps = {}) {
    super(scope, id);
    if (props.imageId !== undefined) {
      if (!/^ami-[0-9a-z]+$/.test(props.imageId)) throw new Error(`UbuntuMachineImage: imageId must be an AMI id, got "${props.imageId}"`);
      // Filtered by id, the query matches one image whoever owns it: no owners, no most_recent.
      this.ami = new DataAwsAmi(this, "explicit", { filter: [{ name: "image-id", values: [props.imageId] }] });
      // The literal id, so that plans and instance attributes show the AMI the definition names.
      this.imageId = props.imageId;
    } else {
      this.ami = new DataAwsAmi(this, "ubuntu", {
        mostRecent: true,
        owners: [CANONICAL_OWNER],
        filter: [
          { name: "name", values: [UBUNTU_LTS_NAME_PATTERN] },
          { name: "architecture", values: ["x86_64"] },
          { name: "virtualization-type", values: ["hvm"] },
          { name: "root-device-type", values: ["ebs"] },
        ],
      });
      this.imageId = this.ami.id;
    }
    this.rootDeviceName = this.ami.rootDeviceName;
  }
}
