/**
 * Property: random mutations of the example definitions — of their values, their keys and their
 * raw text — are either accepted as valid definitions or rejected with well-formed problems.
 * The loader never crashes, and never accepts a definition that breaks a cross-field rule.
 * Every definition the loader accepts is also built, audited and synthesized (as main.ts does):
 * that may fail only with a DefinitionError or a RuleViolationError, never a crash.
 */
import { App } from "cdktf";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ClusterDefinition, DefinitionError, DefinitionProblem, formatProblem, parseDefinition } from "../../../definition";
import { parseCidr, overlaps } from "../../../definition/cidr";
import { cloudFor } from "../../../providers";
import { auditApp, RuleViolationError, suppressionCheck } from "../../../rules";
import { addClusterStacks } from "../../../stacks/cluster-stacks";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const EXAMPLE_TEXTS = ["dev", "prod", "kurl"].map((n) => readFileSync(path.join(ROOT, "clusters", `${n}.yaml`), "utf8"));
const CHECKS = { cloudFor, checks: [suppressionCheck] };
const RUNS = Number(process.env.KUBEPLANE_PROPERTY_RUNS ?? 200);
/**
 * Building, auditing and synthesizing a cluster takes 0.1–0.5 s, so the random-mutation
 * properties build only the first few definitions they accept; the field-mutation property
 * below builds every one (and has fewer runs).
 */
const BUILDS_PER_PROPERTY = Number(process.env.KUBEPLANE_PROPERTY_BUILDS ?? 5);
const BUILD_RUNS = Number(process.env.KUBEPLANE_PROPERTY_BUILD_RUNS ?? Math.max(1, Math.round(RUNS / 6)));
const OUTDIR = mkdtempSync(path.join(tmpdir(), "kubeplane-property-"));
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

type Json = unknown;
type Path = (string | number)[];

/** Every path to a value in a JSON tree (the root excluded). */
function paths(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, Json>);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

function valueAt(root: Json, p: Path): Json {
  return p.reduce((node: Json, k) => (node === null || typeof node !== "object" ? undefined : (node as Record<string | number, Json>)[k]), root);
}

function parentOf(root: Json, p: Path): Record<string | number, Json> {
  return valueAt(root, p.slice(0, -1)) as Record<string | number, Json>;
}

/** Values likely to find mistakes: wrong types, edges, near-misses of allowed values. */
const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 2, 3, 4, 1.5, 1e309 === Infinity ? 1e30 : 0, "", " ", "*", "0.0.0.0/0", "::/0", "10.0.0.0/8", "10.0.0.1/16",
    "192.168.0.0/16", "10.96.0.0/12", "kubeadm", "kurl", "ssm", "vault", "eu-west-1a", "us-east-1a", "t3.medium", "KP-NET-2", [], {}, [1, 2], ["eu-west-1a"]),
  fc.integer({ min: -5, max: 20 }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A mutation of a definition's data. */
const dataMutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: nastyValue }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(), key: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom("min", "count", "cidr", "azs", "regoin")), value: nastyValue }),
  fc.record({ kind: fc.constant("rename" as const), at: fc.nat(), suffix: fc.constantFrom("s", "_", "X", "") }),
);

interface DataMutation {
  readonly kind: "delete" | "replace" | "add" | "rename";
  readonly at: number;
  readonly value?: Json;
  readonly key?: string;
  readonly suffix?: string;
}

function mutateData(original: Json, mutations: readonly DataMutation[]): Json {
  const data = structuredClone(original);
  for (const m of mutations) {
    const all = paths(data);
    if (m.kind === "add") {
      const objects = [[], ...all].filter((p) => {
        const v = valueAt(data, p);
        return v !== null && typeof v === "object" && !Array.isArray(v);
      });
      if (objects.length === 0) continue;
      const obj = valueAt(data, objects[m.at % objects.length]) as Record<string, Json>;
      obj[m.key!] = m.value;
      continue;
    }
    if (all.length === 0) continue;
    const p = all[m.at % all.length];
    const parent = parentOf(data, p);
    const key = p[p.length - 1];
    if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === "replace") {
      parent[key] = m.value;
    } else if (m.kind === "rename" && !Array.isArray(parent) && typeof key === "string") {
      const value = parent[key];
      delete parent[key];
      parent[m.suffix ? key + m.suffix : key.toLowerCase()] = value;
    }
  }
  return data;
}

/** A mutation of the raw text. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(":", "- ", "[", "]", "{", "\t", "  ", "\n", "#", "&a", "*a", "!!binary ", "'", '"', "---\n")) }),
  fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutateText(text: string, m: { kind: string; at: number; length?: number; text?: string }): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case "cut":
      return text.slice(0, at) + text.slice(at + m.length!);
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
    case "duplicateLine": {
      const lines = text.split("\n");
      const i = m.at % lines.length;
      return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join("\n");
    }
    default:
      return text.slice(0, at);
  }
}

/** The shape every problem must have. */
function expectWellFormed(problem: DefinitionProblem, text: string): void {
  expect(problem.file).toBe("m.yaml");
  expect(typeof problem.path).toBe("string");
  expect(problem.path).not.toMatch(/undefined|\[object/);
  expect(typeof problem.message).toBe("string");
  expect(problem.message.length).toBeGreaterThan(3);
  expect(problem.message).not.toMatch(/\[object Object\]|^Invalid input$|^undefined/);
  if (problem.line !== undefined) {
    expect(Number.isInteger(problem.line)).toBe(true);
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.line).toBeLessThanOrEqual(text.split("\n").length + 1);
  }
  expect(formatProblem(problem)).toMatch(/^m\.yaml(:\d+)?: /);
}

/** What every accepted definition satisfies. */
function expectSound(d: ClusterDefinition): void {
  expect(d.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  for (const pool of d.workerPools) {
    expect(pool.min).toBeLessThanOrEqual(pool.desired);
    expect(pool.desired).toBeLessThanOrEqual(pool.max);
  }
  expect(d.controlPlane.count === 1 || (d.controlPlane.count >= 3 && d.controlPlane.count % 2 === 1)).toBe(true);
  const blocks = [d.network.cidr, d.kubernetes.podCidr, d.kubernetes.serviceCidr].map((c) => parseCidr(c));
  for (const b of blocks) expect(typeof b).not.toBe("string");
  const [vpc, pods, services] = blocks as Exclude<ReturnType<typeof parseCidr>, string>[];
  expect(overlaps(vpc, pods) || overlaps(vpc, services) || overlaps(pods, services)).toBe(false);
  // Sizes AWS and Kubernetes accept (see definition/defaults.ts).
  expect(vpc.prefix >= 16 && vpc.prefix <= 24).toBe(true);
  expect(services.prefix >= 12 && services.prefix <= 24).toBe(true);
  expect(pods.prefix >= 8 && pods.prefix <= 24).toBe(true);
  expect(2 ** (24 - pods.prefix)).toBeGreaterThanOrEqual(d.controlPlane.count + d.workerPools.reduce((sum, p) => sum + p.max, 0));
  if (d.kubernetes.installer === "kurl") expect(d.kubernetes.kurl?.installerUrl).toBeDefined();
  // An HA control plane survives losing the zone that holds the most of its nodes.
  const zones = Array.isArray(d.network.azs) ? d.network.azs.length : d.network.azs;
  if (d.controlPlane.count > 1) expect(Math.ceil(d.controlPlane.count / zones)).toBeLessThanOrEqual((d.controlPlane.count - 1) / 2);
}

/**
 * Builds an accepted definition's stacks, audits and synthesizes them, as main.ts does; only a
 * problem the user can fix (DefinitionError, RuleViolationError) may stop that.
 */
function expectBuilds(definition: ClusterDefinition, text: string): void {
  try {
    const app = new App({ outdir: mkdtempSync(path.join(OUTDIR, "app-")) });
    addClusterStacks(app, definition);
    auditApp(app);
    app.synth();
  } catch (e) {
    if (e instanceof DefinitionError || e instanceof RuleViolationError) return;
    throw new Error(`an accepted definition crashed the build:\n${text}\n${(e as Error).stack}`);
  }
}

/** Parses `text`; checks the problems, or the accepted definition (building it when `build`). */
function check(text: string, build = false): ClusterDefinition | undefined {
  let result: ReturnType<typeof parseDefinition>;
  try {
    result = parseDefinition("m.yaml", text, CHECKS);
  } catch (e) {
    throw new Error(`the loader crashed on:\n${text}\n${(e as Error).stack}`);
  }
  if (result.definition) {
    expect(result.problems).toEqual([]);
    expectSound(result.definition);
    if (build) expectBuilds(result.definition, text);
    return result.definition;
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) expectWellFormed(p, text);
  }
  return undefined;
}

/** A check that builds the first `limit` accepted definitions it sees. */
function buildingCheck(limit: number): (text: string) => void {
  let built = 0;
  return (text) => {
    if (check(text, built < limit)) built++;
  };
}

/** An IPv4 CIDR, mostly a valid network block, with prefixes around the edges of what is allowed. */
const cidrValue: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(10, 172, 192, 100, 0, 128, 203), fc.nat(255), fc.nat(255), fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(4, 8, 12, 16, 24, 27, 28)), fc.boolean())
  .map(([a, b, c, prefix, hostBits]) => {
    const address = ((a * 256 + b) * 256 + c) * 256;
    const size = 2 ** (32 - prefix);
    const network = hostBits ? address : address - (address % size);
    return `${Math.floor(network / 2 ** 24) % 256}.${Math.floor(network / 2 ** 16) % 256}.${Math.floor(network / 2 ** 8) % 256}.${network % 256}/${prefix}`;
  });

/** Whole numbers around `bounds`, and anywhere up to `max`. */
const near = (bounds: number[], max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(...bounds.flatMap((b) => [b - 1, b, b + 1])), fc.integer({ min: -1, max }));

const zoneLists = fc.constantFrom(["eu-west-1a", "eu-west-1b"], ["us-east-1a", "us-east-1b", "us-east-1c"], ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);

/** The fields that feed the builders, each with values around its limits. */
const FIELDS: readonly (readonly [Path, fc.Arbitrary<Json>])[] = [
  [["controlPlane", "count"], near([1, 3, 5, 7], 9)],
  [["workers", "min"], near([0, 1000], 1100)],
  [["workers", "desired"], near([0, 1000], 1100)],
  [["workers", "max"], near([0, 1000], 1100)],
  [["controlPlane", "volumeSize"], near([1, 8, 16384], 20000)],
  [["workers", "volumeSize"], near([1, 8, 16384], 20000)],
  [["joinTokens", "ttlHours"], near([1, 168], 200)],
  [["network", "cidr"], cidrValue],
  [["kubernetes", "podCidr"], cidrValue],
  [["kubernetes", "serviceCidr"], cidrValue],
  [["network", "azs"], fc.oneof(fc.integer({ min: 1, max: 7 }), zoneLists)],
  [["network", "privateSubnets"], fc.array(cidrValue, { minLength: 1, maxLength: 3 })],
  [["network", "publicSubnets"], fc.array(cidrValue, { minLength: 1, maxLength: 3 })],
  [["controlPlane", "publicApi", "allowedCidrs"], fc.array(cidrValue, { minLength: 1, maxLength: 3 })],
  [["controlPlane", "publicApi"], fc.constant(undefined)],
  [["bastion"], fc.boolean()],
  [["network", "natGateways"], fc.constantFrom("single", "perAz")],
  [["kubernetes", "installer"], fc.constantFrom("kubeadm", "kurl")],
];

const fieldMutation: fc.Arbitrary<{ path: Path; value: Json }> = fc.oneof(...FIELDS.map(([p, value]) => fc.record({ path: fc.constant(p), value })));

/** Each numeric limit, just inside and just outside, on one example: tried on every run. */
const BOUNDARY_EXAMPLES: [number, { path: Path; value: Json }[]][] = (
  [
    [["controlPlane", "volumeSize"], [7, 8, 16384, 16385]],
    [["workers", "volumeSize"], [7, 8, 16384, 16385]],
    [["controlPlane", "count"], [7, 8]],
    [["workers", "max"], [1000, 1001]],
  ] as [Path, number[]][]
).flatMap(([p, values]) => values.map((value): [number, { path: Path; value: Json }[]] => [0, [{ path: p, value }]]));

/** Sets (or, for undefined, deletes) a field, making the mappings on the way. */
function setField(data: Record<string, Json>, p: Path, value: Json): void {
  let node = data;
  for (const key of p.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, Json>;
  }
  if (value === undefined) delete node[p[p.length - 1]];
  else node[p[p.length - 1]] = value;
}

describe("mutated examples", () => {
  it("the unmutated examples are accepted", () => {
    for (const text of EXAMPLE_TEXTS) expect(parseDefinition("m.yaml", text, CHECKS).problems).toEqual([]);
  });

  it("data mutations are accepted or rejected with well-formed problems, never a crash", () => {
    const checkAndBuild = buildingCheck(BUILDS_PER_PROPERTY);
    fc.assert(
      fc.property(fc.nat(EXAMPLE_TEXTS.length - 1), fc.array(dataMutation, { minLength: 1, maxLength: 4 }), (example, mutations) => {
        const data = mutateData(parse(EXAMPLE_TEXTS[example]), mutations);
        checkAndBuild(stringify(data));
      }),
      { numRuns: RUNS },
    );
  });

  it("field mutations that are accepted build, audit and synthesize without crashing", () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLE_TEXTS.length - 1), fc.array(fieldMutation, { minLength: 1, maxLength: 3 }), (example, mutations) => {
        const data = parse(EXAMPLE_TEXTS[example]) as Record<string, Json>;
        for (const m of mutations) setField(data, m.path, m.value);
        check(stringify(data), true);
      }),
      { numRuns: BUILD_RUNS, examples: BOUNDARY_EXAMPLES },
    );
  });

  it("text mutations are accepted or rejected with well-formed problems, never a crash", () => {
    const checkAndBuild = buildingCheck(BUILDS_PER_PROPERTY);
    fc.assert(
      fc.property(fc.nat(EXAMPLE_TEXTS.length - 1), fc.array(textMutation, { minLength: 1, maxLength: 3 }), (example, mutations) => {
        const text = mutations.reduce((t, m) => mutateText(t, m as { kind: string; at: number }), EXAMPLE_TEXTS[example]);
        checkAndBuild(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary YAML documents never crash the loader", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => void check(stringify(value))),
      { numRuns: RUNS / 2 },
    );
  });
});
