/**
 * Every kind of bad definition is reported with its file, line, field path, what is wrong and
 * what is allowed; every problem of a file at once.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { DefinitionError, DefinitionProblem, formatProblem, loadDefinitions, parseDefinition } from "../../../definition";
import { cloudFor } from "../../../providers";
import { suppressionCheck } from "../../../rules";
import { SUPPORTED_KUBERNETES, supportedKubernetesRange } from "../../../definition/kubernetes-versions";

const CHECKS = { cloudFor, checks: [suppressionCheck] };
const BASE = "name: t\nregion: eu-west-1\n";

function problemsOf(yaml: string): DefinitionProblem[] {
  const result = parseDefinition("c.yaml", yaml, CHECKS);
  if (result.problems.length === 0) expect(result.definition).toBeDefined();
  return result.problems;
}

/** The one problem at `path` (fails when there is none or several). */
function problemAt(yaml: string, field: string): DefinitionProblem {
  const found = problemsOf(yaml).filter((p) => p.path === field);
  if (found.length !== 1) throw new Error(`expected one problem at ${field}, got:\n${problemsOf(yaml).map(formatProblem).join("\n")}`);
  return found[0];
}

describe("whole-file problems", () => {
  it.each([
    ["an empty file", ""],
    ["a file of comments only", "# nothing here\n\n"],
    ["a null document", "~\n"],
  ])("%s is reported as empty", (_, yaml) => {
    expect(problemsOf(yaml)).toEqual([{ file: "c.yaml", path: "", message: expect.stringMatching(/is empty.*name and region/) }]);
  });

  it("a YAML syntax error is reported once, with its line and column", () => {
    const problems = problemsOf("name: t\nregion: eu-west-1\nworkers:\n  min: [1\n  max: 3\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "c.yaml", path: "", line: expect.any(Number) });
    expect(problems[0].line).toBeGreaterThanOrEqual(4);
    expect(problems[0].message).toMatch(/^YAML syntax error \(column \d+\): /);
    expect(problems[0].message).not.toMatch(/at line \d+/);
  });

  it("a key given twice is a syntax error on its line", () => {
    const [p] = problemsOf("name: t\nregion: eu-west-1\nname: u\n");
    expect(p).toMatchObject({ line: 3, message: expect.stringMatching(/YAML syntax error.*unique/i) });
  });

  it("an alias without an anchor is a YAML error, not a crash", () => {
    expect(problemsOf("name: t\nregion: *nowhere\n")).toEqual([{ file: "c.yaml", path: "", message: expect.stringMatching(/^YAML error: Unresolved alias/) }]);
  });

  it("a key that is a list is reported on its line", () => {
    expect(problemsOf("name: t\nregion: eu-west-1\n? [a, b]\n: c\n")).toEqual([
      { file: "c.yaml", line: 3, path: "", message: "field names must be plain words, not lists or mappings" },
    ]);
  });

  it.each([
    ["a list", "- name: t\n", /got a list/],
    ["a scalar", "just text\n", /got a single value/],
  ])("a document that is %s is rejected", (_, yaml, message) => {
    expect(problemsOf(yaml)).toEqual([{ file: "c.yaml", line: 1, path: "", message: expect.stringMatching(message) }]);
  });
});

describe("names", () => {
  it("a missing name is required", () => {
    expect(problemAt("region: eu-west-1\n", "name").message).toBe("is required: a string");
  });

  it.each([
    ["upper case", "Dev", /DNS-1123 label.*got "Dev"/],
    ["an underscore", "dev_1", /DNS-1123 label/],
    ["a leading digit", "1dev", /starting with a letter/],
    ["a trailing dash", "dev-", /DNS-1123 label/],
    ["too many characters", "a".repeat(64), /at most 63 characters \(a DNS label\).*got 64 characters/],
    ["too many characters for AWS's load balancer names", "a".repeat(29), /at most 28 characters on AWS \(got 29\): it is part of the API's load balancer names/],
  ])("a name with %s is invalid", (_, name, message) => {
    const p = problemAt(`name: ${name}\nregion: eu-west-1\n`, "name");
    expect(p).toMatchObject({ line: 1, message: expect.stringMatching(message) });
  });

  it("a name that is not a string says what it got", () => {
    expect(problemAt("name: 42\nregion: eu-west-1\n", "name").message).toBe("must be a string (got number 42)");
  });
});

describe("unknown keys", () => {
  it("a top-level typo suggests the field it resembles and lists what is allowed", () => {
    const p = problemAt(`${BASE}wokers:\n  min: 1\n`, "wokers");
    expect(p.line).toBe(3);
    expect(p.message).toMatch(/^unknown field \(did you mean "workers"\?\); allowed here: name, cloud, region, /);
  });

  it("a nested typo names the nested path and its siblings", () => {
    const p = problemAt(`${BASE}controlPlane:\n  count: 1\n  instancetype: t3.large\n`, "controlPlane.instancetype");
    expect(p.line).toBe(5);
    expect(p.message).toMatch(/did you mean "instanceType"\?.*allowed here: count, instanceType, volumeSize, publicApi/);
  });

  it("an unrelated key gets no suggestion", () => {
    expect(problemAt(`${BASE}zzzzzzzz: 1\n`, "zzzzzzzz").message).not.toMatch(/did you mean/);
  });
});

describe("counts", () => {
  it("workers.min above workers.max", () => {
    expect(problemAt(`${BASE}workers:\n  min: 4\n  desired: 4\n  max: 2\n`, "workers.min")).toMatchObject({
      line: 4,
      message: "must not exceed workers.max (4 > 2)",
    });
  });

  it.each([
    [0, "min: 1\n  max: 3"],
    [5, "min: 1\n  max: 3"],
  ])("workers.desired %i outside [min, max]", (desired, bounds) => {
    const p = problemAt(`${BASE}workers:\n  ${bounds}\n  desired: ${desired}\n`, "workers.desired");
    expect(p.message).toBe(`must be within [workers.min, workers.max] = [1, 3] (got ${desired})`);
  });

  it("desired outside the defaults' range is caught too", () => {
    expect(problemAt(`${BASE}workers:\n  desired: 9\n`, "workers.desired").message).toMatch(/\[1, 3\] \(got 9\)/);
  });

  it.each(["workers.min", "workers.max", "workers.desired", "controlPlane.count"])("a negative %s", (field) => {
    const [section, key] = field.split(".");
    const p = problemsOf(`${BASE}${section}:\n  ${key}: -1\n`).find((q) => q.path === field);
    expect(p?.message).toBe("must not be negative (got number -1)");
  });

  it.each([
    ["controlPlane.count", 9, "must be at most 7 (etcd's recommended largest cluster; every write waits for a quorum) (got number 9)"],
    ["workers.min", 1001, "must be at most 1000 (kubeplane's largest worker pool) (got number 1001)"],
    ["workers.desired", 5000, "must be at most 1000 (kubeplane's largest worker pool) (got number 5000)"],
    ["workers.max", 1001, "must be at most 1000 (kubeplane's largest worker pool) (got number 1001)"],
  ])("%s above its limit", (field, value, message) => {
    const [section, key] = field.split(".");
    expect(problemsOf(`${BASE}${section}:\n  ${key}: ${value}\n`).find((q) => q.path === field)?.message).toBe(message);
  });

  it("the largest worker pool is allowed", () => {
    expect(problemsOf(`${BASE}kubernetes:\n  podCidr: 100.64.0.0/14\nworkers:\n  min: 1000\n  desired: 1000\n  max: 1000\n`)).toEqual([]);
  });

  it.each([0, 2, 4])("a control plane of %i nodes", (count) => {
    expect(problemAt(`${BASE}controlPlane:\n  count: ${count}\n`, "controlPlane.count").message).toMatch(/must be 1, or an odd number of at least 3/);
  });

  it.each([
    [3, 2],
    [5, 2],
    [7, 2],
  ])("an HA control plane of %i nodes in %i zones would lose quorum with one zone", (count, azs) => {
    const p = problemAt(`${BASE}network:\n  azs: ${azs}\ncontrolPlane:\n  count: ${count}\n`, "controlPlane.count");
    expect(p.message).toMatch(new RegExp(`^${count} control-plane nodes need network\\.azs of at least 3 zones \\(got ${azs}\\): .*lose quorum; set network\\.azs to 3 or more, or controlPlane\\.count to 1$`));
  });

  it("the default two zones are too few for three control-plane nodes, a list of zones counts too", () => {
    expect(problemAt(`${BASE}controlPlane:\n  count: 3\n`, "controlPlane.count").message).toMatch(/at least 3 zones \(got 2\): .*one zone would hold 2 of the 3 etcd members/);
    expect(problemAt(`${BASE}network:\n  azs: [eu-west-1a, eu-west-1b]\ncontrolPlane:\n  count: 3\n`, "controlPlane.count").message).toMatch(/got 2/);
  });

  it.each([
    [3, 3],
    [5, 3],
    [7, 3],
  ])("an HA control plane of %i nodes in %i zones survives a zone", (count, azs) => {
    expect(problemsOf(`${BASE}network:\n  azs: ${azs}\ncontrolPlane:\n  count: ${count}\n`)).toEqual([]);
  });

  it("a fractional count must be a whole number", () => {
    expect(problemAt(`${BASE}workers:\n  max: 2.5\n`, "workers.max").message).toBe("must be a whole number (got number 2.5)");
  });

  it("a count written as a string says so", () => {
    expect(problemAt(`${BASE}workers:\n  max: "3"\n`, "workers.max").message).toBe('must be a number (got "3")');
  });

  it.each(["controlPlane", "workers"])("%s.volumeSize below the image's root snapshot or above gp3's largest volume", (section) => {
    expect(problemAt(`${BASE}${section}:\n  volumeSize: 2\n`, `${section}.volumeSize`).message).toBe(
      "must be at least 8 GiB on AWS (the Ubuntu image's root snapshot) (got 2)",
    );
    expect(problemAt(`${BASE}${section}:\n  volumeSize: 16385\n`, `${section}.volumeSize`).message).toBe(
      "must be at most 16384 GiB on AWS (gp3's largest volume) (got 16385)",
    );
    expect(problemAt(`${BASE}${section}:\n  volumeSize: 0\n`, `${section}.volumeSize`).message).toBe("must be at least 1 GiB (got number 0)");
    expect(problemsOf(`${BASE}${section}:\n  volumeSize: 8\n`)).toEqual([]);
    expect(problemsOf(`${BASE}${section}:\n  volumeSize: 16384\n`)).toEqual([]);
  });

  it("kurl runs one control-plane node", () => {
    const yaml = `${BASE}network:\n  azs: 3\nkubernetes:\n  installer: kurl\n  kurl:\n    installerUrl: https://k8s.kurl.sh/abc1234\ncontrolPlane:\n  count: 3\n`;
    expect(problemAt(yaml, "controlPlane.count").message).toMatch(/must be 1 with the kurl installer/);
  });
});

describe("address space", () => {
  it.each([
    ["network.cidr", "network:\n  cidr: 10.0.0.0/33\n", /is not an IPv4 CIDR block/],
    ["network.cidr", "network:\n  cidr: 10.0.0.1/16\n", /host bits set; the network is 10\.0\.0\.0\/16/],
    ["network.cidr", "network:\n  cidr: 300.0.0.0/16\n", /is not an IPv4 CIDR block/],
    ["network.cidr", "network:\n  cidr: 10.0.0.0/26\n", /too small/],
    ["kubernetes.podCidr", "kubernetes:\n  podCidr: banana\n", /is not an IPv4 CIDR block/],
    ["kubernetes.serviceCidr", "kubernetes:\n  serviceCidr: 10.96.0.0\n", /is not an IPv4 CIDR block/],
  ])("an invalid %s", (field, yaml, message) => {
    expect(problemAt(`${BASE}${yaml}`, field).message).toMatch(message);
  });

  it.each([
    ["network.cidr", "network:\n  cidr: 10.0.0.0/8\nkubernetes:\n  serviceCidr: 172.20.0.0/16\n", "a /8 is larger than AWS allows for a VPC (/16 to /28); use a /16 to /24"],
    ["network.cidr", "network:\n  cidr: 10.0.0.0/15\n", "a /15 is larger than AWS allows for a VPC (/16 to /28); use a /16 to /24"],
    ["kubernetes.serviceCidr", "kubernetes:\n  serviceCidr: 10.96.0.0/11\n", "a /11 is larger than kube-apiserver accepts for the service network; use a /12 to /24"],
    ["kubernetes.serviceCidr", "kubernetes:\n  serviceCidr: 10.96.0.0/25\n", "a /25 is too small for the service network; use a /12 to /24"],
    ["kubernetes.podCidr", "kubernetes:\n  podCidr: 64.0.0.0/3\n", "a /3 is larger than Kubernetes allows for the pod network (each node gets a /24 of it, and kube-controller-manager takes at most 16 bits more); use a /8 to /24"],
    ["kubernetes.podCidr", "kubernetes:\n  podCidr: 192.168.0.0/26\n", "a /26 is smaller than one node's pod range (/24); use a /8 to /24"],
    ["kubernetes.podCidr", "kubernetes:\n  podCidr: 192.168.0.0/24\n", "a /24 holds the pod ranges (/24 each) of 1 node, but the cluster may have 4 (controlPlane.count + workers.max); use a /22 or larger"],
    ["kubernetes.podCidr", "workers:\n  max: 300\n", "a /16 holds the pod ranges (/24 each) of 256 nodes, but the cluster may have 301 (controlPlane.count + workers.max); use a /15 or larger"],
  ])("a %s Kubernetes or AWS would refuse", (field, yaml, message) => {
    expect(problemAt(`${BASE}${yaml}`, field).message).toBe(message);
  });

  it.each([
    "network:\n  cidr: 10.0.0.0/16\n",
    "network:\n  cidr: 10.0.0.0/24\n",
    "kubernetes:\n  serviceCidr: 10.96.0.0/24\n",
    "kubernetes:\n  serviceCidr: 172.16.0.0/12\n",
    "kubernetes:\n  podCidr: 192.168.0.0/22\n",
    "kubernetes:\n  podCidr: 100.64.0.0/10\nworkers:\n  min: 1000\n  desired: 1000\n  max: 1000\ncontrolPlane:\n  count: 7\nnetwork:\n  azs: 3\n",
  ])("the limits themselves are accepted: %s", (yaml) => {
    expect(problemsOf(`${BASE}${yaml}`)).toEqual([]);
  });

  it("public subnets written alone must not overlap the private subnets carved from the VPC", () => {
    // 10.0.0.0/16 carves private subnets 10.0.0.0/20 and 10.0.16.0/20 for two zones.
    const yaml = `${BASE}network:\n  publicSubnets: [10.0.16.0/24, 10.0.200.0/24]\n`;
    expect(problemAt(yaml, "network.publicSubnets[0]").message).toBe(
      "10.0.16.0/24 overlaps 10.0.16.0/20, one of the privateSubnets carved from the VPC when network.privateSubnets is not written " +
        "(10.0.0.0/20, 10.0.16.0/20); choose other blocks, or write network.privateSubnets too",
    );
    expect(problemsOf(yaml)).toHaveLength(1);
  });

  it("private subnets written alone must not overlap the public subnets carved from the VPC", () => {
    // ... and public subnets 10.0.128.0/20 and 10.0.144.0/20.
    const yaml = `${BASE}network:\n  privateSubnets: [10.0.0.0/20, 10.0.140.0/22]\n`;
    expect(problemAt(yaml, "network.privateSubnets[1]").message).toMatch(/^10\.0\.140\.0\/22 overlaps 10\.0\.128\.0\/20, one of the publicSubnets carved/);
  });

  it("subnets written alone beside the carved ones are accepted", () => {
    expect(problemsOf(`${BASE}network:\n  publicSubnets: [10.0.200.0/24, 10.0.201.0/24]\n`)).toEqual([]);
    expect(problemsOf(`${BASE}network:\n  privateSubnets: [10.0.32.0/20, 10.0.48.0/20]\n`)).toEqual([]);
  });

  it("the pod network overlapping the VPC blames the field written", () => {
    const p = problemAt(`${BASE}network:\n  cidr: 10.4.0.0/16\nkubernetes:\n  podCidr: 10.4.128.0/17\n`, "kubernetes.podCidr");
    expect(p.message).toMatch(/10\.4\.128\.0\/17 overlaps network\.cidr \(10\.4\.0\.0\/16\); .*must be disjoint/);
  });

  it("a VPC overlapping the default service network names the default", () => {
    const p = problemAt(`${BASE}network:\n  cidr: 10.96.0.0/16\n`, "network.cidr");
    expect(p.message).toMatch(/overlaps kubernetes\.serviceCidr \(10\.96\.0\.0\/12, the default\)/);
  });

  it("pod and service networks overlapping each other", () => {
    const p = problemsOf(`${BASE}kubernetes:\n  podCidr: 172.16.0.0/12\n  serviceCidr: 172.20.0.0/16\n`);
    expect(p.map((q) => q.path)).toEqual(["kubernetes.serviceCidr"]);
    expect(p[0].message).toMatch(/overlaps kubernetes\.podCidr \(172\.16\.0\.0\/12\)/);
  });

  it("a subnet outside the VPC", () => {
    const yaml = `${BASE}network:\n  cidr: 10.0.0.0/16\n  privateSubnets: [10.0.0.0/20, 10.1.0.0/20]\n`;
    expect(problemAt(yaml, "network.privateSubnets[1]").message).toBe("10.1.0.0/20 does not fit in the VPC's 10.0.0.0/16");
  });

  it("overlapping subnets", () => {
    const yaml = `${BASE}network:\n  privateSubnets: [10.0.0.0/20, 10.0.16.0/20]\n  publicSubnets: [10.0.8.0/24, 10.0.128.0/20]\n`;
    expect(problemAt(yaml, "network.publicSubnets[0]").message).toMatch(/overlaps network\.privateSubnets\[0\] \(10\.0\.0\.0\/20\)/);
  });

  it("subnet lists must have one entry per zone", () => {
    const yaml = `${BASE}network:\n  azs: 3\n  privateSubnets: [10.0.0.0/20, 10.0.16.0/20]\n`;
    expect(problemAt(yaml, "network.privateSubnets").message).toBe("must list one subnet per availability zone (3), got 2");
  });

  it("a subnet smaller than AWS allows", () => {
    const yaml = `${BASE}network:\n  privateSubnets: [10.0.0.0/29, 10.0.0.16/28]\n`;
    expect(problemAt(yaml, "network.privateSubnets[0]").message).toMatch(/smaller than AWS's minimum subnet/);
  });
});

describe("zones and regions", () => {
  it("more zones than the region has", () => {
    const p = problemAt("name: t\nregion: us-east-2\nnetwork:\n  azs: 4\n", "network.azs");
    expect(p).toMatchObject({ line: 4, message: "us-east-2 has 3 availability zones (us-east-2a, us-east-2b, us-east-2c); asked for 4" });
  });

  it("fewer than two zones", () => {
    expect(problemAt(`${BASE}network:\n  azs: 1\n`, "network.azs").message).toBe("at least 2 availability zones (got number 1)");
  });

  it("a zone of another region, and a zone listed twice", () => {
    const p = problemsOf(`${BASE}network:\n  azs: [eu-west-1a, us-east-1b, eu-west-1a]\n`);
    expect(p.map((q) => [q.path, q.message])).toEqual([
      ["network.azs[1]", expect.stringMatching(/"us-east-1b" is not a zone of eu-west-1; its zones: eu-west-1a/)],
      ["network.azs[2]", '"eu-west-1a" is listed twice'],
    ]);
  });

  it("azs of the wrong type says what is allowed", () => {
    expect(problemAt(`${BASE}network:\n  azs: three\n`, "network.azs").message).toMatch(/a number of availability zones \(at least 2\) or a list of zone names.*got "three"/);
  });

  it("an unknown region lists the known ones", () => {
    expect(problemAt("name: t\nregion: eu-west-9\n", "region").message).toMatch(/"eu-west-9" is not an AWS region kubeplane knows; known: .*eu-west-1/);
  });

  it("a missing region is required", () => {
    expect(problemAt("name: t\n", "region").message).toBe("is required: a string");
  });
});

describe("installers, backends and other enums", () => {
  it("an unknown installer suggests the closest one", () => {
    expect(problemAt(`${BASE}kubernetes:\n  installer: kubeadmm\n`, "kubernetes.installer")).toMatchObject({
      line: 4,
      message: 'must be one of: kubeadm, kurl (got "kubeadmm") (did you mean "kubeadm"?)',
    });
  });

  it("an unknown parameter backend", () => {
    expect(problemAt(`${BASE}joinTokens:\n  backend: vault\n`, "joinTokens.backend").message).toBe('must be one of: ssm, secretsmanager, gcp-secret-manager (got "vault")');
  });

  it("an unknown state backend", () => {
    expect(problemAt(`${BASE}state:\n  backend: azurerm\n`, "state.backend").message).toBe('must be one of: local, s3, gcs (got "azurerm")');
  });

  it("an unknown cloud", () => {
    expect(problemAt(`${BASE}cloud: azure\n`, "cloud").message).toBe('must be one of: aws, gcp (got "azure")');
  });

  it("kurl without its installer URL", () => {
    expect(problemAt(`${BASE}kubernetes:\n  installer: kurl\n`, "kubernetes.kurl.installerUrl").message).toMatch(/required when kubernetes.installer is kurl/);
  });

  it("a public API open to the world", () => {
    const p = problemAt(`${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [0.0.0.0/0]\n`, "controlPlane.publicApi.allowedCidrs[0]");
    expect(p.message).toMatch(/must not be 0\.0\.0\.0\/0/);
  });

  it("a public API allow-list as broad as the world", () => {
    const yaml = `${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [0.0.0.0/1, 128.0.0.0/1]\n`;
    expect(problemsOf(yaml).map((p) => `${p.path}: ${p.message}`)).toEqual([
      "controlPlane.publicApi.allowedCidrs[0]: a /1 is as good as the whole internet: name the networks that may reach the API, each a /8 or narrower",
      "controlPlane.publicApi.allowedCidrs[1]: a /1 is as good as the whole internet: name the networks that may reach the API, each a /8 or narrower",
    ]);
  });

  it("a public API allow-list whose entries add up to more than a /8", () => {
    const p = problemAt(`${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [11.0.0.0/8, 12.0.0.0/9]\n`, "controlPlane.publicApi.allowedCidrs");
    expect(p.message).toBe("together admit 25,165,824 addresses, more than one /8 (16,777,216): name the networks that may reach the API");
  });

  it("a public API allow-list of a /8 (with blocks inside it) and narrower networks is accepted", () => {
    expect(problemsOf(`${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [11.0.0.0/8, 11.1.0.0/16, 11.0.0.0/8]\n`)).toEqual([]);
    expect(problemsOf(`${BASE}controlPlane:\n  publicApi:\n    allowedCidrs: [203.0.113.0/24, 198.51.100.0/24]\n`)).toEqual([]);
  });

  it("a boolean written as text", () => {
    expect(problemAt(`${BASE}bastion: "yes"\n`, "bastion").message).toBe('must be true or false (got "yes")');
  });

  it("an unquoted Kubernetes version", () => {
    expect(problemAt(`${BASE}kubernetes:\n  version: 1.30\n`, "kubernetes.version").message).toBe("must be a string (got number 1.3)");
  });

  it.each([
    ["a minor long past its end of life", "1.20.0"],
    ["the minor that reached its end of life on 2026-06-28", "1.33.5"],
    ["a minor that does not exist yet", "9.99.0"],
  ])("a Kubernetes version of %s is rejected with the supported range", (_, version) => {
    const minor = version.split(".").slice(0, 2).join(".");
    expect(problemAt(`${BASE}kubernetes:\n  version: "${version}"\n`, "kubernetes.version").message).toBe(
      `Kubernetes ${minor} is not supported by kubeplane; supported minors: ${supportedKubernetesRange()} (got "${version}")`,
    );
  });

  it("a control plane smaller than kubeadm accepts is reported at its field, with the minimum", () => {
    expect(problemAt(`${BASE}controlPlane:\n  instanceType: t3.micro\n`, "controlPlane.instanceType")).toMatchObject({
      line: 4,
      message: expect.stringMatching(/"t3.micro" has 2 vCPUs and 1024 MiB of memory; kubeadm refuses .* fewer than 2 vCPUs or less than 1700 MB/),
    });
  });

  it("every supported minor's newest patch is accepted, as is a later patch of it", () => {
    for (const { minor, latestPatch } of SUPPORTED_KUBERNETES) {
      expect(problemsOf(`${BASE}kubernetes:\n  version: "${latestPatch}"\n`)).toEqual([]);
      expect(problemsOf(`${BASE}kubernetes:\n  version: "${minor}.99"\n`)).toEqual([]);
    }
  });
});

describe("suppressions", () => {
  const suppression = (fields: string) => `${BASE}suppressions:\n  - ${fields}\n`;

  it("are accepted with a rule, a resource and a reason", () => {
    const { definition, problems } = parseDefinition(
      "c.yaml",
      suppression('rule: KP-NET-2\n    resource: firewall/api-lb\n    reason: "office VPN range needs the API"'),
      CHECKS,
    );
    expect(problems).toEqual([]);
    expect(definition?.suppressions).toEqual([{ rule: "KP-NET-2", resource: "firewall/api-lb", reason: "office VPN range needs the API" }]);
  });

  it("require a reason", () => {
    expect(problemAt(suppression("rule: KP-NET-2\n    resource: firewall/api-lb"), "suppressions[0].reason").message).toBe("is required: a string");
  });

  it("require a real reason", () => {
    expect(problemAt(suppression("rule: KP-NET-2\n    resource: x\n    reason: ok"), "suppressions[0].reason").message).toMatch(/must explain why/);
  });

  it("a reason of spaces counts no characters", () => {
    expect(problemAt(suppression('rule: KP-NET-2\n    resource: x\n    reason: "            "'), "suppressions[0].reason").message).toBe(
      "must explain why the exception is acceptable (at least 10 characters) (got 0 characters, not counting spaces around them)",
    );
    expect(problemAt(suppression('rule: KP-NET-2\n    resource: x\n    reason: "   too short   "'), "suppressions[0].reason").message).toMatch(/\(got 9 characters, not counting spaces around them\)$/);
  });

  it("must name a rule of the pack", () => {
    const p = problemAt(suppression("rule: KP-NET-9\n    resource: x\n    reason: because we must"), "suppressions[0].rule");
    expect(p.message).toMatch(/"KP-NET-9" is not a rule of kubeplane's aws pack \(did you mean "KP-NET-\d"\?\); rules: KP-EC2-1, /);
  });
});

describe("every problem at once", () => {
  it("schema, cross-field and cloud problems of one file come together, in line order", () => {
    const yaml = [
      "name: Bad_Name",
      "region: eu-west-1",
      "regoin: x",
      "network:",
      "  cidr: 10.0.0.0/33",
      "  azs: 5",
      "kubernetes:",
      "  installer: kubeadmm",
      "  podCidr: 10.0.0.0/8",
      "controlPlane:",
      "  count: 2",
      "  instanceType: large",
      "workers:",
      "  min: 5",
      "  max: 2",
      "  desired: -1",
      "joinTokens:",
      "  backend: vault",
      "",
    ].join("\n");
    const problems = problemsOf(yaml);
    expect(problems.map((p) => p.path)).toEqual([
      "name",
      "regoin",
      "network.cidr",
      "network.azs",
      "kubernetes.installer",
      "kubernetes.podCidr",
      "controlPlane.count",
      "controlPlane.instanceType",
      "workers.min",
      "workers.desired",
      "joinTokens.backend",
    ]);
    const lines = problems.map((p) => p.line ?? 0);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});

describe("loadDefinitions", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubeplane-defs-"));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("loads valid files with defaults applied", () => {
    const [loaded] = loadDefinitions([write("ok.yaml", BASE)], CHECKS);
    expect(loaded.definition).toMatchObject({ name: "t", workers: { min: 1, desired: 2, max: 3 }, kubernetes: { installer: "kubeadm" } });
  });

  it("reports a name used by two files, on the second file's name line", () => {
    const a = write("a.yaml", "name: same\nregion: eu-west-1\n");
    const b = write("b.yaml", "# comment\nname: same\nregion: eu-west-1\n");
    expect(() => loadDefinitions([a, b], CHECKS)).toThrow(DefinitionError);
    try {
      loadDefinitions([a, b], CHECKS);
    } catch (e) {
      expect((e as DefinitionError).problems).toEqual([{ file: b, line: 2, path: "name", message: `"same" is already the name of the cluster in ${a}; names must be unique` }]);
    }
  });

  it("reports a duplicate name even when the second file has other problems", () => {
    const a = write("c.yaml", "name: twin\nregion: eu-west-1\n");
    const b = write("d.yaml", "name: twin\nregion: eu-west-1\nworkers:\n  min: -3\n");
    const error = (() => {
      try {
        loadDefinitions([a, b], CHECKS);
      } catch (e) {
        return e as DefinitionError;
      }
      throw new Error("expected a DefinitionError");
    })();
    expect(error.problems.map((p) => `${path.basename(p.file)} ${p.path}`)).toEqual(["d.yaml workers.min", "d.yaml name"]);
  });

  it("reports every file's problems in one error", () => {
    const files = [write("e1.yaml", ""), write("e2.yaml", "name: [\n"), write("e3.yaml", "name: ok3\nregion: eu-west-1\nbogus: 1\n")];
    try {
      loadDefinitions(files, CHECKS);
      throw new Error("expected a DefinitionError");
    } catch (e) {
      const error = e as DefinitionError;
      expect(error.problems.map((p) => path.basename(p.file))).toEqual(["e1.yaml", "e2.yaml", "e3.yaml"]);
      expect(error.message).toMatch(/^3 problems in cluster definitions:\n {2}\S+e1\.yaml: is empty/);
    }
  });

  it("reports a file that cannot be read", () => {
    expect(() => loadDefinitions([path.join(dir, "missing.yaml")], CHECKS)).toThrow(/missing\.yaml: cannot be read/);
  });
});
