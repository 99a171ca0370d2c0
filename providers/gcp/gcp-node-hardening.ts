/**
 * What every GCP node (control plane, worker, bastion) is made with:
 * - Shielded VM: secure boot, vTPM and integrity monitoring
 *   (https://cloud.google.com/compute/shielded-vm/docs/shielded-vm);
 * - no external address (a network interface without an access config); egress is Cloud NAT;
 * - metadata: OS Login on (`enable-oslogin`), project-wide SSH keys refused
 *   (`block-project-ssh-keys`), the serial console off (`serial-port-enable`), and guest
 *   attributes on (the node's bootstrap status, metadata/gcp.sh: cloud_tag_node)
 *   (https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys); no `ssh-keys`;
 * - the boot disk encrypted at rest by Compute Engine, always, with Google-managed keys
 *   (https://cloud.google.com/docs/security/encryption/default-encryption); never a raw or
 *   RSA-wrapped customer key, which would sit in Terraform state;
 * - the node's own service account with the `cloud-platform` scope: on Compute Engine scopes are
 *   a legacy second filter, and Google's guidance is the full scope narrowed by IAM
 *   (https://cloud.google.com/compute/docs/access/service-accounts#scopes_best_practice); the
 *   account's IAM (gcp-node-identities.ts and the resources' own bindings) is what it may do.
 * User data travels as the metadata key `user-data`, which cloud-init's GCE data source reads
 * (https://cloudinit.readthedocs.io/en/latest/reference/datasources/gce.html).
 */
import type { GcpNodeIdentity } from "./gcp-identity";

export const SHIELDED_VM = { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true } as const;

/** The OAuth scope nodes' tokens carry (see the file's comment). */
export const NODE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"] as const;

/** A boot disk's type: balanced persistent disk. */
export const BOOT_DISK_TYPE = "pd-balanced";

/** The metadata every node carries, with its user data when it has any. */
export function nodeMetadata(userData?: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    "enable-oslogin": "TRUE",
    "block-project-ssh-keys": "TRUE",
    "serial-port-enable": "FALSE",
    "enable-guest-attributes": "TRUE",
    ...extra,
    ...(userData !== undefined ? { "user-data": userData } : {}),
  };
}

/** The service account block of a node. */
export function nodeServiceAccount(identity: GcpNodeIdentity) {
  return { email: identity.email, scopes: [...NODE_SCOPES] };
}
