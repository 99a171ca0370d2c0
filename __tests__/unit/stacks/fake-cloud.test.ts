/**
 * stacks/ knows no cloud: built on a FakeCloud (which records every prop the stacks hand it),
 * both stacks of every example build, and nothing the stacks pass is AWS's — no AWS resource,
 * region, zone, instance type, image, ARN or service name. This fails when someone adds an
 * AWS-ism to stacks/ (a `t3.micro` default, an `ami` prop, a subnet-per-zone assumption).
 */
import { Testing } from "cdktf";
import type { UserDataContext } from "../../../bootstrap/user-data-context";
import type { ClusterDefinition } from "../../../definition";
import { addClusterStacks } from "../../../stacks/cluster-stacks";
import { FakeCloud } from "../../support/fake-cloud";
import { EXAMPLES, exampleDefinition } from "../../support/examples";

// The node side is the cloud's too (bootstrap/node/metadata/<cloud>.sh): record what the stacks
// would render, without rendering it for a cloud that has no node scripts.
const renderedContexts: UserDataContext[] = [];
// The stacks render user data through the bundle (bootstrap/bundle.ts): what they hand it is what the fake sees.
jest.mock("../../../bootstrap/bundle", () => ({
  ...jest.requireActual("../../../bootstrap/bundle"),
  nodeBundleArchive: (context: UserDataContext) => ({ archive: Buffer.from(`bundle of ${context.role}`), sha256: "0".repeat(64), files: [] }),
  renderBundledUserData: (context: UserDataContext) => {
    renderedContexts.push(context);
    return `user data of ${context.role}`;
  },
}));

/** Words and shapes that only AWS has. */
const AWS_ISMS: readonly RegExp[] = [
  /\baws\b/i,
  /amazon/i,
  /\b(ec2|ssm|iam|kms|elb|nlb|alb|route ?53|s3|vpc|eks|cloudwatch|secretsmanager)\b/i,
  /\barn:/,
  /\b(ami|vpc|subnet|sg|i|igw|nat|eipalloc|lt|rtb)-[0-9a-f]{8,17}\b/,
  // Regions and zones: eu-west-1, us-east-1a.
  /\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d[a-z]?\b/,
  // Instance types: t3.medium, m6i.xlarge, c7g.metal.
  /\b[a-z]\d[a-z0-9-]*\.(nano|micro|small|medium|large|\d*xlarge|metal)\b/,
];

/** Every string in a value (object keys too), with where it was found. */
function stringsIn(value: unknown, at: string, seen = new Set<unknown>()): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`, seen));
  // Constructs the fake handed out are its own; the props around them are what the stacks chose.
  if ("node" in value) return [];
  return Object.entries(value).flatMap(([k, v]) => [[`${at}.${k} (key)`, k] as [string, string], ...stringsIn(v, `${at}.${k}`, seen)]);
}

/** An example as a fake-cloud definition: what its author would write for another cloud. */
function onFakeCloud(definition: ClusterDefinition): ClusterDefinition {
  const zones = definition.network.azs;
  return {
    ...definition,
    cloud: "fake",
    region: "fake-region-1",
    network: { ...definition.network, azs: Array.isArray(zones) ? zones.length : zones },
    controlPlane: { ...definition.controlPlane, instanceType: "fake-standard-2" },
    workers: { ...definition.workers, instanceType: "fake-standard-4" },
    // Each pool's zones and types as the other cloud names them (eu-west-1b: fake-zone-b).
    workerPools: definition.workerPools.map((pool) => ({
      ...pool,
      instanceTypes: pool.instanceTypes.map((_, i) => `fake-standard-${4 + i}`),
      zones: pool.zones?.map((zone) => `fake-zone-${zone.slice(-1)}`),
    })),
    joinTokens: { ...definition.joinTokens, backend: "fake-secrets" },
  } as unknown as ClusterDefinition;
}

describe.each(EXAMPLES)("%s on a fake cloud", (name) => {
  const cloud = new FakeCloud();
  renderedContexts.length = 0;
  const stacks = addClusterStacks(Testing.app(), onFakeCloud(exampleDefinition(name)), cloud);
  const contexts = [...renderedContexts];

  test("both stacks build, asking the cloud for every building block", () => {
    const methods = new Set(cloud.calls.map((c) => c.method));
    for (const m of ["createNetwork", "createFirewall", "createNodeIdentities", "createParameterBackend", "createMachineImage", "createApiDnsName", "createControlPlane", "createWorkerPool"]) {
      expect(methods).toContain(m);
    }
    expect(stacks.network.node.id).toBe(`${name}-network`);
    expect(stacks.cluster.node.id).toBe(`${name}-cluster`);
    expect(contexts.map((c) => c.role)).toContain("worker");
  });

  test("nothing the stacks pass to the cloud, or render for its nodes, is AWS-specific", () => {
    const found = [
      ...cloud.calls.flatMap((c) => stringsIn(c.props, `${c.method}(${c.path})`)),
      ...contexts.flatMap((c, i) => stringsIn(c, `userData[${c.role}#${i}]`)),
    ].flatMap(([at, text]) => AWS_ISMS.filter((p) => p.test(text)).map((p) => `${at}: ${JSON.stringify(text)} matches ${p}`));
    expect(found).toEqual([]);
  });

  test("placements come from the cloud's network: a cloud with regional subnets spreads nodes over zones of one subnet", () => {
    const network = cloud.calls.find((c) => c.method === "createNetwork")!.props as { zones: string[] };
    const controlPlane = cloud.calls.find((c) => c.method === "createControlPlane")!.props as { placements: { zone: string; subnetId: string }[] };
    expect(controlPlane.placements.map((p) => p.zone)).toEqual(network.zones);
    expect(new Set(controlPlane.placements.map((p) => p.subnetId)).size).toBe(1);
  });
});

test("the scan finds an AWS-ism where there is one (so a clean result means something)", () => {
  const hits = (text: string) => AWS_ISMS.some((p) => p.test(text));
  expect(["t3.micro", "eu-west-1a", "ami-0123456789abcdef0", "arn:aws:iam::1:role/x", "ssm", "m6i.xlarge", "subnet-0abc12345"].every(hits)).toBe(true);
  expect(["fake-standard-2", "fake-zone-a", "/kubeplane/dev/join/worker", "kubeadm", "10.0.0.0/16"].some(hits)).toBe(false);
});
