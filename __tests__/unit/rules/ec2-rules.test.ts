/** KP-EC2-1 (IMDSv2), KP-EC2-2 (encrypted volumes), KP-NET-4 (no public IPs; a warning). */
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Testing } from "cdktf";
import { auditStack, findingsOf, ruleIds } from "./rule-harness";

const IMDSV2 = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
const ROOT = { volumeType: "gp3", volumeSize: 20, encrypted: true };

describe("KP-EC2-1 imdsv2-required", () => {
  it("fires on an instance without metadata options, and fails synth", () => {
    const { stack, findings } = auditStack((s) => new Instance(s, "node", { ami: "ami-12345678", instanceType: "t3.micro", rootBlockDevice: ROOT }));
    expect(findingsOf(findings, "KP-EC2-1")).toEqual([expect.stringMatching(/^aws_instance\.node: has no metadata_options, so IMDSv1 is allowed/)]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-EC2-1 imdsv2-required \[error\] aws_instance\.node \(t-cluster\/node\)/);
  });

  it("fires on optional tokens in an instance and a launch template", () => {
    const { findings } = auditStack((s) => {
      new Instance(s, "node", { ami: "ami-12345678", instanceType: "t3.micro", rootBlockDevice: ROOT, metadataOptions: { httpTokens: "optional" } });
      new LaunchTemplate(s, "tpl", {
        metadataOptions: { httpEndpoint: "enabled" },
        blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }],
      });
    });
    expect(findingsOf(findings, "KP-EC2-1")).toEqual([
      expect.stringMatching(/^aws_instance\.node: metadata_options\.http_tokens is "optional"/),
      expect.stringMatching(/^aws_launch_template\.tpl: metadata_options\.http_tokens is "unset \(optional\)"/),
    ]);
  });

  it("is quiet on IMDSv2-only machines and on a disabled metadata endpoint", () => {
    const { stack, findings } = auditStack((s) => {
      new Instance(s, "node", { ami: "ami-12345678", instanceType: "t3.micro", rootBlockDevice: ROOT, metadataOptions: IMDSV2 });
      new Instance(s, "dark", { ami: "ami-12345678", instanceType: "t3.micro", rootBlockDevice: ROOT, metadataOptions: { httpEndpoint: "disabled" } });
      new LaunchTemplate(s, "tpl", { metadataOptions: IMDSV2, blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }] });
    });
    expect(findings).toEqual([]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});

describe("KP-EC2-2 encrypted-volumes", () => {
  it("fires on unencrypted or undeclared root volumes and data volumes", () => {
    const { findings } = auditStack((s) => {
      new Instance(s, "implicit", { ami: "ami-12345678", instanceType: "t3.micro", metadataOptions: IMDSV2 });
      new Instance(s, "plain", {
        ami: "ami-12345678",
        instanceType: "t3.micro",
        metadataOptions: IMDSV2,
        rootBlockDevice: { volumeSize: 20 },
        ebsBlockDevice: [{ deviceName: "/dev/sdf", volumeSize: 100, encrypted: false }],
      });
      new LaunchTemplate(s, "tpl", { metadataOptions: IMDSV2, blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeSize: 20, encrypted: "false" } }] });
      new LaunchTemplate(s, "bare", { metadataOptions: IMDSV2 });
      new EbsVolume(s, "data", { availabilityZone: "eu-west-1a", size: 10 });
    });
    expect(findingsOf(findings, "KP-EC2-2")).toEqual([
      expect.stringMatching(/^aws_instance\.implicit: declares no root_block_device/),
      "aws_instance.plain: root_block_device.encrypted is not true",
      "aws_instance.plain: ebs_block_device[0] (/dev/sdf) does not set encrypted = true",
      "aws_launch_template.tpl: block_device_mappings[0] (/dev/sda1) does not set ebs.encrypted = true",
      expect.stringMatching(/^aws_launch_template\.bare: has no block_device_mappings/),
      "aws_ebs_volume.data: encrypted is not true",
    ]);
  });

  it("is quiet on encrypted volumes", () => {
    const { findings } = auditStack((s) => {
      new Instance(s, "node", {
        ami: "ami-12345678",
        instanceType: "t3.micro",
        metadataOptions: IMDSV2,
        rootBlockDevice: ROOT,
        ebsBlockDevice: [{ deviceName: "/dev/sdf", volumeSize: 100, encrypted: true }],
      });
      new EbsVolume(s, "data", { availabilityZone: "eu-west-1a", size: 10, encrypted: true });
    });
    expect(findings).toEqual([]);
  });
});

describe("KP-NET-4 no-public-ip-on-nodes (warning)", () => {
  it("warns on public addresses without failing synth", () => {
    const { stack, findings } = auditStack((s) => {
      new Instance(s, "node", { ami: "ami-12345678", instanceType: "t3.micro", metadataOptions: IMDSV2, rootBlockDevice: ROOT, associatePublicIpAddress: true });
      new Subnet(s, "public", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true });
    });
    expect(ruleIds(findings)).toEqual(["KP-NET-4"]);
    expect(findings.every((f) => f.level === "warning")).toBe(true);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});
