/**
 * The stacks of one cluster: `<name>-network` and `<name>-cluster`, each with its own state,
 * both checked by the cluster's security rule pack (rules/) on every synth.
 */
import { App } from "cdktf";
import type { ClusterDefinition } from "../definition";
import { CloudProvider, cloudFor } from "../providers";
import { RulePack, rulePackFor } from "../rules";
import { ClusterStack } from "./cluster-stack";
import { NetworkStack } from "./network-stack";

/** The stack names of a cluster. */
export function stackNames(clusterName: string): { network: string; cluster: string } {
  return { network: `${clusterName}-network`, cluster: `${clusterName}-cluster` };
}

/**
 * Adds a cluster's stacks to the app, with the cloud's rule pack on both.
 * @param cloud the cloud to build on; by default the definition's (`cloudFor`)
 */
export function addClusterStacks(
  app: App,
  definition: ClusterDefinition,
  cloud: CloudProvider = cloudFor(definition),
): { network: NetworkStack; cluster: ClusterStack; rulePack: RulePack } {
  const names = stackNames(definition.name);
  const network = new NetworkStack(app, names.network, { definition, cloud });
  const cluster = new ClusterStack(app, names.cluster, { definition, cloud, network: network.network });
  cluster.addDependency(network);
  const rulePack = rulePackFor(definition, cluster.ruleFacts, cloud.rules).applyTo(network).applyTo(cluster);
  return { network, cluster, rulePack };
}
