/**
 * A cluster's network on GCP: a VPC network without automatic subnets, one regional subnet for
 * the nodes (gcp-address-plan.ts) with Private Google Access (Google's APIs without external
 * addresses) and, unless the definition opts out, flow logs of every flow; a Cloud Router with
 * Cloud NAT for the nodes' egress (nodes have no external addresses). Every placement is a zone
 * and the one subnet.
 */
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeRouter } from "@cdktf/provider-google/lib/compute-router";
import { ComputeRouterNat } from "@cdktf/provider-google/lib/compute-router-nat";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { Construct } from "constructs";
import { parseCidr } from "../../definition/cidr";
import type { Network, NetworkProps, Placement } from "../network";
import { planGcpAddresses } from "./gcp-address-plan";
import { GCP_FLOW_LOG_RETENTION_DAYS, GCP_SUBNET_PREFIX } from "./gcp-definition-limits";
import { gcpResourcePrefix } from "./gcp-labels";

/** See the file's comment. */
export class GcpNetwork extends Construct implements Network {
  readonly networkId: string;
  readonly cidr: string;
  readonly zones: readonly string[];
  readonly nodePlacements: readonly Placement[];
  /** None: on GCP nothing needs a public subnet (a public API's balancer has a regional address). */
  readonly publicPlacements: readonly Placement[] = [];
  /** The network's self link, for firewall rules and the private DNS zone. */
  readonly selfLink: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const where = `GcpNetwork ${this.node.path}`;
    if (!props.clusterName) throw new Error(`${where}: clusterName is empty`);
    if (props.zones.length < 2 || new Set(props.zones).size !== props.zones.length) throw new Error(`${where}: zones must name at least 2 zones, each once (got ${props.zones.join(", ")})`);
    if (props.natGateways === "perAz") throw new Error(`${where}: natGateways "perAz" has no meaning on GCP (Cloud NAT is regional)`);
    if (props.publicSubnetCidrs !== undefined) throw new Error(`${where}: publicSubnetCidrs: GCP clusters have no public subnets`);
    const plan = planGcpAddresses(props.cidr, props.privateSubnetCidrs);
    const parsed = parseCidr(plan.nodeSubnetCidr);
    if (typeof parsed === "string") throw new Error(`${where}: ${plan.nodeSubnetCidr}: ${parsed}`);
    if (parsed.prefix < GCP_SUBNET_PREFIX.largest || parsed.prefix > GCP_SUBNET_PREFIX.smallest) {
      throw new Error(`${where}: the node subnet ${plan.nodeSubnetCidr} must be a /${GCP_SUBNET_PREFIX.largest} to /${GCP_SUBNET_PREFIX.smallest}`);
    }
    const flowLogs = props.flowLogs?.enabled ?? true;
    const retention = props.flowLogs?.retentionDays ?? GCP_FLOW_LOG_RETENTION_DAYS;
    if (flowLogs && retention !== GCP_FLOW_LOG_RETENTION_DAYS) throw new Error(`${where}: flowLogs.retentionDays must be ${GCP_FLOW_LOG_RETENTION_DAYS} (Cloud Logging's _Default bucket), got ${retention}`);
    const prefix = gcpResourcePrefix(props.clusterName);

    const network = new ComputeNetwork(this, "network", {
      name: prefix,
      description: `kubeplane ${props.clusterName}: the cluster's network`,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
    });
    const subnet = new ComputeSubnetwork(this, "nodes", {
      name: `${prefix}-nodes`,
      description: `kubeplane ${props.clusterName}: the nodes' regional subnet`,
      network: network.selfLink,
      ipCidrRange: plan.nodeSubnetCidr,
      privateIpGoogleAccess: true,
      // Every flow, with its metadata (https://cloud.google.com/vpc/docs/flow-logs#key_properties).
      logConfig: flowLogs ? { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 1, metadata: "INCLUDE_ALL_METADATA" } : undefined,
    });
    const router = new ComputeRouter(this, "router", { name: `${prefix}-router`, network: network.selfLink });
    new ComputeRouterNat(this, "nat", {
      name: `${prefix}-nat`,
      router: router.name,
      natIpAllocateOption: "AUTO_ONLY",
      // Only the nodes' subnet is translated.
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetwork: [{ name: subnet.selfLink, sourceIpRangesToNat: ["ALL_IP_RANGES"] }],
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });
    this.selfLink = network.selfLink;
    this.networkId = network.selfLink;
    this.cidr = props.cidr;
    this.zones = [...props.zones];
    // One token for the one subnet: every placement names the same.
    const subnetId = subnet.selfLink;
    this.nodePlacements = props.zones.map((zone) => ({ zone, subnetId }));
  }
}
