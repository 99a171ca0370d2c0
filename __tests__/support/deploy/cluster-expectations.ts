/**
 * What a cluster definition says should exist in the cloud, computed from the definition itself
 * (the same loader, cloud and address plan the app uses), so the deploy tests check the
 * deployment against the central definition rather than against numbers copied into the test.
 */
import { loadDefinitions, type ClusterDefinition } from "../../../definition";
import { cloudFor } from "../../../providers";
import { planAddresses } from "../../../providers/aws/aws-address-plan";
import { stackNames } from "../../../stacks/cluster-stacks";

/** The expected shape of a deployed cluster. */
export interface ClusterExpectations {
  readonly definition: ClusterDefinition;
  readonly stacks: { readonly network: string; readonly cluster: string };
  readonly zones: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
}

/** Loads the single definition in `file` and derives what its deployment must contain. */
export function clusterExpectations(file: string): ClusterExpectations {
  const [loaded, ...more] = loadDefinitions([file], { cloudFor });
  if (!loaded || more.length > 0) throw new Error(`${file}: expected exactly one cluster definition`);
  const definition = loaded.definition;
  const zones = cloudFor(definition).zonesFor(definition);
  const plan = planAddresses(definition.network.cidr, zones.length, definition.network);
  return { definition, stacks: stackNames(definition.name), zones, ...plan };
}
