import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Testing } from "cdktf";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { all } from "../../support/aws-fixtures";
import { synthValidated } from "./validated-stack";

const props = {
  clusterName: "test",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
  publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
};

/** A Terraform reference to an attribute of a resource of this construct, e.g. `${aws_subnet.network_public-eu-west-1a_1A2B3C4D.id}`. */
const ref = (type: string, id: string, attribute = "id") => expect.stringMatching(new RegExp(`^\\$\\{${type}\\.network_${id}_[A-Z0-9]+\\.${attribute}\\}$`));

describe("AwsNetwork", () => {
  test("the VPC has the address space and DNS, and is tagged for the AWS cloud provider", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    expect(synth).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "test", "kubernetes.io/cluster/test": "owned" },
    });
    expect(synth).toHaveResourceWithProperties(InternetGateway, { vpc_id: ref("aws_vpc", "vpc") });
    expect(synth).toHaveResourceWithProperties(Route, { destination_cidr_block: "0.0.0.0/0", gateway_id: ref("aws_internet_gateway", "igw") });
  });

  test("one public and one private subnet per zone; public subnets give no public addresses", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    props.zones.forEach((zone, i) => {
      expect(synth).toHaveResourceWithProperties(Subnet, {
        availability_zone: zone,
        cidr_block: props.publicSubnetCidrs[i],
        map_public_ip_on_launch: false,
        vpc_id: ref("aws_vpc", "vpc"),
        tags: { Name: `test-public-${zone}`, "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/test": "owned" },
      });
      expect(synth).toHaveResourceWithProperties(Subnet, {
        availability_zone: zone,
        cidr_block: props.privateSubnetCidrs[i],
        vpc_id: ref("aws_vpc", "vpc"),
        tags: { Name: `test-private-${zone}`, "kubernetes.io/role/internal-elb": "1", "kubernetes.io/cluster/test": "owned" },
      });
    });
    expect(all(synth, "aws_subnet")).toHaveLength(6);
    expect(all(synth, "aws_subnet").every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
  });

  test("a single NAT gateway, in the first public subnet, serves every private subnet by default", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    expect(synth).toHaveResourceWithProperties(NatGateway, {
      subnet_id: ref("aws_subnet", "public-eu-west-1a"),
      allocation_id: ref("aws_eip", "nat-eu-west-1a-ip", "allocation_id"),
      depends_on: [expect.stringMatching(/^aws_internet_gateway\.network_igw_[A-Z0-9]+$/)],
    });
    expect(synth).toHaveResourceWithProperties(Eip, { domain: "vpc" });
    expect(all(synth, "aws_nat_gateway")).toHaveLength(1);
    expect(all(synth, "aws_eip")).toHaveLength(1);
    const natRoutes = all(synth, "aws_route").filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  test("perAz puts one NAT gateway in each zone, each private subnet routing through its own", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", { ...props, natGateways: "perAz" }));
    expect(all(synth, "aws_nat_gateway")).toHaveLength(3);
    for (const zone of props.zones) {
      expect(synth).toHaveResourceWithProperties(NatGateway, { subnet_id: ref("aws_subnet", `public-${zone}`) });
      expect(synth).toHaveResourceWithProperties(Route, {
        route_table_id: ref("aws_route_table", `private-${zone}-routes`),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", `nat-${zone}`),
      });
    }
  });

  test("rejects fewer than two zones, naming the prop", () => {
    expect(() =>
      Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, zones: ["eu-west-1a"], privateSubnetCidrs: ["10.0.0.0/20"], publicSubnetCidrs: ["10.0.128.0/20"] })),
    ).toThrow(/AwsNetwork: zones must name at least 2 zones/);
  });

  test("rejects a zone listed twice, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, zones: ["eu-west-1a", "eu-west-1b", "eu-west-1a"] }))).toThrow(
      /AwsNetwork: zones must not repeat a zone, got "eu-west-1a" twice/,
    );
  });

  test("rejects subnet lists that do not match the zones, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, publicSubnetCidrs: ["10.0.128.0/20"] }))).toThrow(
      /AwsNetwork: publicSubnetCidrs must have one CIDR per zone \(3\), got 1/,
    );
  });
});
