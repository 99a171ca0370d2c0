/** KP-GVM-1: every node is a Shielded VM with secure boot, vTPM and integrity monitoring. */
import { blocks, isTrue, Rule } from "../../../rules/rule";

const SETTINGS = ["enable_secure_boot", "enable_vtpm", "enable_integrity_monitoring"] as const;

export const shieldedVm: Rule = {
  id: "KP-GVM-1",
  name: "shielded-vm",
  level: "error",
  explanation:
    "Shielded VM verifies the boot chain (secure boot), measures it (vTPM) and reports changes (integrity monitoring); every " +
    "kubeplane node turns all three on (https://cloud.google.com/compute/shielded-vm/docs/shielded-vm).",
  resourceTypes: ["google_compute_instance", "google_compute_instance_template"],
  check(resource) {
    const config = blocks(resource.config.shielded_instance_config)[0];
    if (!config) return ["has no shielded_instance_config: secure boot is off"];
    return SETTINGS.filter((s) => !isTrue(config[s])).map((s) => `shielded_instance_config.${s} is not true`);
  },
};
