/** A VPC with public and private subnets per zone, an internet gateway and NAT egress. */
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import type { Network, NetworkProps } from "../network";
import { kubernetesClusterTag } from "./tags";

/** See NetworkProps. */
export class AwsNetwork extends Construct implements Network {
  readonly networkId: string;
  readonly cidr: string;
  readonly zones: readonly string[];
  readonly privateSubnetIds: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly vpc: Vpc;
  readonly natGateways: readonly NatGateway[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.zones.length < 2) throw new Error(`AwsNetwork: zones must name at least 2 zones, got ${props.zones.length}`);
    const repeated = props.zones.find((zone, i) => props.zones.indexOf(zone) !== i);
    if (repeated !== undefined) throw new Error(`AwsNetwork: zones must not repeat a zone, got "${repeated}" twice`);
    for (const key of ["privateSubnetCidrs", "publicSubnetCidrs"] as const) {
      if (props[key].length !== props.zones.length) {
        throw new Error(`AwsNetwork: ${key} must have one CIDR per zone (${props.zones.length}), got ${props[key].length}`);
      }
    }
    const name = props.clusterName;
    const clusterTag = { [kubernetesClusterTag(name)]: "owned" };
    this.cidr = props.cidr;
    this.zones = [...props.zones];

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name, ...clusterTag },
    });
    this.networkId = this.vpc.id;
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: name } });

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: this.vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, "public-default-route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const publicSubnets = props.zones.map((zone, i) => {
      const subnet = new Subnet(this, `public-${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: props.publicSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-public-${zone}`, "kubernetes.io/role/elb": "1", ...clusterTag },
      });
      new RouteTableAssociation(this, `public-${zone}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    const natCount = (props.natGateways ?? "single") === "perAz" ? props.zones.length : 1;
    this.natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const zone = props.zones[i];
      const eip = new Eip(this, `nat-${zone}-ip`, { domain: "vpc", tags: { Name: `${name}-nat-${zone}` } });
      return new NatGateway(this, `nat-${zone}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        tags: { Name: `${name}-nat-${zone}` },
        dependsOn: [igw],
      });
    });

    this.privateSubnetIds = props.zones.map((zone, i) => {
      const subnet = new Subnet(this, `private-${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: props.privateSubnetCidrs[i],
        tags: { Name: `${name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
      });
      const nat = this.natGateways[i % this.natGateways.length];
      const routes = new RouteTable(this, `private-${zone}-routes`, { vpcId: this.vpc.id, tags: { Name: `${name}-private-${zone}` } });
      new Route(this, `private-${zone}-default-route`, { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-${zone}-association`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet.id;
    });
  }
}
