/** KP-NET-1 (no SSH from the world), KP-NET-2 (no world ingress), KP-NET-3 (internal API load balancer). */
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Testing } from "cdktf";
import { auditStack, findingsOf, ruleIds } from "./rule-harness";

const rule = (fromPort: number, toPort: number, cidrs: string[], protocol = "tcp", ipv6: string[] = []): SecurityGroupIngress => ({
  protocol,
  fromPort,
  toPort,
  cidrBlocks: cidrs,
  ipv6CidrBlocks: ipv6,
  prefixListIds: [],
  securityGroups: [],
  selfAttribute: false,
});

describe("KP-NET-1 no-ssh-from-world and KP-NET-2 no-world-ingress", () => {
  it("SSH from anywhere breaks both, in an inline rule, a rule resource and a VPC ingress rule", () => {
    const { stack, findings } = auditStack((s) => {
      new SecurityGroup(s, "inline", { vpcId: "vpc-1", ingress: [rule(22, 22, ["0.0.0.0/0"])] });
      new SecurityGroupRule(s, "rule", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 0, toPort: 1024, ipv6CidrBlocks: ["::/0"] });
      new VpcSecurityGroupIngressRule(s, "vpc-rule", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
    });
    expect(findingsOf(findings, "KP-NET-1")).toEqual([
      "aws_security_group.inline: ingress ingress[0] (tcp 22) opens SSH to 0.0.0.0/0",
      "aws_security_group_rule.rule: ingress (tcp 0-1024) opens SSH to ::/0",
      "aws_vpc_security_group_ingress_rule.vpc-rule: ingress (all traffic) opens SSH to 0.0.0.0/0",
    ]);
    expect(findingsOf(findings, "KP-NET-2")).toHaveLength(3);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-NET-1 no-ssh-from-world/);
  });

  it("the VPC's default security group is read too", () => {
    const { findings } = auditStack((s) => {
      new DefaultSecurityGroup(s, "default", { vpcId: "vpc-1", ingress: [rule(0, 0, ["0.0.0.0/0"], "-1")] });
    });
    expect(findingsOf(findings, "KP-NET-1")).toEqual(["aws_default_security_group.default: ingress ingress[0] (all traffic) opens SSH to 0.0.0.0/0"]);
    expect(findingsOf(findings, "KP-NET-2")).toEqual(["aws_default_security_group.default: ingress ingress[0] (all traffic) admits 0.0.0.0/0"]);
  });

  it("reads the protocol in any case", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroupRule(s, "upper", { type: "ingress", securityGroupId: "sg-1", protocol: "TCP", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] });
      new SecurityGroup(s, "mixed", { vpcId: "vpc-1", ingress: [rule(20, 30, ["0.0.0.0/0"], "Tcp"), rule(22, 22, ["0.0.0.0/0"], "ALL")] });
    });
    expect(findingsOf(findings, "KP-NET-1")).toEqual([
      "aws_security_group_rule.upper: ingress (TCP 22) opens SSH to 0.0.0.0/0",
      "aws_security_group.mixed: ingress ingress[0] (Tcp 20-30) opens SSH to 0.0.0.0/0",
      "aws_security_group.mixed: ingress ingress[1] (all traffic) opens SSH to 0.0.0.0/0",
    ]);
  });

  it("any port range from anywhere breaks KP-NET-2 only", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroup(s, "web", { vpcId: "vpc-1", ingress: [rule(443, 443, ["10.0.0.0/16"], "tcp", ["::/0"]), rule(30000, 32767, ["0.0.0.0/0"], "udp")] });
    });
    expect(ruleIds(findings)).toEqual(["KP-NET-2"]);
    expect(findingsOf(findings, "KP-NET-2")).toEqual([
      "aws_security_group.web: ingress ingress[0] (tcp 443) admits ::/0",
      "aws_security_group.web: ingress ingress[1] (udp 30000-32767) admits 0.0.0.0/0",
    ]);
  });

  it("blocks broader than an IPv4 /8 or an IPv6 /16 count as anywhere", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroup(s, "halves", { vpcId: "vpc-1", ingress: [rule(22, 22, ["0.0.0.0/1", "128.0.0.0/1"])] });
      new VpcSecurityGroupIngressRule(s, "v6", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "2000::/3" });
      new SecurityGroup(s, "narrow-enough", { vpcId: "vpc-1", ingress: [rule(443, 443, ["11.0.0.0/8", "10.0.0.0/16"], "tcp", ["2001:db8::/16", "2001:db8::/32"])] });
    });
    expect(findingsOf(findings, "KP-NET-1")).toEqual([
      "aws_security_group.halves: ingress ingress[0] (tcp 22) opens SSH to 0.0.0.0/1 (broader than a /8: as good as anywhere)",
      "aws_security_group.halves: ingress ingress[0] (tcp 22) opens SSH to 128.0.0.0/1 (broader than a /8: as good as anywhere)",
    ]);
    expect(findingsOf(findings, "KP-NET-2")).toEqual([
      "aws_security_group.halves: ingress ingress[0] (tcp 22) admits 0.0.0.0/1 (broader than a /8: as good as anywhere)",
      "aws_security_group.halves: ingress ingress[0] (tcp 22) admits 128.0.0.0/1 (broader than a /8: as good as anywhere)",
      "aws_vpc_security_group_ingress_rule.v6: ingress (tcp 443) admits 2000::/3 (broader than a /16: as good as anywhere)",
    ]);
  });

  it("is quiet on SSH from a private range, egress to anywhere and self rules", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroup(s, "ok", {
        vpcId: "vpc-1",
        ingress: [rule(22, 22, ["10.0.0.0/16"]), { ...rule(0, 0, [], "-1"), selfAttribute: true }],
        egress: [{ ...rule(0, 0, ["0.0.0.0/0"], "-1") }],
      });
      new SecurityGroupRule(s, "egress", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
    });
    // Egress to anywhere is KP-NET-5's business (hardening-rules.test.ts), not the ingress rules'.
    expect(findings.filter((f) => f.rule.id !== "KP-NET-5")).toEqual([]);
  });
});

describe("KP-NET-3 internal-api-load-balancer", () => {
  it("fires on an internet-facing balancer when the definition does not opt in", () => {
    const { stack, findings } = auditStack((s) => {
      new Lb(s, "api", { loadBalancerType: "network", internal: false, subnets: ["subnet-1"] });
      new Lb(s, "implicit", { loadBalancerType: "network", subnets: ["subnet-1"] });
    });
    expect(findingsOf(findings, "KP-NET-3")).toEqual([
      expect.stringMatching(/^aws_lb\.api: is internet-facing .*does not opt into a public API endpoint/),
      expect.stringMatching(/^aws_lb\.implicit: is internet-facing/),
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-NET-3/);
  });

  it("with an opt-in, the balancer's groups may admit only the allow-list and the VPC", () => {
    const publicApi = { facts: { publicApiCidrs: ["203.0.113.0/24"] } };
    const { findings } = auditStack((s) => {
      const good = new SecurityGroup(s, "good", { vpcId: "vpc-1", ingress: [rule(6443, 6443, ["10.0.0.0/16", "203.0.113.0/24"])] });
      const wide = new SecurityGroup(s, "wide", { vpcId: "vpc-1", ingress: [rule(6443, 6443, ["198.51.100.0/24"])] });
      new Lb(s, "ok", { loadBalancerType: "network", internal: false, securityGroups: [good.id] });
      new Lb(s, "too-wide", { loadBalancerType: "network", internal: false, securityGroups: [wide.id] });
      new Lb(s, "no-groups", { loadBalancerType: "network", internal: false });
    }, publicApi);
    expect(findingsOf(findings, "KP-NET-3")).toEqual([
      expect.stringMatching(/^aws_lb\.too-wide: .*security group aws_security_group\.wide admits 198\.51\.100\.0\/24, which is not in controlPlane\.publicApi\.allowedCidrs/),
      expect.stringMatching(/^aws_lb\.no-groups: is internet-facing without security groups/),
    ]);
  });

  it("with an opt-in, rule resources attached to the balancer's groups count too", () => {
    const publicApi = { facts: { publicApiCidrs: ["203.0.113.0/24"] } };
    const { findings } = auditStack((s) => {
      const group = new SecurityGroup(s, "api-lb", { vpcId: "vpc-1", ingress: [rule(6443, 6443, ["203.0.113.0/24"])] });
      new VpcSecurityGroupIngressRule(s, "extra", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 6443, toPort: 6443, cidrIpv4: "198.51.100.0/24" });
      new SecurityGroupRule(s, "extra-rule", { type: "ingress", securityGroupId: group.id, protocol: "tcp", fromPort: 6443, toPort: 6443, cidrBlocks: ["192.0.2.0/24", "203.0.113.0/24"] });
      new SecurityGroupRule(s, "egress", { type: "egress", securityGroupId: group.id, protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
      const other = new SecurityGroup(s, "other", { vpcId: "vpc-1" });
      new VpcSecurityGroupIngressRule(s, "elsewhere", { securityGroupId: other.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "198.51.100.0/24" });
      new Lb(s, "api", { loadBalancerType: "network", internal: false, securityGroups: [group.id] });
    }, publicApi);
    expect(findingsOf(findings, "KP-NET-3")).toEqual([
      "aws_lb.api: is internet-facing and its security group aws_security_group.api-lb admits 198.51.100.0/24 through aws_vpc_security_group_ingress_rule.extra, which is not in controlPlane.publicApi.allowedCidrs",
      "aws_lb.api: is internet-facing and its security group aws_security_group.api-lb admits 192.0.2.0/24 through aws_security_group_rule.extra-rule, which is not in controlPlane.publicApi.allowedCidrs",
    ]);
  });

  it("is quiet on an internal balancer", () => {
    // With deletion protection, which KP-NET-6 warns about otherwise.
    const { findings } = auditStack((s) => new Lb(s, "api", { loadBalancerType: "network", internal: true, subnets: ["subnet-1"], enableDeletionProtection: true }));
    expect(findings).toEqual([]);
  });
});
