/**
 * The neutral definition and the cloud's part of it: the schema in definition/ holds only what
 * is true on every cloud (a name is a DNS-1123 label, a volume is a positive size, ...); the AWS
 * cloud adds AWS's limits (load balancer names, gp3, VPC prefixes, CloudWatch, EC2's
 * description characters, tag keys), fills in its defaults (instance types) and reads its own
 * block (`aws: { ami }`). Each AWS bound is reported at its field with AWS's reason, and the same
 * value passes the neutral schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { cloudBlockOf, clusterDefinitionSchema, DefinitionProblem, DefinitionRules, formatProblem, loadDefinitions, parseDefinition } from "../../../definition";
import { cloudFor } from "../../../providers";
import { AWS_CLUSTER_NAME_MAX_LENGTH, AWS_DEFINITION_DEFAULTS, AWS_ROOT_VOLUME_GIB, awsBlockOf } from "../../../providers/aws/aws-definition";
import { suppressionCheck } from "../../../rules";
import { run } from "../../../main";
import { encryptedRootVolume } from "../../../providers/aws/node-hardening";
import { isWorld, WORLD_IPV4_PREFIX } from "../../../rules/rule";

const RULES: DefinitionRules = { cloudFor, checks: [suppressionCheck] };
const BASE = "name: t\nregion: eu-west-1\n";

const parse = (yaml: string) => parseDefinition("c.yaml", yaml, RULES);
const problemsOf = (yaml: string): DefinitionProblem[] => parse(yaml).problems;
function problemAt(yaml: string, field: string): DefinitionProblem {
  const found = problemsOf(yaml).filter((p) => p.path === field);
  if (found.length !== 1) throw new Error(`expected one problem at ${field}, got:\n${problemsOf(yaml).map(formatProblem).join("\n")}`);
  return found[0];
}
/** What the neutral schema alone says about a definition's fields. */
const neutral = (fields: Record<string, unknown>) => clusterDefinitionSchema.safeParse({ name: "t", region: "eu-west-1", ...fields });

describe("cluster names: a DNS-1123 label everywhere, 28 characters on AWS", () => {
  const name29 = "a".repeat(AWS_CLUSTER_NAME_MAX_LENGTH + 1);

  it("a 29-character name is refused on AWS, naming the field and the load balancer names", () => {
    const p = problemAt(`name: ${name29}\nregion: eu-west-1\n`, "name");
    expect(p.line).toBe(1);
    expect(p.message).toBe(`must be at most 28 characters on AWS (got 29): it is part of the API's load balancer names, which AWS limits to 32`);
    expect(problemsOf(`name: ${"a".repeat(28)}\nregion: eu-west-1\n`)).toEqual([]);
  });

  it("the same name is accepted by the neutral schema, which takes up to a DNS label's 63", () => {
    expect(neutral({ name: name29 }).success).toBe(true);
    expect(neutral({ name: "a".repeat(63) }).success).toBe(true);
    const tooLong = neutral({ name: "a".repeat(64) });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]).toMatchObject({ path: ["name"], message: expect.stringMatching(/at most 63 characters \(a DNS label\)/) });
  });

  it("the API's DNS name must fit 253 characters with the name actually written", () => {
    const zone = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(40)}`; // 223 characters
    // api.t.<zone> is 229 characters: fine; api.<28 characters>.<zone> is 256: too long.
    expect(problemsOf(`${BASE}network:\n  privateDnsZone: ${zone}\n`)).toEqual([]);
    const p = problemAt(`name: ${"a".repeat(28)}\nregion: eu-west-1\nnetwork:\n  privateDnsZone: ${zone}\n`, "network.privateDnsZone");
    expect(p.message).toBe("must be at most 220 characters with this cluster's name (the API's name api.<cluster>.<zone> must fit DNS's 253; got 223)");
  });
});

describe("root volumes: a positive size everywhere, gp3's 8 to 16384 GiB on AWS", () => {
  it.each(["controlPlane", "workers"])("%s.volumeSize outside gp3's bounds is refused at its field, with the reason", (section) => {
    expect(problemAt(`${BASE}${section}:\n  volumeSize: 7\n`, `${section}.volumeSize`)).toMatchObject({
      line: 4,
      message: "must be at least 8 GiB on AWS (the Ubuntu image's root snapshot) (got 7)",
    });
    expect(problemAt(`${BASE}${section}:\n  volumeSize: 16385\n`, `${section}.volumeSize`).message).toBe("must be at most 16384 GiB on AWS (gp3's largest volume) (got 16385)");
    expect(problemsOf(`${BASE}${section}:\n  volumeSize: ${AWS_ROOT_VOLUME_GIB.min}\n`)).toEqual([]);
    expect(problemsOf(`${BASE}${section}:\n  volumeSize: ${AWS_ROOT_VOLUME_GIB.max}\n`)).toEqual([]);
  });

  it("the neutral schema takes any positive whole number of GiB", () => {
    expect(neutral({ workers: { volumeSize: 16385 } }).success).toBe(true);
    expect(neutral({ workers: { volumeSize: 1 } }).success).toBe(true);
    expect(neutral({ workers: { volumeSize: 0 } }).success).toBe(false);
    expect(neutral({ workers: { volumeSize: 2.5 } }).success).toBe(false);
  });
});

describe("VPC prefixes: AWS's /16 to /28, kubeplane's carving takes up to /24", () => {
  it.each([
    ["10.0.0.0/15", "a /15 is larger than AWS allows for a VPC (/16 to /28); use a /16 to /24"],
    ["10.0.0.0/25", "a /25 is too small: subnets are 1/16th of the VPC and AWS needs at least a /28 (use /24 or larger)"],
  ])("network.cidr %s is refused on AWS", (cidr, message) => {
    expect(problemAt(`${BASE}network:\n  cidr: ${cidr}\n`, "network.cidr")).toMatchObject({ line: 4, message });
  });

  it("a subnet smaller than a /28 is refused on AWS", () => {
    expect(problemAt(`${BASE}network:\n  privateSubnets: [10.0.0.0/29, 10.0.0.16/28]\n`, "network.privateSubnets[0]").message).toBe(
      "10.0.0.0/29 is smaller than AWS's minimum subnet (/28)",
    );
  });

  it("the neutral schema takes a /8 network and a /29 subnet", () => {
    expect(neutral({ network: { cidr: "10.0.0.0/8" }, kubernetes: { serviceCidr: "172.20.0.0/16" } }).success).toBe(true);
    expect(neutral({ network: { privateSubnets: ["10.0.0.0/29", "10.0.0.16/28"] } }).success).toBe(true);
  });
});

describe("flow logs, extra egress and tags: the neutral rules, and AWS's", () => {
  it("a retention CloudWatch Logs does not accept is refused on AWS; the neutral schema takes any positive number of days", () => {
    const p = problemAt(`${BASE}network:\n  flowLogs:\n    retentionDays: 31\n`, "network.flowLogs.retentionDays");
    expect(p).toMatchObject({ line: 5, message: expect.stringMatching(/^must be one of CloudWatch Logs' retention periods \(1, 3, 5, 7, 14, 30, 60, .*3653\), got 31$/) });
    expect(neutral({ network: { flowLogs: { retentionDays: 31 } } }).success).toBe(true);
    expect(neutral({ network: { flowLogs: { retentionDays: 0 } } }).success).toBe(false);
  });

  const egress = (description: string) => `${BASE}network:\n  extraEgress:\n    - description: "${description}"\n      protocol: all\n      cidrs: [10.9.0.0/16]\n`;

  it("an egress description with characters EC2 does not accept is refused on AWS; the neutral schema takes it", () => {
    expect(problemAt(egress("café <mirror>"), "network.extraEgress[0].description").message).toBe(
      "must be 1-255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (what EC2 accepts) (got \"café <mirror>\")",
    );
    expect(problemsOf(egress("package mirror (apt)"))).toEqual([]);
    const description = "café <mirror>";
    expect(neutral({ network: { extraEgress: [{ description, protocol: "all", cidrs: ["10.9.0.0/16"] }] } }).success).toBe(true);
    expect(neutral({ network: { extraEgress: [{ description: "   ", protocol: "all", cidrs: ["10.9.0.0/16"] }] } }).success).toBe(false);
  });

  it("tag keys: kubeplane: is reserved everywhere, aws: and AWS's lengths on AWS", () => {
    expect(problemAt(`${BASE}tags:\n  "aws:owner": me\n`, 'tags.aws:owner').message).toBe('tag keys starting with "aws:" are reserved by AWS');
    expect(problemAt(`${BASE}tags:\n  ${"k".repeat(129)}: v\n`, `tags.${"k".repeat(129)}`).message).toBe("AWS tag keys are at most 128 characters (got 129)");
    expect(problemAt(`${BASE}tags:\n  team: ${"v".repeat(257)}\n`, "tags.team").message).toBe("AWS tag values are at most 256 characters (got 257)");
    expect(neutral({ tags: { "aws:owner": "me", ["k".repeat(129)]: "v".repeat(257) } }).success).toBe(true);
    const reserved = neutral({ tags: { "kubeplane:cluster": "x" } });
    expect(reserved.success).toBe(false);
    expect(JSON.stringify(reserved.error?.issues)).toMatch(/tag keys starting with \\"kubeplane:\\" are reserved/);
  });
});

describe("defaults are the cloud's: instance types are filled in once the cloud is known", () => {
  it("the neutral schema leaves the instance types unset", () => {
    const result = neutral({});
    expect(result.success && [result.data.controlPlane.instanceType, !Array.isArray(result.data.workers) && result.data.workers.instanceType]).toEqual([undefined, undefined]);
  });

  it("on AWS they are t3.medium and t3.large, and written ones are kept", () => {
    const { definition } = parse(BASE);
    expect([definition?.controlPlane.instanceType, definition?.workerPools[0].instanceTypes]).toEqual(["t3.medium", ["t3.large"]]);
    expect(AWS_DEFINITION_DEFAULTS).toEqual({ controlPlane: { instanceType: "t3.medium" }, workers: { instanceType: "t3.large" } });
    const written = parse(`${BASE}controlPlane:\n  instanceType: m6i.large\nworkers:\n  instanceType: c6i.xlarge\n`).definition;
    expect([written?.controlPlane.instanceType, written?.workerPools[0].instanceTypes]).toEqual(["m6i.large", ["c6i.xlarge"]]);
  });

  it("another cloud's defaults apply to the same definition", () => {
    const cloud = { name: "aws", definitionDefaults: { controlPlane: { instanceType: "cp-type" }, workers: { instanceType: "w-type" } }, validateDefinition: () => [] };
    const { definition, problems } = parseDefinition("c.yaml", `name: ${"a".repeat(40)}\nregion: anywhere\n`, { cloudFor: () => cloud });
    expect(problems).toEqual([]);
    expect([definition?.controlPlane.instanceType, definition?.workerPools[0].instanceTypes]).toEqual(["cp-type", ["w-type"]]);
  });
});

describe("the AWS block: aws: { ami }", () => {
  const AMI = "ami-0123456789abcdef0";

  it("aws.ami names the image; the loaded definition carries the block for the cloud to read", () => {
    const { definition, problems, warnings } = parse(`${BASE}aws:\n  ami: ${AMI}\n`);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(awsBlockOf(cloudBlockOf(definition!))).toEqual({ ami: AMI });
  });

  it("without it, the block is empty and the image is the cloud's own lookup", () => {
    const { definition } = parse(BASE);
    expect(cloudBlockOf(definition!)).toBeUndefined();
    expect(awsBlockOf(cloudBlockOf(definition!))).toEqual({});
  });

  it("the old top-level ami still loads, into aws.ami, with a warning naming the file, the field and what to write instead", () => {
    const { definition, problems, warnings } = parse(`${BASE}ami: ${AMI}\n`);
    expect(problems).toEqual([]);
    expect(awsBlockOf(cloudBlockOf(definition!))).toEqual({ ami: AMI });
    expect(warnings.map(formatProblem)).toEqual([`c.yaml:3: ami: is deprecated: write it in the AWS block instead, as "aws: { ami: ${AMI} }"`]);
  });

  it("both the old and the new field is an error naming the old one", () => {
    const p = problemAt(`${BASE}ami: ${AMI}\naws:\n  ami: ami-0fedcba9876543210\n`, "ami");
    expect(p).toMatchObject({ line: 3, message: 'is deprecated and aws.ami is set too: keep only aws.ami' });
  });

  it("the block is validated by the AWS cloud: a bad AMI id, a typo, a block that is not a mapping", () => {
    expect(problemAt(`${BASE}aws:\n  ami: ubuntu\n`, "aws.ami")).toMatchObject({ line: 4, message: 'must be an AMI id like ami-0123456789abcdef0 (got "ubuntu")' });
    expect(problemAt(`${BASE}ami: ubuntu\n`, "ami").message).toBe('must be an AMI id like ami-0123456789abcdef0 (got "ubuntu")');
    expect(problemAt(`${BASE}aws:\n  amiId: ${AMI}\n`, "aws.amiId")).toMatchObject({ line: 4, message: 'unknown field (did you mean "ami"?); allowed here: ami' });
    expect(problemAt(`${BASE}aws: ${AMI}\n`, "aws").message).toBe(`must be a mapping of fields (got "${AMI}")`);
  });

  it("a block for another cloud than the definition's is an error naming the field", () => {
    const problems = problemsOf(`${BASE}cloud: gcp\naws:\n  ami: ${AMI}\n`);
    // gcp is a cloud now (its own problems with this AWS-shaped file are listed too).
    const messages = problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toContain("aws: is the block of cloud aws, but this cluster's cloud is gcp: remove it, or set cloud: aws");
    expect(messages.filter((m) => m.startsWith("cloud:"))).toEqual([]);
  });
});

describe("one bound, one constant: what the definition accepts, the constructs and rules take", () => {
  it("every volume size the AWS cloud accepts, the root volume construct takes, and no other", () => {
    for (const size of [AWS_ROOT_VOLUME_GIB.min, AWS_ROOT_VOLUME_GIB.max]) {
      expect(problemsOf(`${BASE}workers:\n  volumeSize: ${size}\n`)).toEqual([]);
      expect(encryptedRootVolume(size, "T").volumeSize).toBe(size);
    }
    for (const size of [AWS_ROOT_VOLUME_GIB.min - 1, AWS_ROOT_VOLUME_GIB.max + 1]) {
      expect(problemsOf(`${BASE}workers:\n  volumeSize: ${size}\n`)).not.toEqual([]);
      expect(() => encryptedRootVolume(size, "T")).toThrow(/T: volumeSize must be/);
    }
  });

  it("the public API takes a /8 and nothing the rule pack calls the world", () => {
    const allow = (cidr: string) => problemsOf(`${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [${cidr}]\n`);
    expect(allow(`11.0.0.0/${WORLD_IPV4_PREFIX}`)).toEqual([]);
    expect(isWorld(`11.0.0.0/${WORLD_IPV4_PREFIX}`)).toBe(false);
    expect(allow(`10.0.0.0/${WORLD_IPV4_PREFIX - 1}`)).not.toEqual([]);
    expect(isWorld(`10.0.0.0/${WORLD_IPV4_PREFIX - 1}`)).toBe(true);
  });
});

describe("warnings reach the user and do not fail the load", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubeplane-cloud-def-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "old.yaml");
  writeFileSync(file, "name: old\nregion: eu-west-1\nami: ami-0123456789abcdef0\n");

  it("loadDefinitions returns the definition with its warnings", () => {
    const [loaded] = loadDefinitions([file], RULES);
    expect(loaded.definition.name).toBe("old");
    expect(loaded.warnings.map(formatProblem)).toEqual([`${file}:3: ami: is deprecated: write it in the AWS block instead, as "aws: { ami: ami-0123456789abcdef0 }"`]);
  });

  it("synth prints them as kubeplane warnings and succeeds", () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = run({ KUBEPLANE_CLUSTERS: file, CDKTF_OUTDIR: path.join(dir, "out") }, undefined, { out: (l) => out.push(l), err: (t) => err.push(t) });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toContain(`kubeplane: warning: ${file}:3: ami: is deprecated: write it in the AWS block instead, as "aws: { ami: ami-0123456789abcdef0 }"`);
  });
});
