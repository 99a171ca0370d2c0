/**
 * GCP regions and their zones, for offline validation of `region` and `network.azs` (zones are
 * `<region>-<letter>`). From Google's "Regions and zones" table,
 * https://cloud.google.com/compute/docs/regions-zones#available (general-purpose regions).
 */
const ZONE_LETTERS: Readonly<Record<string, string>> = {
  "africa-south1": "abc",
  "asia-east1": "abc",
  "asia-east2": "abc",
  "asia-northeast1": "abc",
  "asia-northeast2": "abc",
  "asia-northeast3": "abc",
  "asia-south1": "abc",
  "asia-south2": "abc",
  "asia-southeast1": "abc",
  "asia-southeast2": "abc",
  "australia-southeast1": "abc",
  "australia-southeast2": "abc",
  "europe-central2": "abc",
  "europe-north1": "abc",
  "europe-southwest1": "abc",
  "europe-west1": "bcd",
  "europe-west2": "abc",
  "europe-west3": "abc",
  "europe-west4": "abc",
  "europe-west6": "abc",
  "europe-west8": "abc",
  "europe-west9": "abc",
  "europe-west10": "abc",
  "europe-west12": "abc",
  "me-central1": "abc",
  "me-west1": "abc",
  "northamerica-northeast1": "abc",
  "northamerica-northeast2": "abc",
  "southamerica-east1": "abc",
  "southamerica-west1": "abc",
  "us-central1": "abcf",
  "us-east1": "bcd",
  "us-east4": "abc",
  "us-east5": "abc",
  "us-south1": "abc",
  "us-west1": "abc",
  "us-west2": "abc",
  "us-west3": "abc",
  "us-west4": "abc",
};

/** The zones of a region, or undefined for a region kubeplane does not know. */
export function gcpZonesOf(region: string): string[] | undefined {
  const letters = Object.prototype.hasOwnProperty.call(ZONE_LETTERS, region) ? ZONE_LETTERS[region] : undefined;
  return letters === undefined ? undefined : [...letters].map((l) => `${region}-${l}`);
}

/** Every region kubeplane knows, sorted. */
export function knownGcpRegions(): string[] {
  return Object.keys(ZONE_LETTERS).sort();
}
