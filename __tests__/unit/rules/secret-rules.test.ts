/** KP-SEC-1 (no join token in parameters) and KP-SEC-2 (no secret in user data). */
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn, TerraformLocal, Testing } from "cdktf";
import { gzipSync } from "zlib";
import { auditStack, findingsOf } from "./rule-harness";

const IMDSV2 = { httpTokens: "required" };
const ROOT = { encrypted: true };
const VOLUMES = [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }];
const TOKEN = "abcdef.0123456789abcdef";
const CERT_KEY = "9f2c".repeat(16);

describe("KP-SEC-1 no-join-token-in-parameters", () => {
  it("fires on a token or a certificate key as a value, and on any join parameter set by Terraform", () => {
    const { stack, findings } = auditStack((s) => {
      new SsmParameter(s, "token", { name: "/other/token", type: "SecureString", value: TOKEN });
      new SsmParameter(s, "cert-key", { name: "/other/key", type: "SecureString", value: CERT_KEY });
      new SsmParameter(s, "join", { name: "/kubeplane/t/join/worker", type: "SecureString", value: "placeholder" });
      new SsmParameter(s, "command", { name: "/other/cmd", type: "String", insecureValue: `kubeadm join lb:6443 --token ${TOKEN}` });
    });
    expect(findingsOf(findings, "KP-SEC-1")).toEqual([
      "aws_ssm_parameter.token: value looks like a kubeadm bootstrap token",
      "aws_ssm_parameter.cert-key: value looks like a kubeadm certificate key (64 hex digits)",
      expect.stringMatching(/^aws_ssm_parameter\.join: sets \/kubeplane\/t\/join\/worker, a join parameter/),
      "aws_ssm_parameter.command: insecure_value looks like a kubeadm bootstrap token",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-SEC-1/);
  });

  it("finds a secret held in a local wherever the value interpolates it", () => {
    const { findings } = auditStack((s) => {
      const token = new TerraformLocal(s, "token", TOKEN);
      const key = new TerraformLocal(s, "key", CERT_KEY);
      const command = new TerraformLocal(s, "command", `kubeadm join lb:6443 --token ${token.asString}`);
      new SsmParameter(s, "whole", { name: "/other/a", type: "SecureString", value: token.asString });
      new SsmParameter(s, "inside", { name: "/other/b", type: "String", insecureValue: `kubeadm join lb:6443 --token ${token.asString}` });
      new SsmParameter(s, "chained", { name: "/other/c", type: "String", value: `run: ${command.asString}` });
      new SsmParameter(s, "cert-key", { name: "/other/d", type: "SecureString", value: key.asString });
    });
    expect(findingsOf(findings, "KP-SEC-1")).toEqual([
      "aws_ssm_parameter.whole: value looks like a kubeadm bootstrap token",
      "aws_ssm_parameter.inside: insecure_value looks like a kubeadm bootstrap token",
      "aws_ssm_parameter.chained: value looks like a kubeadm bootstrap token",
      "aws_ssm_parameter.cert-key: value looks like a kubeadm certificate key (64 hex digits)",
    ]);
  });

  it("is quiet on ordinary parameters", () => {
    const { findings } = auditStack((s) => {
      new SsmParameter(s, "endpoint", { name: "/kubeplane/t/endpoint", type: "String", value: "api.example.internal:6443" });
      new SsmParameter(s, "version", { name: "/other/version", type: "String", value: "1.33.5" });
    });
    expect(findings).toEqual([]);
  });
});

describe("KP-SEC-2 no-secrets-in-user-data", () => {
  const instance = (id: string, extra: Record<string, unknown>) => (s: import("cdktf").TerraformStack) =>
    new Instance(s, id, { ami: "ami-12345678", instanceType: "t3.micro", metadataOptions: IMDSV2, rootBlockDevice: ROOT, ...extra });

  it("finds secrets in plain, base64, gzipped and local-held user data", () => {
    const { stack, findings } = auditStack((s) => {
      instance("plain", { userData: `#!/bin/sh\nkubeadm join 10.0.0.10:6443 --token ${TOKEN} --discovery-token-ca-cert-hash sha256:${"a".repeat(64)}\n` })(s);
      instance("b64", { userDataBase64: Buffer.from(`kubeadm join --control-plane --certificate-key ${CERT_KEY}`).toString("base64") })(s);
      instance("gz", { userDataBase64: gzipSync("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n").toString("base64") })(s);
      const local = new TerraformLocal(s, "user-data", "#cloud-config\nruncmd:\n  - export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n");
      new LaunchTemplate(s, "tpl", { metadataOptions: IMDSV2, blockDeviceMappings: VOLUMES, userData: Fn.base64encode(local.asString) });
    });
    expect(findingsOf(findings, "KP-SEC-2")).toEqual([
      "aws_instance.plain: user_data contains what looks like a kubeadm bootstrap token",
      "aws_instance.b64: user_data_base64 contains what looks like a kubeadm certificate key",
      "aws_instance.gz: user_data_base64 contains what looks like a private key",
      "aws_launch_template.tpl: user_data contains what looks like an AWS access key id",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-SEC-2 no-secrets-in-user-data/);
  });

  it("finds secrets held in locals and interpolated into user data, also inside base64encode(\"...\")", () => {
    const { findings } = auditStack((s) => {
      const token = new TerraformLocal(s, "token", TOKEN);
      const key = new TerraformLocal(s, "key", CERT_KEY);
      const script = new TerraformLocal(s, "script", `#!/bin/sh\nkubeadm join --control-plane --certificate-key ${key.asString}\n`);
      instance("plain", { userData: `#!/bin/sh\nkubeadm join 10.0.0.10:6443 --token ${token.asString}\n` })(s);
      new LaunchTemplate(s, "inline", { metadataOptions: IMDSV2, blockDeviceMappings: VOLUMES, userData: Fn.base64encode(`#!/bin/sh\nkubeadm join --token ${token.asString}\n`) });
      new LaunchTemplate(s, "chained", { metadataOptions: IMDSV2, blockDeviceMappings: VOLUMES, userData: Fn.base64encode(script.asString) });
    });
    expect(findingsOf(findings, "KP-SEC-2")).toEqual([
      "aws_instance.plain: user_data contains what looks like a kubeadm bootstrap token",
      "aws_launch_template.inline: user_data contains what looks like a kubeadm bootstrap token",
      "aws_launch_template.chained: user_data contains what looks like a kubeadm certificate key",
    ]);
  });

  it("says so when user data cannot be read", () => {
    const { findings } = auditStack((s) => {
      new LaunchTemplate(s, "tpl", { metadataOptions: IMDSV2, blockDeviceMappings: VOLUMES, userData: Fn.base64encode(Fn.file("./user-data.sh")) });
    });
    expect(findingsOf(findings, "KP-SEC-2")).toEqual([expect.stringMatching(/^aws_launch_template\.tpl: user_data cannot be read .*cannot check it for secrets/)]);
  });

  it("is quiet on user data that fetches its secrets at boot", () => {
    const script = "#!/bin/sh\nTOKEN=$(aws ssm get-parameter --name /kubeplane/t/join/worker --with-decryption --query Parameter.Value --output text)\n" +
      "sha256sum -c <<< \"" + "b".repeat(64) + "  kubeadm\"\nkubeadm join --config /etc/kubeplane/join.yaml\n";
    const { findings } = auditStack((s) => {
      instance("node", { userData: script })(s);
      const local = new TerraformLocal(s, "user-data", script);
      new LaunchTemplate(s, "tpl", { metadataOptions: IMDSV2, blockDeviceMappings: VOLUMES, userData: Fn.base64encode(local.asString) });
    });
    expect(findings).toEqual([]);
  });
});
