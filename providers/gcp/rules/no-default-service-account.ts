/** KP-GIAM-2: every node runs as a service account the stack makes, never Compute Engine's default. */
import { blocks, Rule } from "../../../rules/rule";
import { parseReference } from "../../../rules/stack-view";

export const noDefaultServiceAccount: Rule = {
  id: "KP-GIAM-2",
  name: "no-default-service-account",
  level: "error",
  explanation:
    "An instance without a service_account block, or with the default compute service account (<number>-compute@developer.gserviceaccount.com, " +
    "which has the editor role in many projects), runs with far more than a node needs; each kind of node runs as its own account.",
  resourceTypes: ["google_compute_instance", "google_compute_instance_template"],
  check(resource) {
    const accounts = blocks(resource.config.service_account);
    if (accounts.length === 0) return ["names no service_account: Compute Engine gives it the default compute service account"];
    return accounts.flatMap((a) => {
      const email = a.email;
      const ref = parseReference(email);
      if (ref?.kind === "resource" && ref.type === "google_service_account") return [];
      return [`runs as ${email === undefined ? "the default compute service account (no email)" : String(email)}, not a service account of the cluster`];
    });
  },
};
