/** The operating-system image nodes boot from. */

/** Props for a machine image. */
export interface MachineImageProps {
  /**
   * An explicit image id that replaces the lookup.
   * @default the cloud's current Ubuntu LTS image
   */
  readonly imageId?: string;
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
