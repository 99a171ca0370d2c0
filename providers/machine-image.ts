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
}
