/** KP-NET-5: no group lets everything out to the whole internet, unless the definition asks for it. */
import { askedFor, describeEgress, EGRESS_TYPES, egressOf, onAllPorts } from "./egress";
import { describeWorld, isWorld, Rule } from "./rule";

export const noWorldEgressAllPorts: Rule = {
  id: "KP-NET-5",
  name: "no-world-egress-all-ports",
  level: "error",
  explanation:
    "No security group may let traffic out to 0.0.0.0/0 or ::/0 (or a block broader than a /8, or an IPv6 /16) on every port: " +
    "nodes need HTTPS (443) and HTTP (80) to the internet and everything inside the VPC (DNS and NTP go to AWS's " +
    "link-local services, which security groups do not filter). More must be asked for in the definition " +
    "(network.extraEgress: { description, protocol, fromPort, toPort, cidrs }).",
  resourceTypes: [...EGRESS_TYPES],
  check(resource, { cluster }) {
    return egressOf(resource)
      .filter(onAllPorts)
      .flatMap((r) =>
        r.cidrs
          .filter((cidr) => isWorld(cidr) && !askedFor(r, cidr, cluster.extraEgress ?? []))
          .map((cidr) => `egress ${describeEgress(r)} lets everything out to ${describeWorld(cidr)}, which the definition's network.extraEgress does not ask for`),
      );
  },
};
