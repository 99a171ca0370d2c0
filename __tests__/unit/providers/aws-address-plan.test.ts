import { planAddresses } from "../../../providers/aws/aws-address-plan";

describe("planAddresses", () => {
  test("private subnets take the first sixteenths, public ones from the ninth on", () => {
    expect(planAddresses("10.0.0.0/16", 3)).toEqual({
      privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
      publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
    });
  });

  test("scales with the VPC: a /24 gives /28 subnets", () => {
    expect(planAddresses("172.16.5.0/24", 2)).toEqual({
      privateSubnetCidrs: ["172.16.5.0/28", "172.16.5.16/28"],
      publicSubnetCidrs: ["172.16.5.128/28", "172.16.5.144/28"],
    });
  });

  test("explicit subnet lists replace the plan", () => {
    const plan = planAddresses("10.0.0.0/16", 2, { privateSubnets: ["10.0.64.0/19", "10.0.96.0/19"] });
    expect(plan.privateSubnetCidrs).toEqual(["10.0.64.0/19", "10.0.96.0/19"]);
    expect(plan.publicSubnetCidrs).toEqual(["10.0.128.0/20", "10.0.144.0/20"]);
  });

  test("rejects more zones than the plan has room for, and a malformed CIDR", () => {
    expect(() => planAddresses("10.0.0.0/16", 9)).toThrow(/network.azs: between 1 and 8 zones/);
    expect(() => planAddresses("10.0.0.1/16", 2)).toThrow(/network.cidr: .*host bits set/);
  });
});
