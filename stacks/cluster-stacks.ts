/**
 * The stacks of one cluster: `<name>-network` and `<name>-cluster`, each with its own state,
 * both checked by the cluster's security rule pack (rules/) on every synth.
 */
import { App } from "cdktf";
import type { ClusterDefinition } from "../definition";
import { cloudFor } from "../providers";
import { RulePack, rulePackFor, Suppression } from "../rules";
import { ClusterStack } from "./cluster-stack";
import { NetworkStack } from "./network-stack";

/** The stack names of a cluster. */
export function stackNames(clusterName: string): { network: string; cluster: string } {
  return { network: `${clusterName}-network`, cluster: `${clusterName}-cluster` };
}

/**
 * Findings the project itself accepts for now, each listed on every synth with its reason.
 * TEMPORARY: the node roles attach AmazonSSMManagedInstanceCore, which grants ssm:GetParameter(s)
 * on "*" (so a worker can read the control-plane join parameter). The fix belongs in
 * providers/aws/aws-node-identities.ts (a scoped inline Session Manager policy); remove these
 * suppressions with it — the rule-pack tests fail once they match nothing.
 */
export function projectSuppressions(definition: ClusterDefinition): Suppression[] {
  const reason =
    "TEMPORARY, pending a provider fix: AmazonSSMManagedInstanceCore grants ssm:GetParameter(s) on *; " +
    "replace it with a scoped Session Manager policy in providers/aws/aws-node-identities.ts";
  const kinds = ["control-plane", "worker", ...(definition.bastion ? ["bastion"] : [])];
  return [
    ...kinds.map((kind) => ({ rule: "KP-IAM-1", resource: `${stackNames(definition.name).cluster}/identities/${kind}/ssm-core`, reason })),
    { rule: "KP-IAM-2", resource: `${stackNames(definition.name).cluster}/identities/worker/ssm-core`, reason },
  ];
}

/** Adds a cluster's stacks to the app, with the rule pack on both. */
export function addClusterStacks(app: App, definition: ClusterDefinition): { network: NetworkStack; cluster: ClusterStack; rulePack: RulePack } {
  const cloud = cloudFor(definition);
  const names = stackNames(definition.name);
  const network = new NetworkStack(app, names.network, { definition, cloud });
  const cluster = new ClusterStack(app, names.cluster, { definition, cloud, network: network.network });
  cluster.addDependency(network);
  const rulePack = rulePackFor(definition, projectSuppressions(definition)).applyTo(network).applyTo(cluster);
  return { network, cluster, rulePack };
}
