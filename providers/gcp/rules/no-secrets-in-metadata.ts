/**
 * KP-GSEC-2: instance metadata (the user data among it) carries no secret and no SSH key: it is
 * readable by every process on the node and by anyone allowed compute.instances.get.
 */
import { Rule } from "../../../rules/rule";
import { secretsIn } from "../../aws/rules/secrets";

/** A Google service account key file (its JSON's private_key_id field). */
const SERVICE_ACCOUNT_KEY = /"private_key_id"\s*:\s*"[0-9a-f]{40}"/;
/** Metadata keys that hand out SSH access (OS Login is the way in). */
const SSH_KEY_KEYS = ["ssh-keys", "sshKeys"];

export const noSecretsInMetadata: Rule = {
  id: "KP-GSEC-2",
  name: "no-secrets-in-metadata",
  level: "error",
  explanation:
    "Metadata is readable by every process on the node (the metadata server) and by anyone allowed compute.instances.get: no join " +
    "token, certificate key, private key or service account key may be in it, and no ssh-keys (operators log in with OS Login).",
  resourceTypes: ["google_compute_instance", "google_compute_instance_template"],
  check(resource) {
    const c = resource.config;
    const metadata = (c.metadata ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    for (const key of SSH_KEY_KEYS) if (key in metadata) problems.push(`metadata ${key} hands out SSH keys: use OS Login`);
    const texts: [string, unknown][] = [...Object.entries(metadata), ["metadata_startup_script", c.metadata_startup_script]];
    for (const [key, value] of texts) {
      if (typeof value !== "string") continue;
      for (const what of secretsIn(value)) problems.push(`${key} contains what looks like ${what}`);
      if (SERVICE_ACCOUNT_KEY.test(value)) problems.push(`${key} contains what looks like a service account key`);
    }
    return problems;
  },
};
