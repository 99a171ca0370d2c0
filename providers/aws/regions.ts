/**
 * AWS regions and their availability zones, for offline validation of `region` and
 * `network.azs`. In a few regions (us-west-1, ap-northeast-1) zone names differ per account:
 * there, list the zones explicitly.
 */
const ZONE_LETTERS: Readonly<Record<string, string>> = {
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-west-1": "ac",
  "us-west-2": "abcd",
  "ca-central-1": "abd",
  "ca-west-1": "abc",
  "mx-central-1": "abc",
  "sa-east-1": "abc",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "il-central-1": "abc",
  "me-south-1": "abc",
  "me-central-1": "abc",
  "af-south-1": "abc",
  "ap-east-1": "abc",
  "ap-south-1": "abc",
  "ap-south-2": "abc",
  "ap-northeast-1": "acd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-southeast-3": "abc",
  "ap-southeast-4": "abc",
  "ap-southeast-5": "abc",
  "ap-southeast-7": "abc",
};

/** Every region kubeplane knows, sorted. */
export function knownRegions(): string[] {
  return Object.keys(ZONE_LETTERS).sort();
}

/** The zones of a region, or undefined for an unknown region. */
export function zonesOf(region: string): string[] | undefined {
  const letters = ZONE_LETTERS[region];
  return letters ? [...letters].map((l) => `${region}${l}`) : undefined;
}
