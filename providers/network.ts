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

/** Props for a cloud's network. */
export interface NetworkProps {
  /** The cluster's name; used in resource names and tags. */
  readonly clusterName: string;
  /** The network's address space, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Zones to spread over, in order; subnet lists are parallel to it. At least 2, each once. */
  readonly zones: readonly string[];
  /** One private subnet CIDR per zone (nodes live here). */
  readonly privateSubnetCidrs: readonly string[];
  /** One public subnet CIDR per zone (NAT and public load balancers live here). */
  readonly publicSubnetCidrs: readonly string[];
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
  /** Private subnet ids, parallel to `zones`. */
  readonly privateSubnetIds: readonly string[];
  /** Public subnet ids, parallel to `zones`. */
  readonly publicSubnetIds: readonly string[];
}
