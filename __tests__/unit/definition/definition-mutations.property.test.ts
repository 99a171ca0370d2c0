/**
 * Property: random mutations of the example definitions — of their values, their keys and their
 * raw text — are either accepted as valid definitions or rejected with well-formed problems.
 * The loader never crashes, and never accepts a definition that breaks a cross-field rule.
 */
import fc from "fast-check";
import { readFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ClusterDefinition, DefinitionProblem, formatProblem, parseDefinition } from "../../../definition";
import { parseCidr, overlaps } from "../../../definition/cidr";
import { cloudDefinitionCheck } from "../../../providers";
import { suppressionCheck } from "../../../rules";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const EXAMPLE_TEXTS = ["dev", "prod", "kurl"].map((n) => readFileSync(path.join(ROOT, "clusters", `${n}.yaml`), "utf8"));
const CHECKS = [cloudDefinitionCheck, suppressionCheck];
const RUNS = Number(process.env.KUBEPLANE_PROPERTY_RUNS ?? 200);

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
  expect(d.workers.min).toBeLessThanOrEqual(d.workers.desired);
  expect(d.workers.desired).toBeLessThanOrEqual(d.workers.max);
  expect(d.controlPlane.count === 1 || (d.controlPlane.count >= 3 && d.controlPlane.count % 2 === 1)).toBe(true);
  const blocks = [d.network.cidr, d.kubernetes.podCidr, d.kubernetes.serviceCidr].map((c) => parseCidr(c));
  for (const b of blocks) expect(typeof b).not.toBe("string");
  const [vpc, pods, services] = blocks as Exclude<ReturnType<typeof parseCidr>, string>[];
  expect(overlaps(vpc, pods) || overlaps(vpc, services) || overlaps(pods, services)).toBe(false);
  if (d.kubernetes.installer === "kurl") expect(d.kubernetes.kurl?.installerUrl).toBeDefined();
}

function check(text: string): void {
  let result: ReturnType<typeof parseDefinition>;
  try {
    result = parseDefinition("m.yaml", text, CHECKS);
  } catch (e) {
    throw new Error(`the loader crashed on:\n${text}\n${(e as Error).stack}`);
  }
  if (result.definition) {
    expect(result.problems).toEqual([]);
    expectSound(result.definition);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) expectWellFormed(p, text);
  }
}

describe("mutated examples", () => {
  it("the unmutated examples are accepted", () => {
    for (const text of EXAMPLE_TEXTS) expect(parseDefinition("m.yaml", text, CHECKS).problems).toEqual([]);
  });

  it("data mutations are accepted or rejected with well-formed problems, never a crash", () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLE_TEXTS.length - 1), fc.array(dataMutation, { minLength: 1, maxLength: 4 }), (example, mutations) => {
        const data = mutateData(parse(EXAMPLE_TEXTS[example]), mutations);
        check(stringify(data));
      }),
      { numRuns: RUNS },
    );
  });

  it("text mutations are accepted or rejected with well-formed problems, never a crash", () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLE_TEXTS.length - 1), fc.array(textMutation, { minLength: 1, maxLength: 3 }), (example, mutations) => {
        const text = mutations.reduce((t, m) => mutateText(t, m as { kind: string; at: number }), EXAMPLE_TEXTS[example]);
        check(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary YAML documents never crash the loader", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => check(stringify(value))),
      { numRuns: RUNS / 2 },
    );
  });
});
