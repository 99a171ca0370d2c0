/** KP-GNET-2: no instance or instance template gives a node an external address. */
import { blocks, Rule } from "../../../rules/rule";

export const noPublicIpOnNodes: Rule = {
  id: "KP-GNET-2",
  name: "no-public-ip-on-nodes",
  level: "error",
  explanation:
    "Nodes have internal addresses only and reach the internet through Cloud NAT; an access_config on a network interface " +
    "gives the machine an external address, reachable from anywhere the firewall allows.",
  resourceTypes: ["google_compute_instance", "google_compute_instance_template"],
  check(resource) {
    return blocks(resource.config.network_interface).flatMap((n, i) =>
      blocks(n.access_config).length > 0 || blocks(n.ipv6_access_config).length > 0 ? [`network_interface ${i} has an access config: an external address`] : [],
    );
  },
};
