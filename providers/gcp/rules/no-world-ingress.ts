/** KP-GNET-1: no firewall rule admits the whole internet, on any port. */
import { describeWorld, isWorld, Rule } from "../../../rules/rule";
import { firewallIngress } from "./firewall-rules";

export const noWorldIngress: Rule = {
  id: "KP-GNET-1",
  name: "no-world-ingress",
  level: "error",
  explanation:
    "No VPC firewall rule may admit 0.0.0.0/0 (or a block broader than a /8) on any port, and no ingress rule may name no " +
    "source (GCP then admits 0.0.0.0/0): the cluster is reached from inside the network, Google's health checkers and IAP's range.",
  resourceTypes: ["google_compute_firewall"],
  check(resource) {
    const ingress = firewallIngress(resource);
    if (!ingress) return [];
    return ingress.sourceRanges.filter(isWorld).map((cidr) => `admits ${describeWorld(cidr)} to ${ingress.opens}`);
  },
};
