/**
 * `cloud: gcp` definitions: the GCP block, GCP's regions, zones, machine types and limits, its
 * defaults, and the other cloud's stores refused on each cloud, each error at its file and field.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { parseDefinition } from "../../../../definition";
import { cloudFor } from "../../../../providers";
import { PROJECT_ROOT } from "../../../support/examples";

const EXAMPLE = readFileSync(path.join(PROJECT_ROOT, "clusters", "gcp-dev.yaml"), "utf8");
/** A minimal GCP definition: everything else defaulted. */
const MINIMAL = "name: small\ncloud: gcp\nregion: us-central1\ngcp:\n  project: my-project-1\nbackups:\n  enabled: false\n";

function parse(yaml: string) {
  return parseDefinition("clusters/test.yaml", yaml, { cloudFor });
}

/** The problems of a definition, `path: message`, all in the file named. */
function problemsOf(yaml: string): string[] {
  const { problems } = parse(yaml);
  for (const p of problems) expect(p.file).toBe("clusters/test.yaml");
  return problems.map((p) => `${p.path}: ${p.message}`);
}

function problemAt(yaml: string, field: string): string {
  const at = problemsOf(yaml).filter((p) => p.startsWith(`${field}: `));
  if (at.length !== 1) throw new Error(`expected one problem at ${field}, got: ${JSON.stringify(problemsOf(yaml))}`);
  return at[0].slice(field.length + 2);
}

test("the example loads without a problem", () => {
  expect(problemsOf(EXAMPLE)).toEqual([]);
});

test("a GCP definition that names no machine type or store takes GCP's defaults", () => {
  const { definition } = parse(MINIMAL);
  expect(definition?.controlPlane.instanceType).toBe("e2-standard-2");
  expect(definition?.workerPools.map((p) => p.instanceTypes)).toEqual([["e2-standard-2"]]);
  expect(definition?.joinTokens.backend).toBe("gcp-secret-manager");
  // AWS keeps its own: the store default is the cloud's, not the schema's.
  const aws = parse("name: small\nregion: eu-west-1\n").definition;
  expect(aws?.joinTokens.backend).toBe("ssm");
  expect(aws?.controlPlane.instanceType).toBe("t3.medium");
});

describe("the GCP block", () => {
  test("is required, naming the project", () => {
    expect(problemAt(MINIMAL.replace(/^gcp:\n  project: .*\n/m, ""), "gcp")).toMatch(/is required on cloud: gcp: name the project/);
  });
  test.each([
    ["too short", "abc12"],
    ["starting with a digit", "1project"],
    ["ending with a hyphen", "my-project-"],
    ["upper-case", "My-Project"],
    ["31 characters", `p${"a".repeat(30)}`],
  ])("refuses a project id %s", (_, id) => {
    expect(problemAt(MINIMAL.replace("my-project-1", id), "gcp.project")).toMatch(/must be a GCP project id: 6-30 lower-case letters/);
  });
  test.each(["abcdef", `p${"a".repeat(29)}`, "my-project-123"])("takes the project id %s", (id) => {
    expect(problemsOf(MINIMAL.replace("my-project-1", id))).toEqual([]);
  });
  test("says the region is the definition's own, not the block's", () => {
    expect(problemAt(MINIMAL.replace("  project: my-project-1\n", "  project: my-project-1\n  region: us-central1\n"), "gcp.region")).toMatch(/unknown field.*the region is the definition's own region/);
  });
  test("takes an image and refuses what is not one", () => {
    expect(problemsOf(MINIMAL.replace("  project: my-project-1\n", "  project: my-project-1\n  image: projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts\n"))).toEqual([]);
    expect(problemAt(MINIMAL.replace("  project: my-project-1\n", "  project: my-project-1\n  image: ami-0123456789abcdef0\n"), "gcp.image")).toMatch(/must be an image like projects\//);
  });
  test("an aws block on a GCP definition is an error", () => {
    expect(problemsOf(`${MINIMAL}aws:\n  ami: ami-0123456789abcdef0\n`).join("\n")).toMatch(/^aws: /m);
  });
});

describe("regions, zones and machine types", () => {
  test("an unknown region, with a suggestion", () => {
    expect(problemAt(MINIMAL.replace("us-central1", "us-central2"), "region")).toMatch(/"us-central2" is not a GCP region kubeplane knows \(did you mean "us-central1"\?\)/);
  });
  test("an AWS region on GCP is unknown", () => {
    expect(problemAt(MINIMAL.replace("us-central1", "eu-west-1"), "region")).toMatch(/is not a GCP region/);
  });
  test("zones of another region, and more zones than the region has", () => {
    expect(problemAt(`${MINIMAL}network:\n  azs: [us-central1-a, europe-west1-b]\n`, "network.azs[1]")).toBe('"europe-west1-b" is not a zone of us-central1; its zones: us-central1-a, us-central1-b, us-central1-c, us-central1-f');
    expect(problemAt(`${MINIMAL.replace("us-central1", "europe-west1")}network:\n  azs: 4\n`, "network.azs")).toMatch(/europe-west1 has 3 zones \(europe-west1-b, europe-west1-c, europe-west1-d\); asked for 4/);
  });
  test("an EC2 type is not a machine type", () => {
    expect(problemAt(`${MINIMAL}controlPlane:\n  instanceType: t3.medium\n`, "controlPlane.instanceType")).toMatch(/"t3.medium" is not a Compute Engine machine type kubeplane knows/);
  });
  test("a control plane below kubeadm's minimum, with the smallest that passes", () => {
    expect(problemAt(`${MINIMAL}controlPlane:\n  instanceType: e2-micro\n`, "controlPlane.instanceType")).toMatch(/"e2-micro" has 2 vCPUs and 1024 MiB.*kubeadm refuses/);
    expect(problemAt(`${MINIMAL}controlPlane:\n  instanceType: t2d-standard-1\n`, "controlPlane.instanceType")).toMatch(/t2d-standard-2 is the smallest t2d standard type that passes/);
  });
  test("an Arm machine type", () => {
    expect(problemAt(`${MINIMAL}workers:\n  instanceType: t2a-standard-4\n`, "workers.instanceType")).toMatch(/Arm \(T2A\).*t2d-standard-4/);
  });
});

describe("GCP's limits", () => {
  test("a name longer than the service account ids allow", () => {
    expect(problemAt(MINIMAL.replace("name: small", `name: ${"a".repeat(20)}`), "name")).toMatch(/at most 19 characters on GCP \(got 20\).*service account ids/);
  });
  test("boot disks", () => {
    expect(problemAt(`${MINIMAL}controlPlane:\n  volumeSize: 9\n`, "controlPlane.volumeSize")).toMatch(/at least 10 GB on GCP/);
    expect(problemAt(`${MINIMAL}workers:\n  volumeSize: 70000\n`, "workers.volumeSize")).toMatch(/at most 65536 GB on GCP/);
  });
  test("labels", () => {
    expect(problemAt(`${MINIMAL}tags:\n  Team: infra\n`, "tags.Team")).toMatch(/GCP label keys are 1-63 lower-case/);
    expect(problemAt(`${MINIMAL}tags:\n  team: Infra Team\n`, "tags.team")).toMatch(/GCP label values/);
  });
  test("subnets: one regional block, no public subnets, one NAT", () => {
    expect(problemAt(`${MINIMAL}network:\n  privateSubnets: [10.0.0.0/20, 10.0.16.0/20]\n`, "network.privateSubnets")).toMatch(/regional: name one block/);
    expect(problemAt(`${MINIMAL}network:\n  publicSubnets: [10.0.128.0/20, 10.0.144.0/20]\n`, "network.publicSubnets")).toMatch(/no public subnets/);
    expect(problemAt(`${MINIMAL}network:\n  natGateways: perAz\n`, "network.natGateways")).toMatch(/Cloud NAT is one regional/);
    expect(problemAt(`${MINIMAL}network:\n  cidr: 10.0.0.0/30\n`, "network.cidr")).toMatch(/smaller than GCP's smallest subnet \(\/29\)/);
  });
  test("flow logs are kept as Cloud Logging keeps them", () => {
    expect(problemAt(`${MINIMAL}network:\n  flowLogs:\n    retentionDays: 90\n`, "network.flowLogs.retentionDays")).toMatch(/must be 30 on GCP \(got 90\)/);
    expect(problemsOf(`${MINIMAL}network:\n  flowLogs:\n    enabled: false\n    retentionDays: 90\n`)).toEqual([]);
  });
  test.each([
    ["backups", MINIMAL.replace("backups:\n  enabled: false\n", ""), "backups.enabled", /etcd backups are not built for GCP yet/],
    ["a public API", `${MINIMAL}controlPlane:\n  publicApi:\n    allowedCidrs: [203.0.113.0/24]\n`, "controlPlane.publicApi", /not built for GCP yet/],
    ["kURL", `${MINIMAL}kubernetes:\n  installer: kurl\n  kurl:\n    installerUrl: https://k8s.kurl.sh/abc1234\n`, "kubernetes.installer", /kurl installer is not built for GCP/],
    ["spot", `${MINIMAL}workers:\n  spot: {}\n`, "workers.spot", /spot capacity is not built for GCP/],
    ["the autoscaler", `${MINIMAL}workers:\n  autoscale: true\n`, "workers.autoscale", /cluster autoscaler is not built for GCP/],
    ["several machine types in a pool", `${MINIMAL}workers:\n  instanceTypes: [e2-standard-2, e2-standard-4]\n`, "workers.instanceTypes", /a GCP pool takes one machine type/],
    ["deletion protection", `${MINIMAL}controlPlane:\n  apiLoadBalancer:\n    deletionProtection: true\n`, "controlPlane.apiLoadBalancer.deletionProtection", /GCP forwarding rules have no deletion protection/],
    ["Kubernetes 1.37 (no GCP cloud controller within the skew)", `${MINIMAL}kubernetes:\n  version: "1.37.1"\n`, "kubernetes.version", /no GCP cloud controller release within the version skew \(the newest, v35\.0\.0, serves 1\.35 and 1\.36\)/],
  ])("what is not built for GCP yet is refused at its field: %s", (_, yaml, field, message) => {
    expect(problemAt(yaml, field)).toMatch(message);
  });
  test("Kubernetes 1.35 and 1.36 are accepted on GCP", () => {
    for (const version of ["1.35.9", "1.36.5"]) expect(problemsOf(`${MINIMAL}kubernetes:\n  version: "${version}"\n`)).toEqual([]);
  });
});

describe("each cloud's stores, refused on the other", () => {
  test.each(["ssm", "secretsmanager"])("joinTokens.backend %s on GCP", (backend) => {
    expect(problemAt(`${MINIMAL}joinTokens:\n  backend: ${backend}\n`, "joinTokens.backend")).toBe(`"${backend}" is an AWS store; on GCP the join lease lives in Secret Manager: "gcp-secret-manager" (the default)`);
  });
  test("joinTokens.backend gcp-secret-manager on AWS", () => {
    expect(problemAt("name: small\nregion: eu-west-1\njoinTokens:\n  backend: gcp-secret-manager\n", "joinTokens.backend")).toMatch(/is GCP's store; on AWS the join lease lives in "ssm"/);
  });
  test("state in S3 on GCP, in GCS on AWS", () => {
    expect(problemAt(`${MINIMAL}state:\n  backend: s3\n  bucket: my-state\n`, "state.backend")).toMatch(/on GCP keep remote state in GCS/);
    expect(problemAt("name: small\nregion: eu-west-1\nstate:\n  backend: gcs\n  bucket: my-state\n", "state.backend")).toMatch(/on AWS keep remote state in S3/);
  });
  test("a GCS state bucket is named as GCS takes names", () => {
    expect(problemsOf(`${MINIMAL}state:\n  backend: gcs\n  bucket: my_state-1\n  prefix: clusters/small\n`)).toEqual([]);
    expect(problemAt(`${MINIMAL}state:\n  backend: gcs\n  bucket: My.State\n`, "state.bucket")).toMatch(/must be a valid GCS bucket name/);
  });
});
