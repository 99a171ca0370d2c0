/**
 * Picks the CloudProvider for a definition's `cloud`. The one place that knows every cloud:
 * adding a cloud means a folder under providers/ and one line here.
 */
import type { ClusterDefinition } from "../definition";
import { AwsCloud } from "./aws/aws-cloud";
import { CloudProvider } from "./cloud-provider";
import type { ClusterResources } from "./cluster-resources";
import type { RuntimeData } from "./runtime-data";

const CLOUDS: Readonly<Record<ClusterDefinition["cloud"], () => CloudProvider>> = {
  aws: () => new AwsCloud(),
  // Loaded when a definition names it, so that AWS clusters never load the google provider.
  gcp: () => new (require("./gcp/gcp-cloud") as typeof import("./gcp/gcp-cloud")).GcpCloud(),
};

/** The provider for a definition's cloud. */
export function cloudFor(definition: Pick<ClusterDefinition, "cloud">): CloudProvider {
  const make = CLOUDS[definition.cloud];
  if (!make) throw new Error(`unknown cloud "${definition.cloud}"; known: ${Object.keys(CLOUDS).join(", ")}`);
  return make();
}

/** What the nodes of a definition's cluster write at run time (removed by `destroy`). */
export function runtimeDataFor(definition: ClusterDefinition): RuntimeData {
  return cloudFor(definition).runtimeData(definition);
}

/** The resources tagged with a definition's cluster in its cloud (orphans: `audit`, `destroy --orphans`). */
export function clusterResourcesFor(definition: ClusterDefinition): ClusterResources {
  return cloudFor(definition).clusterResources(definition);
}
