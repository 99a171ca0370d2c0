/**
 * KP-VPC-1, KP-VPC-2, KP-NET-5, KP-KMS-1: what peers' scanners look for — flow logs, a closed
 * default security group, no all-ports egress to the world, KMS keys with a policy of their own.
 * Each rule fires on a bad stack and is quiet on kubeplane's own constructs.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Testing } from "cdktf";
import { AwsFirewall } from "../../../providers/aws/aws-firewall";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { SsmParameterBackend } from "../../../providers/aws/ssm-parameter-backend";
import { testIdentities, TEST_NETWORK } from "../../support/aws-fixtures";
import { auditStack, findingsOf, ruleIds } from "./rule-harness";

const NETWORK = {
  clusterName: "t",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b"],
  privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20"],
  publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"],
};
const OURS = ["KP-VPC-1", "KP-VPC-2", "KP-NET-5", "KP-KMS-1"];
const ours = (findings: Parameters<typeof ruleIds>[0]) => ruleIds(findings).filter((id) => OURS.includes(id));

/** A complete inline egress rule. */
const egress = (protocol: string, fromPort: number, toPort: number, cidrs: string[]) => ({
  description: "x",
  protocol,
  fromPort,
  toPort,
  cidrBlocks: cidrs,
  ipv6CidrBlocks: [],
  prefixListIds: [],
  securityGroups: [],
  selfAttribute: false,
});

describe("KP-VPC-1 vpc-flow-logs", () => {
  it("fires on a VPC without a flow log", () => {
    const { stack, findings } = auditStack((s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(findingsOf(findings, "KP-VPC-1")).toEqual(["aws_vpc.vpc: has no flow log: nothing records the connections of its nodes"]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-VPC-1 vpc-flow-logs/);
  });

  it("fires when the flow log's log group keeps records forever", () => {
    const { findings } = auditStack((s) => {
      const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      const group = new CloudwatchLogGroup(s, "logs", { name: "flows" });
      new FlowLog(s, "flow", { vpcId: vpc.id, trafficType: "ALL", logDestination: group.arn, iamRoleArn: "arn:aws:iam::111122223333:role/x" });
    });
    expect(findingsOf(findings, "KP-VPC-1")).toEqual([
      expect.stringMatching(/^aws_vpc\.vpc: its flow log aws_flow_log\.flow writes to aws_cloudwatch_log_group\.logs, which keeps records forever/),
    ]);
  });

  it("does not count a flow log of another VPC", () => {
    const { findings } = auditStack((s) => {
      new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      const other = new Vpc(s, "other", { cidrBlock: "10.1.0.0/16" });
      new FlowLog(s, "flow", { vpcId: other.id, trafficType: "ALL", logDestination: "arn:aws:s3:::bucket", logDestinationType: "s3" });
    });
    expect(findingsOf(findings, "KP-VPC-1")).toEqual(["aws_vpc.vpc: has no flow log: nothing records the connections of its nodes"]);
  });

  it("is quiet on kubeplane's network", () => {
    const { findings } = auditStack((s) => new AwsNetwork(s, "network", NETWORK));
    expect(ours(findings)).toEqual([]);
  });

  it("reports a network whose definition opts out, until a suppression with a reason accepts it", () => {
    const build = (s: Parameters<Parameters<typeof auditStack>[0]>[0]) => new AwsNetwork(s, "network", { ...NETWORK, flowLogs: { enabled: false } });
    expect(findingsOf(auditStack(build).findings, "KP-VPC-1")).toEqual([expect.stringMatching(/^aws_vpc\.network_vpc_\w+: has no flow log/)]);
    const reason = "flows are captured by the transit gateway's flow log (SEC-42)";
    const { stack, findings } = auditStack(build, { suppressions: [{ rule: "KP-VPC-1", resource: "network/vpc", reason }] });
    expect(findings.filter((f) => f.rule.id === "KP-VPC-1").map((f) => f.suppressedBy?.reason)).toEqual([reason]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});

describe("KP-VPC-2 default-security-group-closed", () => {
  it("fires on a VPC whose default group is not managed", () => {
    const { findings } = auditStack((s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(findingsOf(findings, "KP-VPC-2")).toEqual([expect.stringMatching(/^aws_vpc\.vpc: its default security group is not managed/)]);
  });

  it("fires on a managed default group with AWS's own rules (its members in, everything out)", () => {
    const { findings } = auditStack((s) => {
      const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      new DefaultSecurityGroup(s, "default", {
        vpcId: vpc.id,
        ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, selfAttribute: true }],
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      });
    });
    expect(findingsOf(findings, "KP-VPC-2")).toEqual(["aws_default_security_group.default: the default security group has 1 ingress and 1 egress rules; it must have none"]);
  });

  it("fires on a rule resource added to the default group", () => {
    const { findings } = auditStack((s) => {
      const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      const group = new DefaultSecurityGroup(s, "default", { vpcId: vpc.id, ingress: [], egress: [] });
      new SecurityGroupRule(s, "open", { type: "egress", securityGroupId: group.id, protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] });
    });
    expect(findingsOf(findings, "KP-VPC-2")).toEqual([expect.stringMatching(/^aws_security_group_rule\.open: adds a rule to the default security group aws_default_security_group\.default/)]);
  });

  it("is quiet on kubeplane's network, and KP-NET-1/2 still read the default group", () => {
    expect(ours(auditStack((s) => new AwsNetwork(s, "network", NETWORK)).findings)).toEqual([]);
    const { findings } = auditStack((s) => {
      const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      new DefaultSecurityGroup(s, "default", { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
    });
    expect(ruleIds(findings)).toEqual(expect.arrayContaining(["KP-NET-1", "KP-NET-2", "KP-VPC-2"]));
  });
});

describe("KP-NET-5 no-world-egress-all-ports", () => {
  it.each([
    ["all traffic to 0.0.0.0/0", egress("-1", 0, 0, ["0.0.0.0/0"])],
    ["every TCP port to 0.0.0.0/0", egress("tcp", 0, 65535, ["0.0.0.0/0"])],
    ["every UDP port (by number) to a block as broad as anywhere", egress("17", 1, 65535, ["0.0.0.0/1"])],
  ])("fires on a group letting %s out", (_, rule) => {
    const { findings } = auditStack((s) => new SecurityGroup(s, "sg", { vpcId: "vpc-1", egress: [rule] }));
    expect(findingsOf(findings, "KP-NET-5")).toEqual([expect.stringMatching(/^aws_security_group\.sg: egress egress\[0\] .* lets everything out to 0\.0\.0\.0\/[01]/)]);
  });

  it("fires on rule resources too", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroupRule(s, "rule", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
      new VpcSecurityGroupEgressRule(s, "vpc-rule", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0" });
      new SecurityGroupRule(s, "ingress", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] });
    });
    expect(findingsOf(findings, "KP-NET-5")).toEqual([
      expect.stringMatching(/^aws_security_group_rule\.rule: egress \(all traffic\)/),
      expect.stringMatching(/^aws_vpc_security_group_egress_rule\.vpc-rule: egress \(all traffic\) lets everything out to ::\/0/),
    ]);
  });

  it("fires on ranges that together open every port of a protocol to the world, inline or as rule resources of the group", () => {
    const { findings } = auditStack((s) => {
      new SecurityGroup(s, "split", { vpcId: "vpc-1", egress: [egress("tcp", 1, 32767, ["0.0.0.0/0"]), egress("tcp", 32768, 65535, ["0.0.0.0/0"])] });
      const group = new SecurityGroup(s, "spread", { vpcId: "vpc-1", egress: [egress("udp", 1, 1000, ["0.0.0.0/0"])] });
      new SecurityGroupRule(s, "rest", { type: "egress", securityGroupId: group.id, protocol: "udp", fromPort: 1001, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] });
      new SecurityGroup(s, "gap", { vpcId: "vpc-1", egress: [egress("tcp", 1, 442, ["0.0.0.0/0"]), egress("tcp", 444, 65535, ["0.0.0.0/0"])] });
    });
    expect(findingsOf(findings, "KP-NET-5")).toEqual([
      "aws_security_group.split: egress rules together let every tcp port out to 0.0.0.0/0",
      "aws_security_group.spread: egress rules together let every udp port out to 0.0.0.0/0",
    ]);
  });

  it("is quiet on single ports to the world and on everything into the VPC", () => {
    const { findings } = auditStack((s) => new SecurityGroup(s, "sg", { vpcId: "vpc-1", egress: [egress("tcp", 443, 443, ["0.0.0.0/0"]), egress("-1", 0, 0, ["10.0.0.0/16"])] }));
    expect(findingsOf(findings, "KP-NET-5")).toEqual([]);
  });

  it("accepts exactly what the definition's extraEgress asks for, and nothing near it", () => {
    const build = (s: Parameters<Parameters<typeof auditStack>[0]>[0]) =>
      new SecurityGroup(s, "sg", { vpcId: "vpc-1", egress: [egress("-1", 0, 0, ["0.0.0.0/0"]), egress("tcp", 1, 65535, ["0.0.0.0/0"])] });
    const asked = auditStack(build, { facts: { extraEgress: [{ protocol: "all", cidrs: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 1, toPort: 65535, cidrs: ["0.0.0.0/0"] }] } });
    expect(findingsOf(asked.findings, "KP-NET-5")).toEqual([]);
    const near = auditStack(build, { facts: { extraEgress: [{ protocol: "udp", fromPort: 1, toPort: 65535, cidrs: ["0.0.0.0/0"] }, { protocol: "all", cidrs: ["0.0.0.0/1"] }] } });
    expect(findingsOf(near.findings, "KP-NET-5")).toHaveLength(2);
  });

  it("is quiet on kubeplane's firewall, and on its extra egress only when the definition asked for it", () => {
    const firewall = (s: Parameters<Parameters<typeof auditStack>[0]>[0]) =>
      new AwsFirewall(s, "firewall", {
        clusterName: "t",
        network: TEST_NETWORK,
        apiServerPort: 6443,
        apiLoadBalancer: true,
        bastion: true,
        extraEgress: [{ description: "everything, SEC-7", protocol: "all", cidrs: ["0.0.0.0/0"] }],
      });
    expect(findingsOf(auditStack(firewall, { facts: { extraEgress: [{ protocol: "all", cidrs: ["0.0.0.0/0"] }] } }).findings, "KP-NET-5")).toEqual([]);
    expect(findingsOf(auditStack(firewall).findings, "KP-NET-5")).toEqual([expect.stringMatching(/^aws_security_group\.firewall_nodes_\w+: egress egress\[3\] \(all traffic, "everything, SEC-7"\)/)]);
    const plain = auditStack((s) => new AwsFirewall(s, "firewall", { clusterName: "t", network: TEST_NETWORK, apiServerPort: 6443, apiLoadBalancer: true, bastion: true }));
    expect(ours(plain.findings)).toEqual([]);
  });
});

describe("KP-KMS-1 kms-key-policy", () => {
  /**
   * KMS's default key policy, "Allows access to the AWS account and enables IAM policies"
   * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
   */
  const KMS_DEFAULT_POLICY = {
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }],
  };
  const keyWith = (statement: Record<string, unknown>) => (s: Parameters<Parameters<typeof auditStack>[0]>[0]) =>
    new KmsKey(s, "key", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });

  it("fires on a key without a policy", () => {
    const { stack, findings } = auditStack((s) => new KmsKey(s, "key", { description: "x" }));
    expect(findingsOf(findings, "KP-KMS-1")).toEqual(["aws_kms_key.key: has no key policy: KMS gives it the default (kms:* for the account), deferring every use to IAM"]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-KMS-1 kms-key-policy/);
  });

  it("fires on KMS's default policy written out, in the key or in an aws_kms_key_policy", () => {
    const inKey = auditStack((s) => new KmsKey(s, "key", { policy: JSON.stringify(KMS_DEFAULT_POLICY) }));
    expect(findingsOf(inKey.findings, "KP-KMS-1")).toEqual(["aws_kms_key.key: Enable IAM User Permissions grants kms:* to arn:aws:iam::111122223333:root"]);
    const separate = auditStack((s) => {
      const key = new KmsKey(s, "key", {});
      new KmsKeyPolicy(s, "policy", { keyId: key.id, policy: JSON.stringify(KMS_DEFAULT_POLICY) });
    });
    expect(findingsOf(separate.findings, "KP-KMS-1")).toEqual(["aws_kms_key.key: Enable IAM User Permissions grants kms:* to arn:aws:iam::111122223333:root"]);
  });

  it.each([
    ["the account root", { Sid: "Use", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["kms:Decrypt"], Resource: "*" }],
    ["the bare account id", { Sid: "Use", Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "kms:GenerateDataKey*", Resource: "*" }],
    ["everyone", { Sid: "Use", Effect: "Allow", Principal: "*", Action: ["kms:Encrypt"], Resource: "*" }],
  ])("fires on use granted to %s without a condition", (_, statement) => {
    expect(findingsOf(auditStack(keyWith(statement)).findings, "KP-KMS-1")).toEqual([expect.stringMatching(/^aws_kms_key\.key: Use lets .* use the key without a condition: kms:/)]);
  });

  it("fires on * and on NotAction to anyone, and on a policy it cannot read", () => {
    const star = auditStack(keyWith({ Sid: "All", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/app" }, Action: "*", Resource: "*" }));
    expect(findingsOf(star.findings, "KP-KMS-1")).toEqual(["aws_kms_key.key: All grants * to arn:aws:iam::111122223333:role/app"]);
    const not = auditStack(keyWith({ Sid: "Not", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/app" }, NotAction: "kms:ScheduleKeyDeletion", Resource: "*" }));
    expect(findingsOf(not.findings, "KP-KMS-1")).toEqual([expect.stringMatching(/Not allows NotAction kms:ScheduleKeyDeletion/)]);
    const unreadable = auditStack((s) => new KmsKey(s, "key", { policy: "${file(\"policy.json\")}" }));
    expect(findingsOf(unreadable.findings, "KP-KMS-1")).toEqual([expect.stringMatching(/its policy is not literal JSON.*cannot be checked$/)]);
  });

  it("is quiet on use by a named role, on administration for the account, and on conditioned use", () => {
    const { findings } = auditStack((s) =>
      new KmsKey(s, "key", {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Admin", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["kms:DescribeKey", "kms:PutKeyPolicy"], Resource: "*" },
            { Sid: "App", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/app" }, Action: ["kms:Decrypt"], Resource: "*" },
            { Sid: "Via", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "111122223333", "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } } },
          ],
        }),
      }),
    );
    expect(findingsOf(findings, "KP-KMS-1")).toEqual([]);
  });

  it("is quiet on kubeplane's join-lease key", () => {
    const { findings } = auditStack((s) => {
      const ids = testIdentities(s);
      new SsmParameterBackend(s, "join-lease", { clusterName: "t", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/usr/local/sbin/refresh" });
    });
    expect(ours(findings)).toEqual([]);
  });
});
