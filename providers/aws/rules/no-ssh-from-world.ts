/** KP-NET-1: SSH is never open to the internet. */
import { describeIngress, INGRESS_TYPES, ingressOf } from "./ingress";
import { describeWorld, isWorld, Rule } from "../../../rules/rule";

const SSH = 22;

export const noSshFromWorld: Rule = {
  id: "KP-NET-1",
  name: "no-ssh-from-world",
  level: "error",
  explanation:
    "SSH (port 22) must not be reachable from 0.0.0.0/0 or ::/0 (or a block broader than a /8, or an IPv6 /16). " +
    "kubeplane nodes and the bastion are reached through " +
    "SSM Session Manager, which needs no inbound port at all.",
  resourceTypes: [...INGRESS_TYPES],
  check(resource) {
    return ingressOf(resource)
      // AWS takes protocol names in any case (TCP, Tcp) and numbers (6); -1 or all is every protocol.
      .filter((r) => r.fromPort <= SSH && SSH <= r.toPort && ["tcp", "6", "-1", "all"].includes(r.protocol.trim().toLowerCase()))
      .flatMap((r) => r.cidrs.filter(isWorld).map((cidr) => `ingress ${describeIngress(r)} opens SSH to ${describeWorld(cidr)}`));
  },
};
