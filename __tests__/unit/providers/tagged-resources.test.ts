/**
 * AWS's tagged resources: every listing asks EC2 with the cluster's tag filter and leaves out what
 * is not an orphan candidate (an auto-scaling group's instances, a VPC's main route table and
 * default security group); removal goes in dependency order (NAT gateways waited for, Elastic IPs
 * disassociated and released, internet gateways detached, VPCs last) and carries on past a
 * failure. EC2 is a stand-in answering as the SDK does (shapes from the EC2 API reference); the
 * emulator suite faults.test.ts runs the real SDK against moto.
 */
import { AwsCalls, AwsTaggedResources, Ec2Calls, inRemovalOrder } from "../../../providers/aws/tagged-resources";

type Call = [string, unknown];

function ec2(answers: Partial<Record<keyof Ec2Calls, unknown>>, fail: string[] = []): { calls: Call[]; connect: () => Promise<AwsCalls & { close(): void }> } {
  const calls: Call[] = [];
  const handler: ProxyHandler<object> = {
    get: (_t, name: string) => {
      if (name === "then") return undefined;
      if (name === "close") return () => calls.push(["close", undefined]);
      return async (input: unknown) => {
        calls.push([name, input]);
        if (fail.includes(name)) throw Object.assign(new Error("The vpc 'vpc-1' has dependencies and cannot be deleted."), { name: "DependencyViolation" });
        return (answers as Record<string, unknown>)[name] ?? {};
      };
    },
  };
  return { calls, connect: async () => new Proxy({}, handler) as AwsCalls & { close(): void } };
}

const TAG = [{ Name: "tag:kubeplane:cluster", Values: ["dev"] }];

test("list asks every EC2 type with the tag filter, and leaves out what goes with its owner", async () => {
  const fake = ec2({
    describeInstances: { Reservations: [{ Instances: [{ InstanceId: "i-bastion" }, { InstanceId: "i-asg", Tags: [{ Key: "aws:autoscaling:groupName", Value: "dev-workers" }] }] }] },
    describeNatGateways: { NatGateways: [{ NatGatewayId: "nat-1", State: "available" }] },
    describeAddresses: { Addresses: [{ AllocationId: "eipalloc-1", AssociationId: "eipassoc-1" }, { AllocationId: "eipalloc-2" }] },
    describeInternetGateways: { InternetGateways: [{ InternetGatewayId: "igw-1", Attachments: [{ VpcId: "vpc-1" }] }] },
    describeRouteTables: { RouteTables: [{ RouteTableId: "rtb-main", Associations: [{ Main: true }] }, { RouteTableId: "rtb-1", Associations: [{ RouteTableAssociationId: "rtbassoc-1", Main: false }] }] },
    describeSecurityGroups: { SecurityGroups: [{ GroupId: "sg-default", GroupName: "default" }, { GroupId: "sg-1", GroupName: "dev-workers" }] },
    describeVpcs: { Vpcs: [{ VpcId: "vpc-1" }] },
  });
  const listed = await new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect }).list();
  expect(listed).toEqual([
    { type: "aws_instance", id: "i-bastion" },
    { type: "aws_nat_gateway", id: "nat-1" },
    { type: "aws_eip", id: "eipalloc-1", associations: ["eipassoc-1"] },
    { type: "aws_eip", id: "eipalloc-2", associations: [] },
    { type: "aws_internet_gateway", id: "igw-1", associations: ["vpc-1"] },
    { type: "aws_route_table", id: "rtb-1", associations: ["rtbassoc-1"] },
    { type: "aws_security_group", id: "sg-1" },
    { type: "aws_vpc", id: "vpc-1" },
  ]);
  const asked = Object.fromEntries(fake.calls.filter(([n]) => n !== "close"));
  expect(asked.describeVpcs).toEqual({ Filters: TAG });
  expect(asked.describeAddresses).toEqual({ Filters: TAG });
  // DescribeNatGateways names its filter parameter `Filter`.
  expect(asked.describeNatGateways).toEqual({ Filter: [...TAG, { Name: "state", Values: ["pending", "available", "failed"] }] });
  expect(fake.calls[fake.calls.length - 1][0]).toBe("close");
});

test("remove goes in dependency order, VPCs last, waiting for NAT gateways to be deleted", async () => {
  const fake = ec2({ describeNatGateways: { NatGateways: [{ NatGatewayId: "nat-1", State: "deleted" }] } });
  const resources = new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect, sleep: async () => undefined });
  const result = await resources.remove([
    { type: "aws_vpc", id: "vpc-1" },
    { type: "aws_eip", id: "eipalloc-1", associations: ["eipassoc-1"] } as never,
    { type: "aws_subnet", id: "subnet-1" },
    { type: "aws_nat_gateway", id: "nat-1" },
    { type: "aws_internet_gateway", id: "igw-1", associations: ["vpc-1"] } as never,
  ]);
  expect(result.failed).toEqual([]);
  expect(fake.calls.filter(([n]) => n !== "close")).toEqual([
    ["deleteNatGateway", { NatGatewayId: "nat-1" }],
    ["describeNatGateways", { NatGatewayIds: ["nat-1"] }],
    ["disassociateAddress", { AssociationId: "eipassoc-1" }],
    ["releaseAddress", { AllocationId: "eipalloc-1" }],
    ["detachInternetGateway", { InternetGatewayId: "igw-1", VpcId: "vpc-1" }],
    ["deleteInternetGateway", { InternetGatewayId: "igw-1" }],
    ["deleteSubnet", { SubnetId: "subnet-1" }],
    ["deleteVpc", { VpcId: "vpc-1" }],
  ]);
});

test("a failure is reported and the rest still goes", async () => {
  const fake = ec2({}, ["deleteVpc"]);
  const result = await new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect }).remove([
    { type: "aws_vpc", id: "vpc-1" },
    { type: "aws_eip", id: "eipalloc-1" },
  ]);
  expect(result.removed).toEqual([{ type: "aws_eip", id: "eipalloc-1" }]);
  expect(result.failed).toEqual([{ resource: { type: "aws_vpc", id: "vpc-1" }, error: "DependencyViolation: The vpc 'vpc-1' has dependencies and cannot be deleted." }]);
});

test("manual removal: aws CLI commands in the same order", () => {
  const commands = new AwsTaggedResources("dev", "eu-west-1").manualRemoval([
    { type: "aws_vpc", id: "vpc-1" },
    { type: "aws_eip", id: "eipalloc-1" },
  ]);
  expect(commands).toEqual(["aws ec2 release-address --region eu-west-1 --allocation-id eipalloc-1", "aws ec2 delete-vpc --region eu-west-1 --vpc-id vpc-1"]);
  expect(inRemovalOrder([{ type: "aws_unknown", id: "x" }])).toEqual([]);
});

test("bad construction names the class and the prop", () => {
  expect(() => new AwsTaggedResources("", "eu-west-1")).toThrow("AwsTaggedResources: clusterName is empty");
  expect(() => new AwsTaggedResources("dev", "")).toThrow('AwsTaggedResources: region is empty (cluster "dev")');
});
