import { Testing } from "cdktf";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { all } from "../../support/aws-fixtures";

const props = {
  clusterName: "test",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
  publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
};

describe("AwsNetwork", () => {
  test("a single NAT gateway serves every private subnet by default", () => {
    const synth = Testing.synthScope((scope) => new AwsNetwork(scope, "network", props));
    expect(all(synth, "aws_nat_gateway")).toHaveLength(1);
    expect(all(synth, "aws_eip")).toHaveLength(1);
    const natRoutes = all(synth, "aws_route").filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  test("perAz puts one NAT gateway in each zone, each private subnet routing through its own", () => {
    const synth = Testing.synthScope((scope) => new AwsNetwork(scope, "network", { ...props, natGateways: "perAz" }));
    expect(all(synth, "aws_nat_gateway")).toHaveLength(3);
    const natRoutes = all(synth, "aws_route").filter((r) => r.nat_gateway_id);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  test("subnets are tagged for the AWS cloud provider's load balancers", () => {
    const synth = Testing.synthScope((scope) => new AwsNetwork(scope, "network", props));
    const tags = all(synth, "aws_subnet").map((s) => s.tags as Record<string, string>);
    expect(tags.filter((t) => t["kubernetes.io/role/internal-elb"] === "1")).toHaveLength(3);
    expect(tags.filter((t) => t["kubernetes.io/role/elb"] === "1")).toHaveLength(3);
  });

  test("rejects fewer than two zones, naming the prop", () => {
    expect(() =>
      Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, zones: ["eu-west-1a"], privateSubnetCidrs: ["10.0.0.0/20"], publicSubnetCidrs: ["10.0.128.0/20"] })),
    ).toThrow(/zones must name at least 2 zones/);
  });

  test("rejects subnet lists that do not match the zones, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, publicSubnetCidrs: ["10.0.128.0/20"] }))).toThrow(
      /publicSubnetCidrs must have one CIDR per zone \(3\), got 1/,
    );
  });
});
