/** KP-GNET-3: every subnet logs its flows. */
import { blocks, Rule } from "../../../rules/rule";

export const subnetFlowLogs: Rule = {
  id: "KP-GNET-3",
  name: "subnet-flow-logs",
  level: "error",
  explanation:
    "Every subnet logs its flows (log_config), the record an investigation starts from; `network.flowLogs.enabled: false` " +
    "is an explicit opt-out that a suppression with a reason must accept.",
  resourceTypes: ["google_compute_subnetwork"],
  check(resource) {
    return blocks(resource.config.log_config).length === 0 ? ["has no log_config: its flows are not logged"] : [];
  },
};
