/** KP-NET-6 (API load balancer deletion protection) and KP-NET-3's check of the API DNS record. */
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Testing } from "cdktf";
import { AWS_RULES } from "../../../providers/aws/rules";

const ruleById = (id: string) => AWS_RULES.find((r) => r.id === id);
import { auditStack, findingsOf } from "./rule-harness";

describe("KP-NET-6 api-load-balancer-deletion-protection", () => {
  it("warns about a balancer without deletion protection, and not about one with it", () => {
    const { stack, findings } = auditStack((s) => {
      new Lb(s, "unprotected", { loadBalancerType: "network", internal: true, subnets: ["subnet-1"] });
      new Lb(s, "off", { loadBalancerType: "network", internal: true, subnets: ["subnet-1"], enableDeletionProtection: false });
      new Lb(s, "protected", { loadBalancerType: "network", internal: true, subnets: ["subnet-1"], enableDeletionProtection: true });
    });
    expect(findingsOf(findings, "KP-NET-6")).toEqual([
      expect.stringMatching(/^aws_lb\.unprotected: has no deletion protection .*controlPlane\.apiLoadBalancer\.deletionProtection/),
      expect.stringMatching(/^aws_lb\.off: has no deletion protection/),
    ]);
    // A warning: printed, synthesis goes on.
    expect(ruleById("KP-NET-6")?.level).toBe("warning");
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it("is silenced by a suppression with a reason", () => {
    const { findings } = auditStack((s) => new Lb(s, "unprotected", { loadBalancerType: "network", internal: true }), {
      suppressions: [{ rule: "KP-NET-6", resource: "unprotected", reason: "a test cluster, destroyed every night" }],
    });
    expect(findings.filter((f) => f.rule.id === "KP-NET-6" && !f.suppressedBy)).toEqual([]);
  });
});

describe("KP-NET-3: the nodes' API name never points at an internet-facing balancer", () => {
  it("fires on a record aliasing an internet-facing balancer, even with a public API opt-in; not on one aliasing an internal balancer", () => {
    const { stack, findings } = auditStack(
      (s) => {
        const internal = new Lb(s, "internal", { loadBalancerType: "network", internal: true, enableDeletionProtection: true });
        const external = new Lb(s, "external", { loadBalancerType: "network", internal: false, enableDeletionProtection: true });
        new Route53Record(s, "good", { zoneId: "Z1", name: "api.t.kubeplane.internal", type: "A", alias: { name: internal.dnsName, zoneId: internal.zoneId, evaluateTargetHealth: false } });
        new Route53Record(s, "bad", { zoneId: "Z1", name: "api.t.kubeplane.internal", type: "A", alias: { name: external.dnsName, zoneId: external.zoneId, evaluateTargetHealth: false } });
        new Route53Record(s, "address", { zoneId: "Z1", name: "api.t.kubeplane.internal", type: "A", ttl: 60, records: ["10.0.1.5"] });
      },
      { facts: { publicApiCidrs: ["203.0.113.0/24"] } },
    );
    expect(findingsOf(findings, "KP-NET-3").filter((f) => f.startsWith("aws_route53_record"))).toEqual([
      expect.stringMatching(/^aws_route53_record\.bad: points at the internet-facing balancer aws_lb\.external: nodes would reach their API through NAT/),
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-NET-3/);
  });
});
