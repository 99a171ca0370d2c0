/** KP-NET-4 (warning): machines get no public IP address; they egress through NAT. */
import { blocks, isTrue, Rule } from "../../../rules/rule";

export const noPublicIpOnNodes: Rule = {
  id: "KP-NET-4",
  name: "no-public-ip-on-nodes",
  level: "warning",
  explanation:
    "Nodes live in private subnets and reach the internet through NAT; a public address makes a node reachable " +
    "from anywhere its security groups allow, and is one misconfigured rule away from exposure.",
  resourceTypes: ["aws_instance", "aws_launch_template", "aws_subnet"],
  check(resource) {
    const c = resource.config;
    switch (resource.type) {
      case "aws_instance":
        return isTrue(c.associate_public_ip_address) ? ["sets associate_public_ip_address = true"] : [];
      case "aws_launch_template":
        return blocks(c.network_interfaces).some((n) => isTrue(n.associate_public_ip_address))
          ? ["gives instances a public address (network_interfaces.associate_public_ip_address = true)"]
          : [];
      default:
        return isTrue(c.map_public_ip_on_launch) ? ["sets map_public_ip_on_launch = true: every instance launched in it gets a public address"] : [];
    }
  },
};
