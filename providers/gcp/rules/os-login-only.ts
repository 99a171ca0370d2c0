/** KP-GVM-2: nodes are reached with OS Login only: no project-wide SSH keys, no serial console. */
import { Rule } from "../../../rules/rule";

/** Each key's required value (https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys). */
const REQUIRED: Readonly<Record<string, string>> = { "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE" };

export const osLoginOnly: Rule = {
  id: "KP-GVM-2",
  name: "os-login-only",
  level: "error",
  explanation:
    "Operators reach nodes through IAP with OS Login (IAM decides who): every node sets enable-oslogin and block-project-ssh-keys, " +
    "and keeps the interactive serial console off (serial-port-enable), which would bypass both.",
  resourceTypes: ["google_compute_instance", "google_compute_instance_template"],
  check(resource) {
    const metadata = (resource.config.metadata ?? {}) as Record<string, unknown>;
    const problems = Object.entries(REQUIRED)
      .filter(([key, value]) => String(metadata[key] ?? "").toUpperCase() !== value)
      .map(([key, value]) => `metadata ${key} is not ${value}`);
    if (/^(true|1)$/i.test(String(metadata["serial-port-enable"] ?? ""))) problems.push("metadata serial-port-enable turns the interactive serial console on");
    return problems;
  },
};
