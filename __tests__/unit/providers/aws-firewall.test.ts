import { Testing } from "cdktf";
import { AwsFirewall } from "../../../providers/aws/aws-firewall";
import { all, TEST_NETWORK } from "../../support/aws-fixtures";

type Rule = { cidr_blocks: string[]; from_port: number; to_port: number; self: boolean; description: string };
const groups = (synth: string) => Object.fromEntries(all(synth, "aws_security_group").map((g) => [String(g.name).replace("kubeplane-test-", ""), g.ingress as Rule[]]));

describe("AwsFirewall", () => {
  test("without a load balancer there is no balancer group", () => {
    const synth = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443 }));
    expect(Object.keys(groups(synth)).sort()).toEqual(["control-plane", "nodes", "workers"]);
  });

  test("internal only: the API load balancer admits the VPC and nothing else", () => {
    const synth = Testing.synthScope(
      (scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, apiLoadBalancer: true }),
    );
    const g = groups(synth);
    expect(Object.keys(g).sort()).toEqual(["api-lb", "control-plane", "nodes", "workers"]);
    expect(g["api-lb"]).toEqual([expect.objectContaining({ from_port: 6443, to_port: 6443, cidr_blocks: ["10.0.0.0/16"] })]);
  });

  test("a public API admits exactly the allow-list besides the VPC", () => {
    const synth = Testing.synthScope(
      (scope) =>
        new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, apiLoadBalancer: true, publicApiCidrs: ["203.0.113.0/24"] }),
    );
    expect(groups(synth)["api-lb"][0].cidr_blocks).toEqual(["10.0.0.0/16", "203.0.113.0/24"]);
    expect(() =>
      Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, publicApiCidrs: ["203.0.113.0/24"] })),
    ).toThrow(/publicApiCidrs need apiLoadBalancer/);
  });

  test("a bastion group exists only on request and admits nothing", () => {
    const without = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443 }));
    expect(groups(without).bastion).toBeUndefined();
    const withBastion = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, bastion: true }));
    expect(groups(withBastion).bastion).toEqual([]);
  });

  test("only the shared nodes group carries the AWS cloud provider's cluster tag", () => {
    const synth = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443 }));
    const tagged = all(synth, "aws_security_group").filter((g) => (g.tags as Record<string, string>)["kubernetes.io/cluster/test"] === "owned");
    expect(tagged.map((g) => g.name)).toEqual(["kubeplane-test-nodes"]);
  });

  test("every inline rule is complete (Terraform requires all attributes of inline rules)", () => {
    const synth = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443 }));
    for (const rule of Object.values(groups(synth)).flat()) {
      expect(Object.keys(rule).sort()).toEqual(["cidr_blocks", "description", "from_port", "ipv6_cidr_blocks", "prefix_list_ids", "protocol", "security_groups", "self", "to_port"]);
    }
  });

  test("rejects an invalid API port, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 70000 }))).toThrow(/apiServerPort/);
  });
});
