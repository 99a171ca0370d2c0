/** KP-NET-5: no group lets everything out to the whole internet, unless the definition asks for it. */
import { askedFor, canonicalProtocol, describeEgress, Egress, EGRESS_TYPES, egressOf, onAllPorts } from "./egress";
import { AllowedEgress, describeWorld, isWorld, Rule } from "../../../rules/rule";
import { ResourceView, StackView } from "../../../rules/stack-view";
import { pointingAt } from "./vpc-flow-logs";

/** True when the ranges together cover every port, 1 to 65535. */
function coverEveryPort(ranges: readonly Egress[]): boolean {
  let next = 1;
  for (const r of [...ranges].sort((a, b) => a.fromPort - b.fromPort)) {
    if (r.fromPort > next) return false;
    next = Math.max(next, r.toPort + 1);
    if (next > 65535) return true;
  }
  return false;
}

/**
 * A group's world egress that is split into ranges which, together, open every tcp or udp port
 * (inline, and in rule resources for the group): as open as one all-ports rule.
 */
function splitAllPorts(group: ResourceView, view: StackView, allowed: readonly AllowedEgress[]): string[] {
  const rules = [
    ...egressOf(group),
    ...pointingAt(group, "aws_security_group_rule", "security_group_id", view).flatMap(egressOf),
    ...pointingAt(group, "aws_vpc_security_group_egress_rule", "security_group_id", view).flatMap(egressOf),
  ].filter((r) => !onAllPorts(r));
  const findings: string[] = [];
  for (const protocol of ["tcp", "udp"]) {
    const ofProtocol = rules.filter((r) => canonicalProtocol(r.protocol) === protocol);
    const worlds = [...new Set(ofProtocol.flatMap((r) => r.cidrs).filter(isWorld))];
    for (const cidr of worlds) {
      const ranges = ofProtocol.filter((r) => r.cidrs.includes(cidr) && !askedFor(r, cidr, allowed));
      if (coverEveryPort(ranges)) findings.push(`egress rules together let every ${protocol} port out to ${describeWorld(cidr)}`);
    }
  }
  return findings;
}

export const noWorldEgressAllPorts: Rule = {
  id: "KP-NET-5",
  name: "no-world-egress-all-ports",
  level: "error",
  explanation:
    "No security group may let traffic out to 0.0.0.0/0 or ::/0 (or a block broader than a /8, or an IPv6 /16) on every port " +
    "(in one rule, or in ranges that together cover every port): nodes need HTTPS (443) and HTTP (80) to the internet and " +
    "everything inside the VPC (DNS and NTP go to AWS's link-local services, which security groups do not filter). More " +
    "must be asked for in the definition (network.extraEgress: { description, protocol, fromPort, toPort, cidrs }).",
  resourceTypes: [...EGRESS_TYPES],
  check(resource, { cluster, stack }) {
    const allowed = cluster.extraEgress ?? [];
    const single = egressOf(resource)
      .filter(onAllPorts)
      .flatMap((r) =>
        r.cidrs
          .filter((cidr) => isWorld(cidr) && !askedFor(r, cidr, allowed))
          .map((cidr) => `egress ${describeEgress(r)} lets everything out to ${describeWorld(cidr)}, which the definition's network.extraEgress does not ask for`),
      );
    return resource.type === "aws_security_group" ? [...single, ...splitAllPorts(resource, stack, allowed)] : single;
  },
};
