/** `<cluster>-network`: the cluster's VPC, subnets, gateways and routes, in a state of its own. */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ClusterDefinition } from "../definition";
import type { CloudProvider, Network, Placement } from "../providers";
import { configureStateBackend } from "./state-backend";

/** Props for a NetworkStack. */
export interface NetworkStackProps {
  /** The validated cluster definition. */
  readonly definition: ClusterDefinition;
  /** The cloud to build on (from `cloudFor(definition)`). */
  readonly cloud: CloudProvider;
}

/** The network stack of one cluster. */
export class NetworkStack extends TerraformStack {
  readonly network: Network;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id);
    const { definition: def, cloud } = props;
    cloud.configureStack(this, def);
    configureStateBackend(this, def, id, cloud);
    // The cloud plans its own addresses (AWS: a private and a public subnet per zone).
    this.network = cloud.createNetwork(this, "network", {
      clusterName: def.name,
      cidr: def.network.cidr,
      zones: cloud.zonesFor(def),
      natGateways: def.network.natGateways,
      flowLogs: def.network.flowLogs,
      privateSubnetCidrs: def.network.privateSubnets,
      publicSubnetCidrs: def.network.publicSubnets,
    });
    const subnetIds = (placements: readonly Placement[]) => [...new Set(placements.map((p) => p.subnetId))];
    new TerraformOutput(this, "network_id", { value: this.network.networkId });
    new TerraformOutput(this, "private_subnet_ids", { value: subnetIds(this.network.nodePlacements) });
    new TerraformOutput(this, "public_subnet_ids", { value: subnetIds(this.network.publicPlacements) });
  }
}
