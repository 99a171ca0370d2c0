/** `<cluster>-network`: the cluster's VPC, subnets, gateways and routes, in a state of its own. */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ClusterDefinition } from "../definition";
import type { CloudProvider, Network } from "../providers";
import { planAddresses } from "../definition/address-plan";
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
    configureStateBackend(this, def, id);
    const zones = cloud.zonesFor(def);
    const plan = planAddresses(def.network.cidr, zones.length, def.network);
    this.network = cloud.createNetwork(this, "network", {
      clusterName: def.name,
      cidr: def.network.cidr,
      zones,
      natGateways: def.network.natGateways,
      flowLogs: def.network.flowLogs,
      ...plan,
    });
    new TerraformOutput(this, "network_id", { value: this.network.networkId });
    new TerraformOutput(this, "private_subnet_ids", { value: this.network.privateSubnetIds });
    new TerraformOutput(this, "public_subnet_ids", { value: this.network.publicSubnetIds });
  }
}
