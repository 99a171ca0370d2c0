/**
 * The pack as a whole: rule metadata, suppressions, how errors and warnings reach synth, and
 * the examples, which must be quiet.
 */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { App, Testing } from "cdktf";
import { tmpdir } from "os";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { loadDefinitions } from "../../../definition";
import { cloudFor } from "../../../providers";
import { auditApp, formatReport, RulePack, RuleViolationError, suppressionCheck } from "../../../rules";
import { AWS_RULES as ALL_RULES } from "../../../providers/aws/rules";
import { addClusterStacks } from "../../../stacks/cluster-stacks";
import { auditStack, FACTS } from "./rule-harness";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const example = (name: string) => loadDefinitions([path.join(ROOT, "clusters", `${name}.yaml`)], { cloudFor, checks: [suppressionCheck] })[0].definition;

const openGroup = (scope: import("constructs").Construct, id = "open") =>
  new SecurityGroup(scope, id, {
    vpcId: "vpc-1",
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false }],
  });

describe("the rules", () => {
  it("each has a unique id, a level, an explanation, and a file of its own", () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^KP-[A-Z0-9]+-\d+$/);
      expect(["error", "warning"]).toContain(rule.level);
      expect(rule.explanation.length).toBeGreaterThan(60);
      expect(rule.resourceTypes.length).toBeGreaterThan(0);
      const file = path.join(ROOT, "providers", "aws", "rules", `${rule.name}.ts`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, "utf8")).toContain(`id: "${rule.id}"`);
    }
  });
});

describe("suppressions", () => {
  const reason = "the office proxy needs it until Q3";

  it.each([
    ["a full construct path", "t-cluster/open"],
    ["a path within the stack", "open"],
    ["a Terraform address", "aws_security_group.open"],
  ])("accept a finding named by %s, and keep it in the report", (_, resource) => {
    const { stack, findings, pack } = auditStack((s) => openGroup(s), { suppressions: [{ rule: "KP-NET-2", resource, reason }] });
    expect(findings).toHaveLength(1);
    expect(findings[0].suppressedBy).toEqual({ rule: "KP-NET-2", resource, reason });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(pack.unusedSuppressions()).toEqual([]);
  });

  it("apply to one rule on one resource only", () => {
    const { stack, findings } = auditStack(
      (s) => {
        openGroup(s, "open");
        openGroup(s, "other");
      },
      { suppressions: [{ rule: "KP-NET-2", resource: "open", reason }, { rule: "KP-NET-1", resource: "other", reason }] },
    );
    expect(findings.map((f) => [f.address, Boolean(f.suppressedBy)])).toEqual([
      ["aws_security_group.open", true],
      ["aws_security_group.other", false],
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/aws_security_group\.other/);
  });

  it("require a reason", () => {
    expect(() => new RulePack({ cluster: FACTS, rules: ALL_RULES, suppressions: [{ rule: "KP-NET-2", resource: "open", reason: " " }] })).toThrow(/a reason is required/);
  });
});

describe("errors and warnings", () => {
  it("an error fails app.synth() with the rule, the resource and the explanation", () => {
    const app = Testing.app();
    const { cluster } = addClusterStacks(app, example("dev"));
    openGroup(cluster);
    expect(() => app.synth()).toThrow(/KP-NET-2 no-world-ingress \[error\] aws_security_group\.open \(dev-cluster\/open\): ingress ingress\[0\] \(tcp 443\) admits 0\.0\.0\.0\/0\n\s+No security group may admit/);
  });

  it("a warning is an annotation and does not fail synth", () => {
    const { stack } = auditStack((s) => new Subnet(s, "public", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }));
    const subnet = stack.node.findChild("public");
    const warnings = subnet.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/^KP-NET-4 no-public-ip-on-nodes \[warning\] aws_subnet\.public \(t-cluster\/public\): sets map_public_ip_on_launch/)]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it("auditApp reports every violation of every stack at once", () => {
    const app = new App({ outdir: path.join(tmpdir(), "kubeplane-unused") });
    const dev = addClusterStacks(app, example("dev"));
    const kurl = addClusterStacks(app, example("kurl"));
    openGroup(dev.cluster, "a");
    openGroup(kurl.network, "b");
    try {
      auditApp(app);
      throw new Error("expected a RuleViolationError");
    } catch (e) {
      expect(e).toBeInstanceOf(RuleViolationError);
      const error = e as RuleViolationError;
      expect(error.findings.map((f) => f.path)).toEqual(["dev-cluster/a", "kurl-network/b"]);
      expect(error.message).toMatch(/^2 security rule violations:\n/);
      expect(error.message.match(/No security group may admit/g)).toHaveLength(1);
      expect(error.message).toMatch(/suppressions: \[\{ rule: <id>, resource: <construct path or address>, reason: <why> \}\]/);
    }
  });

  it("a definition's suppressions reach the pack; one that matches nothing is reported", () => {
    const app = Testing.app();
    const definition = {
      ...example("dev"),
      suppressions: [
        { rule: "KP-NET-2", resource: "dev-cluster/open", reason: "a partner's scanner, agreed in SEC-123" },
        { rule: "KP-EC2-1", resource: "nothing/here", reason: "left over from an old exception" },
      ],
    };
    const { cluster } = addClusterStacks(app, definition);
    openGroup(cluster);
    const report = auditApp(app);
    const lines = formatReport(report);
    expect(lines.filter((l) => l.includes("KP-NET-2"))).toEqual([
      "suppressed: KP-NET-2 no-world-ingress on aws_security_group.open (dev-cluster/open): ingress ingress[0] (tcp 443) admits 0.0.0.0/0; reason: a partner's scanner, agreed in SEC-123",
    ]);
    expect(lines).toContain('warning: suppression of KP-EC2-1 on "nothing/here" matches no finding; remove it');
    expect(() => app.synth()).not.toThrow();
  });
});

describe("the examples", () => {
  it("a public API endpoint with an allow-list is quiet", () => {
    const app = Testing.app();
    const dev = example("dev");
    const definition = { ...dev, controlPlane: { ...dev.controlPlane, publicApi: { allowedCidrs: ["203.0.113.0/24"] } } };
    addClusterStacks(app, definition);
    const report = auditApp(app);
    expect(report.errors).toEqual([]);
    // Only KP-NET-6's: the public balancer's deletion protection is opt-in (controlPlane.apiLoadBalancer).
    expect(report.warnings.map((w) => `${w.rule.id} ${w.path}`)).toEqual(["KP-NET-6 dev-cluster/public-api-load-balancer/nlb"]);
  });

  it("the same balancer without the definition's opt-in is refused", () => {
    const app = Testing.app();
    const { cluster } = addClusterStacks(app, example("prod"));
    const lb = cluster.node.findAll().find((c) => c.node.path === "prod-cluster/api-load-balancer/nlb") as import("@cdktf/provider-aws/lib/lb").Lb;
    lb.internal = false;
    expect(() => auditApp(app)).toThrow(/KP-NET-3 internal-api-load-balancer \[error\] aws_lb\.api-load-balancer_nlb_\w+ \(prod-cluster\/api-load-balancer\/nlb\): is internet-facing/);
  });

  it.each(["dev", "prod", "kurl"])("%s has no unsuppressed finding, and synthesizes", (name) => {
    const app = Testing.app();
    const definition = example(name);
    addClusterStacks(app, definition);
    const report = auditApp(app);
    expect(report.errors).toEqual([]);
    // Only KP-NET-6's on an HA cluster's balancer: deletion protection is opt-in (controlPlane.apiLoadBalancer).
    expect(report.warnings.map((w) => `${w.rule.id} ${w.path}`)).toEqual(name === "prod" ? ["KP-NET-6 prod-cluster/api-load-balancer/nlb"] : []);
    expect(report.unusedSuppressions).toEqual([]);
    // The examples need no exception at all.
    expect(report.suppressed).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });
});
