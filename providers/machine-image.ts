/** The operating-system image nodes boot from. */
import type { CloudBlock } from "../definition";

/** Props for a machine image. */
export interface MachineImageProps {
  /**
   * The definition's block for this cloud (`cloudBlockOf(definition)`, e.g. `aws: { ami }`),
   * which may name an image that replaces the lookup; only the cloud reads it.
   * @default no block: the cloud's current Ubuntu LTS image
   */
  readonly cloudBlock?: CloudBlock;
}

/** A resolved machine image. */
export interface MachineImage {
  /** The image id nodes boot from. */
  readonly imageId: string;
  /**
   * The device name of the image's root volume, as the image declares it (e.g. `/dev/sda1` on
   * Ubuntu, `/dev/xvda` on Amazon Linux); may be a token resolved at plan time. Launch templates
   * must map the root volume under this name: a mapping under another name adds a second volume
   * and leaves the root volume as the image's snapshot has it (e.g. unencrypted).
   */
  readonly rootDeviceName: string;
}
