/** What the GCP rules read from a `google_compute_firewall`: its direction, sources and what it opens. */
import { blocks, isTrue, strings } from "../../../rules/rule";
import type { ResourceView } from "../../../rules/stack-view";

/** An ingress firewall rule's sources as GCP applies them. */
export interface FirewallIngress {
  /** The source ranges; GCP takes 0.0.0.0/0 for an ingress rule that names no source at all (https://cloud.google.com/firewall/docs/firewalls#sources_for_ingress_rules). */
  readonly sourceRanges: readonly string[];
  /** What it opens, for messages: `tcp 6443`, `all`. */
  readonly opens: string;
}

/** The ingress of a firewall resource, or undefined for an egress, denying or disabled rule. */
export function firewallIngress(resource: ResourceView): FirewallIngress | undefined {
  const c = resource.config;
  if ((c.direction ?? "INGRESS") !== "INGRESS" || isTrue(c.disabled) || blocks(c.allow).length === 0) return undefined;
  const ranges = strings(c.source_ranges);
  const named = ranges.length + strings(c.source_tags).length + strings(c.source_service_accounts).length;
  const opens = blocks(c.allow).map((a) => `${a.protocol}${strings(a.ports).length ? ` ${strings(a.ports).join(",")}` : ""}`).join("; ");
  return { sourceRanges: named === 0 ? ["0.0.0.0/0"] : ranges, opens };
}
