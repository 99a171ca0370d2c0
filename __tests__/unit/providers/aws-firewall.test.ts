import { Testing } from "cdktf";
import { installerNamed } from "../../../bootstrap/installers/installers";
import { AwsFirewall } from "../../../providers/aws/aws-firewall";
import { all, TEST_NETWORK } from "../../support/aws-fixtures";

type Rule = { cidr_blocks: string[]; from_port: number; to_port: number; self: boolean; description: string; protocol: string };
const egressOf = (synth: string) => Object.fromEntries(all(synth, "aws_security_group").map((g) => [String(g.name).replace("kubeplane-test-", ""), g.egress as Rule[]]));
const brief = (rules: Rule[]) => rules.map((r) => ({ protocol: r.protocol, from: r.from_port, to: r.to_port, cidrs: r.cidr_blocks }));
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

  describe("the CNI's ports between nodes come from the installer", () => {
    const nodeRules = (installer?: "kubeadm" | "kurl") => {
      const cniPorts = installer ? installerNamed(installer).cniPorts : undefined;
      const synth = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, cniPorts }));
      return groups(synth).nodes.map((r) => ({ protocol: r.protocol, from: r.from_port, to: r.to_port, self: r.self, cidrs: r.cidr_blocks }));
    };
    const kubelet = { protocol: "tcp", from: 10250, to: 10250, self: true, cidrs: [] };
    const calico = [
      { protocol: "tcp", from: 179, to: 179, self: true, cidrs: [] },
      { protocol: "4", from: 0, to: 0, self: true, cidrs: [] },
      { protocol: "udp", from: 4789, to: 4789, self: true, cidrs: [] },
      { protocol: "tcp", from: 5473, to: 5473, self: true, cidrs: [] },
    ];

    test("kubeadm (Calico): BGP, IP-in-IP, VXLAN and Typha between nodes", () => {
      expect(nodeRules("kubeadm")).toEqual([kubelet, ...calico]);
    });

    test("kURL (Flannel): VXLAN 8472/udp between nodes, none of Calico's ports", () => {
      const rules = nodeRules("kurl");
      expect(rules).toEqual([kubelet, { protocol: "udp", from: 8472, to: 8472, self: true, cidrs: [] }]);
      expect(rules.filter((r) => r.from === 179 || r.protocol === "4" || r.from === 4789 || r.from === 5473)).toEqual([]);
    });

    test("without cniPorts, Calico's (the kubeadm installer's CNI)", () => {
      expect(nodeRules()).toEqual(nodeRules("kubeadm"));
    });

    test.each([
      ["a port out of range", { description: "x", protocol: "udp", fromPort: 0, toPort: 8472 }],
      ["a reversed range", { description: "x", protocol: "tcp", fromPort: 200, toPort: 100 }],
      ["ports on a portless protocol", { description: "x", protocol: "4", fromPort: 1, toPort: 1 }],
      ["an unknown protocol name", { description: "x", protocol: "sctp-ish", fromPort: 0, toPort: 0 }],
    ])("rejects %s, naming the prop", (_, port) => {
      expect(() =>
        Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, cniPorts: [port] })),
      ).toThrow(/cniPorts/);
    });
  });

  test("rejects an invalid API port, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 70000 }))).toThrow(/apiServerPort/);
  });
  describe("egress", () => {
    const inVpc = { protocol: "-1", from: 0, to: 0, cidrs: ["10.0.0.0/16"] };
    const web = [
      { protocol: "tcp", from: 443, to: 443, cidrs: ["0.0.0.0/0"] },
      { protocol: "tcp", from: 80, to: 80, cidrs: ["0.0.0.0/0"] },
    ];
    const everything = (props: Partial<ConstructorParameters<typeof AwsFirewall>[2]> = {}) =>
      egressOf(Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, apiLoadBalancer: true, bastion: true, ...props })));

    test("nodes reach the internet on HTTPS and HTTP only, and everything inside the VPC", () => {
      expect(brief(everything().nodes)).toEqual([...web, inVpc]);
    });

    test("no group lets everything out to the internet", () => {
      for (const [name, rules] of Object.entries(everything())) {
        expect({ name, open: rules.filter((r) => r.cidr_blocks.includes("0.0.0.0/0") && (r.protocol === "-1" || r.to_port - r.from_port > 1)) }).toEqual({ name, open: [] });
      }
    });

    test("the other groups let traffic out only into the VPC (nodes get the internet from the shared group)", () => {
      const g = everything();
      for (const name of ["control-plane", "workers", "api-lb"]) expect({ name, egress: brief(g[name]) }).toEqual({ name, egress: [inVpc] });
      expect(brief(g.bastion)).toEqual([...web, inVpc]);
    });

    test("the definition's extra egress is added to the nodes group, and only there", () => {
      const g = everything({
        extraEgress: [
          { description: "PostgreSQL at the partner", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrs: ["203.0.113.0/24"] },
          { description: "Everything, agreed in SEC-1", protocol: "all", cidrs: ["0.0.0.0/0"] },
        ],
      });
      expect(g.nodes.slice(3)).toEqual([
        expect.objectContaining({ description: "PostgreSQL at the partner", protocol: "tcp", from_port: 5432, to_port: 5432, cidr_blocks: ["203.0.113.0/24"] }),
        expect.objectContaining({ description: "Everything, agreed in SEC-1", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }),
      ]);
      for (const name of ["control-plane", "workers", "api-lb", "bastion"]) expect(g[name].some((r) => r.description.includes("partner"))).toBe(false);
    });

    test("every rule's description uses only the characters EC2 accepts (the AWS provider's check, as terraform validate reports it)", () => {
      // hashicorp/terraform-provider-aws 5.100.0, security group rule description: ^[0-9A-Za-z_ .:/()#,@\[\]+=&;{}!$*-]*$
      const EC2_DESCRIPTION = /^[0-9A-Za-z_ .:/()#,@[\]+=&;{}!$*-]*$/;
      const synth = Testing.synthScope((scope) => new AwsFirewall(scope, "fw", { clusterName: "test", network: TEST_NETWORK, apiServerPort: 6443, apiLoadBalancer: true, bastion: true }));
      const rules = [...Object.values(groups(synth)), ...Object.values(egressOf(synth))].flat();
      expect(rules.map((r) => r.description).filter((d) => !EC2_DESCRIPTION.test(d))).toEqual([]);
    });

    test("every inline egress rule is complete", () => {
      for (const rule of Object.values(everything({ extraEgress: [{ description: "x", protocol: "udp", fromPort: 123, toPort: 123, cidrs: ["192.0.2.0/24"] }] })).flat()) {
        expect(Object.keys(rule).sort()).toEqual(["cidr_blocks", "description", "from_port", "ipv6_cidr_blocks", "prefix_list_ids", "protocol", "security_groups", "self", "to_port"]);
      }
    });

    test.each([
      ["a port out of range", { description: "x", protocol: "tcp", fromPort: 0, toPort: 5432, cidrs: ["192.0.2.0/24"] }],
      ["a reversed range", { description: "x", protocol: "udp", fromPort: 200, toPort: 100, cidrs: ["192.0.2.0/24"] }],
      ["a missing port", { description: "x", protocol: "tcp", fromPort: 443, cidrs: ["192.0.2.0/24"] }],
      ["ports on all traffic", { description: "x", protocol: "all", fromPort: 1, toPort: 2, cidrs: ["192.0.2.0/24"] }],
      ["no CIDR", { description: "x", protocol: "tcp", fromPort: 443, toPort: 443, cidrs: [] }],
      ["a malformed CIDR", { description: "x", protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["192.0.2.0"] }],
      ["an empty description", { description: " ", protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["192.0.2.0/24"] }],
    ])("rejects %s, naming the prop", (_, rule) => {
      expect(() => everything({ extraEgress: [rule as never] })).toThrow(/AwsFirewall: extraEgress\[0\]/);
    });
  });
});
