/** The cluster's private network: address space, zones, public and private subnets, egress. */

/** Flow logs: a record of every connection in the network, kept for a while. */
export interface FlowLogSettings {
  /**
   * Whether the network's flows are logged. `false` is an explicit opt-out: the rule pack then
   * reports the network as unlogged until the definition suppresses that finding with a reason.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How many days the records are kept; one of the periods the cloud's log service accepts
   * (on AWS, CloudWatch Logs' retention periods).
   * @default 30
   */
  readonly retentionDays?: number;
}

/**
 * Where a machine runs: a zone, and the subnet its address comes from. On AWS every subnet is in
 * one zone; on a cloud with regional subnets (GCP) several placements share a subnet.
 */
export interface Placement {
  /** The zone, e.g. `eu-west-1a`. */
  readonly zone: string;
  /** The subnet's id in the cloud. */
  readonly subnetId: string;
}

/** Props for a cloud's network. */
export interface NetworkProps {
  /** The cluster's name; used in resource names and tags. */
  readonly clusterName: string;
  /** The network's address space, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Zones to spread over, in order. At least 2, each once. */
  readonly zones: readonly string[];
  /**
   * The definition's explicit subnets for the nodes (`network.privateSubnets`), which replace
   * the cloud's own address plan.
   * @default planned by the cloud from `cidr` (on AWS: one private subnet per zone)
   */
  readonly privateSubnetCidrs?: readonly string[];
  /**
   * The definition's explicit public subnets (`network.publicSubnets`), which replace the cloud's
   * own address plan.
   * @default planned by the cloud from `cidr` (on AWS: one public subnet per zone)
   */
  readonly publicSubnetCidrs?: readonly string[];
  /**
   * `single`: one NAT gateway for the whole cluster; `perAz`: one per zone.
   * @default "single"
   */
  readonly natGateways?: "single" | "perAz";
  /**
   * Flow logs of the whole network.
   * @default every flow logged, kept 30 days
   */
  readonly flowLogs?: FlowLogSettings;
}

/** A network that nodes and load balancers are placed in. */
export interface Network {
  /** The network's id (on AWS, the VPC id). */
  readonly networkId: string;
  /** The network's address space. */
  readonly cidr: string;
  /** Zones, in order. */
  readonly zones: readonly string[];
  /** Where nodes go (private addresses only), one per zone, in the order of `zones`. */
  readonly nodePlacements: readonly Placement[];
  /** Where internet-facing load balancers and NAT go, one per zone, in the order of `zones`. */
  readonly publicPlacements: readonly Placement[];
}
