/**
 * Picks the CloudProvider for a definition's `cloud`. The one place that knows every cloud:
 * adding a cloud means a folder under providers/ and one line here.
 */
import type { ClusterDefinition } from "../definition";
import { AwsCloud } from "./aws/aws-cloud";
import { CloudProvider } from "./cloud-provider";
import { SecretsManagerRuntimeSecrets } from "./aws/secrets-manager-runtime-secrets";
import { SsmRuntimeParameters } from "./aws/ssm-runtime-parameters";
import { AwsTaggedResources } from "./aws/tagged-resources";
import type { ClusterResources } from "./cluster-resources";
import type { RuntimeData } from "./runtime-data";

const CLOUDS: Readonly<Record<ClusterDefinition["cloud"], () => CloudProvider>> = {
  aws: () => new AwsCloud(),
};

/** The provider for a definition's cloud. */
export function cloudFor(definition: Pick<ClusterDefinition, "cloud">): CloudProvider {
  const make = CLOUDS[definition.cloud];
  if (!make) throw new Error(`unknown cloud "${definition.cloud}"; known: ${Object.keys(CLOUDS).join(", ")}`);
  return make();
}

const RUNTIME_DATA: Readonly<Record<ClusterDefinition["cloud"], (d: ClusterDefinition) => RuntimeData>> = {
  // Where the nodes wrote depends on the cluster's join-lease store.
  aws: (d) => (d.joinTokens.backend === "secretsmanager" ? new SecretsManagerRuntimeSecrets(d.name, d.region) : new SsmRuntimeParameters(d.name, d.region)),
};

/** What the nodes of a definition's cluster write at run time (removed by `destroy`). */
export function runtimeDataFor(definition: ClusterDefinition): RuntimeData {
  const make = RUNTIME_DATA[definition.cloud];
  if (!make) throw new Error(`unknown cloud "${definition.cloud}"; known: ${Object.keys(RUNTIME_DATA).join(", ")}`);
  return make(definition);
}

const CLUSTER_RESOURCES: Readonly<Record<ClusterDefinition["cloud"], (d: ClusterDefinition) => ClusterResources>> = {
  aws: (d) => new AwsTaggedResources(d.name, d.region),
};

/** The resources tagged with a definition's cluster in its cloud (orphans: `audit`, `destroy --orphans`). */
export function clusterResourcesFor(definition: ClusterDefinition): ClusterResources {
  const make = CLUSTER_RESOURCES[definition.cloud];
  if (!make) throw new Error(`unknown cloud "${definition.cloud}"; known: ${Object.keys(CLUSTER_RESOURCES).join(", ")}`);
  return make(definition);
}
