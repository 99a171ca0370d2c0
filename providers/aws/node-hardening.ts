/** Settings every kubeplane machine gets: IMDSv2 only, and an encrypted gp3 root volume. */
import { AWS_ROOT_VOLUME_GIB } from "./aws-definition-limits";

/** Instance metadata: tokens required (IMDSv2); one hop, so pods cannot reach it. */
export const IMDSV2_ONLY = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/**
 * An encrypted gp3 root volume of `sizeGiB`, within AWS_ROOT_VOLUME_GIB (gp3's largest; Ubuntu's
 * root snapshot), the bounds the AWS cloud checks definitions against. `owner` names the
 * construct whose `volumeSize` it is, for the error.
 */
export function encryptedRootVolume(
  sizeGiB: number,
  owner: string,
): { volumeType: string; volumeSize: number; encrypted: boolean; deleteOnTermination: boolean } {
  const { min, max } = AWS_ROOT_VOLUME_GIB;
  if (!Number.isInteger(sizeGiB) || sizeGiB < min || sizeGiB > max) {
    throw new Error(`${owner}: volumeSize must be a whole number of GiB, at least ${min} and at most ${max}, got ${sizeGiB}`);
  }
  return { volumeType: "gp3", volumeSize: sizeGiB, encrypted: true, deleteOnTermination: true };
}
