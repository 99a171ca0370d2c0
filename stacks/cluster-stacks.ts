/** The stacks of one cluster: `<name>-network` and `<name>-cluster`, each with its own state. */
import { App } from "cdktf";
import type { ClusterDefinition } from "../definition";
import { cloudFor } from "../providers";
import { ClusterStack } from "./cluster-stack";
import { NetworkStack } from "./network-stack";

/** The stack names of a cluster. */
export function stackNames(clusterName: string): { network: string; cluster: string } {
  return { network: `${clusterName}-network`, cluster: `${clusterName}-cluster` };
}

/** Adds a cluster's stacks to the app. */
export function addClusterStacks(app: App, definition: ClusterDefinition): { network: NetworkStack; cluster: ClusterStack } {
  const cloud = cloudFor(definition);
  const names = stackNames(definition.name);
  const network = new NetworkStack(app, names.network, { definition, cloud });
  const cluster = new ClusterStack(app, names.cluster, { definition, cloud, network: network.network });
  cluster.addDependency(network);
  return { network, cluster };
}
