/** Settings every kubeplane machine gets: IMDSv2 only, and an encrypted gp3 root volume. */

/** Instance metadata: tokens required (IMDSv2); one hop, so pods cannot reach it. */
export const IMDSV2_ONLY = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/**
 * An encrypted gp3 root volume of `sizeGiB` (gp3 takes 1 to 16384 GiB; Ubuntu needs 8). `owner`
 * names the construct whose `volumeSize` it is, for the error.
 */
export function encryptedRootVolume(
  sizeGiB: number,
  owner: string,
): { volumeType: string; volumeSize: number; encrypted: boolean; deleteOnTermination: boolean } {
  if (!Number.isInteger(sizeGiB) || sizeGiB < 8 || sizeGiB > 16384) {
    throw new Error(`${owner}: volumeSize must be a whole number of GiB, at least 8 and at most 16384, got ${sizeGiB}`);
  }
  return { volumeType: "gp3", volumeSize: sizeGiB, encrypted: true, deleteOnTermination: true };
}
