/**
 * GCP's limits on what a cluster definition may ask for, each written once: the GCP cloud checks
 * definitions against them (gcp-definition.ts) and the constructs that meet them validate their
 * props with the same constants. Kept free of imports so that any construct can read them.
 */

/**
 * Project ids: 6 to 30 characters, lower-case letters, digits and hyphens, starting with a
 * letter and not ending with a hyphen
 * (https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin,
 * "Project ID requirements").
 */
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * Service account ids are 6 to 30 characters, `[a-z]([-a-z0-9]*[a-z0-9])`
 * (https://cloud.google.com/iam/docs/service-accounts-create#creating, "the ID must be between 6
 * and 30 characters"); the nodes' accounts are `kp-<cluster>-bastion` at the longest
 * (gcp-node-identities.ts): 19 characters are left for the cluster's name.
 */
export const GCP_SERVICE_ACCOUNT_ID_MAX_LENGTH = 30;
export const GCP_CLUSTER_NAME_MAX_LENGTH = GCP_SERVICE_ACCOUNT_ID_MAX_LENGTH - "kp--bastion".length;

/**
 * Boot disks are pd-balanced: at most 65536 GB (https://cloud.google.com/compute/docs/disks#pdspecs,
 * "Persistent Disk ... up to 64 TiB"), at least 10 GB (Ubuntu's images on GCE are 10 GB; a disk
 * smaller than its image is refused).
 */
export const GCP_BOOT_DISK_GB = { min: 10, max: 65536 } as const;

/**
 * The subnet's primary IPv4 range: GCP takes /29 at the smallest
 * (https://cloud.google.com/vpc/docs/subnets#valid-ranges); kubeplane takes a /8 at the largest
 * (the "/8 is the world" bound of definition/cidr.ts keeps every range private-sized).
 */
export const GCP_SUBNET_PREFIX = { largest: 8, smallest: 29 } as const;

/**
 * Labels (the definition's `tags`): keys 1-63 characters of lower-case letters, digits, `_` and
 * `-`, starting with a lower-case letter; values at most 63 of the same characters
 * (https://cloud.google.com/compute/docs/labeling-resources#requirements).
 */
export const GCP_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const GCP_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/**
 * Subnet flow logs go to Cloud Logging, whose `_Default` bucket keeps them 30 days
 * (https://cloud.google.com/logging/docs/routing/overview#logs-retention); kubeplane makes no log
 * bucket of its own, so 30 is the one retention a GCP definition may ask for.
 */
export const GCP_FLOW_LOG_RETENTION_DAYS = 30;
