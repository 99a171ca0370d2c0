/**
 * KP-GSEC-1: no secret value reaches Terraform (its state is readable by everyone who can plan):
 * no Secret Manager version (the control plane adds the lease's versions at run time), no service
 * account key, no raw or RSA-wrapped disk key.
 */
import { blocks, Rule } from "../../../rules/rule";

const DISK_KEYS = ["disk_encryption_key_raw", "disk_encryption_key_rsa"];

export const noSecretsInTerraform: Rule = {
  id: "KP-GSEC-1",
  name: "no-secrets-in-terraform",
  level: "error",
  explanation:
    "Terraform state holds every attribute in clear: a secret version's data, a service account key or a customer-supplied " +
    "disk key written by Terraform is readable by anyone who can read the state. Nodes publish the join lease at run time.",
  resourceTypes: ["google_secret_manager_secret_version", "google_service_account_key", "google_compute_instance", "google_compute_instance_template", "google_compute_disk"],
  check(resource) {
    const c = resource.config;
    switch (resource.type) {
      case "google_secret_manager_secret_version":
        return ["writes a secret version: its data lands in Terraform state (the control plane writes the lease at run time)"];
      case "google_service_account_key":
        return ["makes a service account key: its private key lands in Terraform state (nodes use their metadata server's tokens)"];
      default: {
        const disks = [...blocks(c.boot_disk), ...blocks(c.attached_disk), ...blocks(c.disk), c];
        const keyed = disks.some((d) => DISK_KEYS.some((k) => d[k] !== undefined) || blocks(d.disk_encryption_key).some((k) => k.raw_key !== undefined || k.rsa_encrypted_key !== undefined));
        return keyed ? ["carries a customer-supplied disk key: it lands in Terraform state"] : [];
      }
    }
  },
};
