/** Settings every kubeplane machine gets: IMDSv2 only, and an encrypted gp3 root volume. */

/** Instance metadata: tokens required (IMDSv2); one hop, so pods cannot reach it. */
export const IMDSV2_ONLY = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/** An encrypted gp3 root volume of `sizeGiB`. */
export function encryptedRootVolume(sizeGiB: number): { volumeType: string; volumeSize: number; encrypted: boolean; deleteOnTermination: boolean } {
  if (!Number.isInteger(sizeGiB) || sizeGiB < 8) throw new Error(`volumeSize must be a whole number of GiB, at least 8, got ${sizeGiB}`);
  return { volumeType: "gp3", volumeSize: sizeGiB, encrypted: true, deleteOnTermination: true };
}
