/**
 * The image GCP nodes boot: Canonical's Ubuntu 24.04 LTS (amd64) image family in the public
 * `ubuntu-os-cloud` project (https://cloud.google.com/compute/docs/images/os-details#ubuntu_lts),
 * looked up at plan time, or the definition's `gcp.image`. The root device is the boot disk.
 */
import { DataGoogleComputeImage } from "@cdktf/provider-google/lib/data-google-compute-image";
import { Construct } from "constructs";
import type { MachineImage } from "../machine-image";

export const UBUNTU_IMAGE = { project: "ubuntu-os-cloud", family: "ubuntu-2404-lts-amd64" } as const;

/** Props for a GcpMachineImage. */
export interface GcpMachineImageProps {
  /** An image (`projects/<p>/global/images/...`) that replaces the lookup. @default the Ubuntu LTS family */
  readonly image?: string;
}

/** See the file's comment. */
export class GcpMachineImage extends Construct implements MachineImage {
  readonly imageId: string;
  /** GCE boots from the instance's boot disk: there is no device mapping to name. */
  readonly rootDeviceName = "boot";

  constructor(scope: Construct, id: string, props: GcpMachineImageProps = {}) {
    super(scope, id);
    if (props.image !== undefined && !/^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[^/\s]+\/global\/images\/\S+$/.test(props.image)) {
      throw new Error(`GcpMachineImage ${this.node.path}: image "${props.image}" is not an image like projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64`);
    }
    this.imageId = props.image ?? new DataGoogleComputeImage(this, "ubuntu", { project: UBUNTU_IMAGE.project, family: UBUNTU_IMAGE.family }).selfLink;
  }
}
