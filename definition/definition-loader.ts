/**
 * Reads cluster definition files: YAML parsing, schema validation, cloud-specific checks and
 * uniqueness of names across files. Every problem in every file is collected and reported at
 * once, each with the file, the line and the field path.
 */
import { readFileSync } from "fs";
import { isMap, isScalar, LineCounter, parseDocument, Document, visit } from "yaml";
import { z } from "zod";
import { didYouMean, issueMessage } from "./issue-messages";
import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN, ClusterDefinition, clusterDefinitionSchema } from "./schema";
import { DefinitionError, DefinitionProblem, formatPath } from "./problems";

/** A definition and the file it came from. */
export interface LoadedDefinition {
  readonly file: string;
  readonly definition: ClusterDefinition;
}

/** A problem found by a check beyond the schema, at a field path of the definition. */
export interface FieldProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A check that runs on definitions that passed the schema (e.g. a cloud's region rules). */
export type DefinitionCheck = (definition: ClusterDefinition) => readonly FieldProblem[];

/** Where a field path sits in the YAML source, as a 1-based line. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], unknownKey?: string): number | undefined {
  const keys = path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (unknownKey !== undefined) {
    const parent = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === unknownKey);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return lines.linePos(range[0]).line;
    }
  }
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The keys a strict object schema allows at a path, for "did you mean" hints. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: unknown = clusterDefinitionSchema;
  const unwrap = (s: unknown): unknown => {
    let current = s as { _zod?: { def?: { innerType?: unknown; in?: unknown } } };
    for (let i = 0; i < 10 && current?._zod?.def; i++) {
      const def = current._zod.def;
      if (def.innerType) current = def.innerType as typeof current;
      else if (def.in) current = def.in as typeof current;
      else break;
    }
    return current;
  };
  for (const key of path) {
    const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
    if (!shape || typeof key !== "string" || !(key in shape)) return [];
    schema = shape[key];
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  if (allowed.length === 0) return "unknown field";
  return `unknown field${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}`;
}

/** The value at a field path of the parsed YAML, or undefined. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function schemaProblems(file: string, doc: Document, lines: LineCounter, data: unknown, error: z.ZodError): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(issue.path);
      for (const key of issue.keys) {
        problems.push({
          file,
          line: lineOf(doc, lines, issue.path, key),
          path: formatPath([...issue.path, key]),
          message: unknownKeyMessage(key, allowed),
        });
      }
    } else {
      const path = formatPath(issue.path);
      const message = issueMessage(issue, valueAt(data, issue.path), path);
      problems.push({ file, line: lineOf(doc, lines, issue.path), path, message });
    }
  }
  return problems;
}

type Path = readonly PropertyKey[];

const startsWith = (path: Path, prefix: Path): boolean => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

/** Placeholders for required top-level fields, so that checks can still run on the rest. */
const PLACEHOLDERS: Readonly<Record<string, unknown>> = { name: "placeholder", region: "placeholder-region" };

/**
 * The field to drop so that the problem at `path` goes away and its default applies: the whole
 * list for a list entry, the nearest existing parent for a missing field; undefined when only
 * the document itself could be dropped.
 */
function fieldToDrop(value: unknown, path: Path): Path | undefined {
  const firstIndex = path.findIndex((k) => typeof k === "number");
  let target: Path = firstIndex >= 0 ? path.slice(0, firstIndex) : [...path];
  while (target.length > 0 && valueAt(value, target) === undefined) target = target.slice(0, -1);
  return target.length > 0 ? target : undefined;
}

function dropField(value: Record<string, unknown>, target: Path): void {
  if (target.length === 1 && typeof target[0] === "string" && target[0] in PLACEHOLDERS) {
    value[target[0]] = PLACEHOLDERS[target[0]];
    return;
  }
  const parent = valueAt(value, target.slice(0, -1)) as Record<PropertyKey, unknown>;
  delete parent[target[target.length - 1]];
}

/**
 * A schema-valid definition made from a partly invalid one by dropping the invalid fields
 * (their defaults apply), with the paths dropped; undefined when that does not converge.
 * Used only to run the cloud's checks on the rest of a file that has schema problems.
 */
function repairedDefinition(data: Record<string, unknown>): { definition: ClusterDefinition; removed: Path[] } | undefined {
  const value = structuredClone(data);
  for (const [key, placeholder] of Object.entries(PLACEHOLDERS)) if (value[key] === undefined) value[key] = placeholder;
  const removed: Path[] = Object.keys(PLACEHOLDERS).filter((k) => data[k] === undefined).map((k) => [k]);
  for (let round = 0; round < 8; round++) {
    const result = clusterDefinitionSchema.safeParse(value);
    if (result.success) return { definition: result.data, removed };
    const targets: Path[] = [];
    for (const issue of result.error.issues) {
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const target = fieldToDrop(value, path);
        if (!target) return undefined;
        targets.push(target);
      }
    }
    const dropped: Path[] = [];
    for (const target of targets.sort((a, b) => a.length - b.length)) {
      if (dropped.some((d) => startsWith(target, d))) continue;
      dropField(value, target);
      dropped.push(target);
    }
    removed.push(...dropped);
  }
  return undefined;
}

/** The name a (possibly invalid) definition claims, when it is a valid name. */
function claimedName(data: unknown): string | undefined {
  const name = valueAt(data, ["name"]);
  return typeof name === "string" && name.length <= CLUSTER_NAME_MAX_LENGTH && CLUSTER_NAME_PATTERN.test(name) ? name : undefined;
}

/** What parsing one file gives: the definition, or every problem in it. */
export interface ParsedDefinition {
  readonly definition?: ClusterDefinition;
  readonly problems: DefinitionProblem[];
  /** The cluster name the file claims, when valid (also when other fields are not): for uniqueness. */
  readonly name?: string;
}

/** Parses and validates one definition's text; returns the definition or every problem in it. */
export function parseDefinition(file: string, text: string, checks: readonly DefinitionCheck[] = []): ParsedDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The first syntax error is the cause; later ones are usually its echoes.
    const error = doc.errors[0];
    const position = error.linePos?.[0];
    const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return {
      problems: [
        {
          file,
          line: position?.line,
          path: "",
          message: `YAML syntax error${position ? ` (column ${position.col})` : ""}: ${reason}`,
        },
      ],
    };
  }
  // A key that is itself a list or mapping (`? [a]: b`) is not a field name.
  let complexKeyLine: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        const range = (pair.key as { range?: [number, number, number] }).range;
        complexKeyLine = range ? lines.linePos(range[0]).line : 1;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (complexKeyLine !== undefined) {
    return { problems: [{ file, line: complexKeyLine, path: "", message: "field names must be plain words, not lists or mappings" }] };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    return { problems: [{ file, path: "", message: "is empty: a cluster definition needs at least name and region" }] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return { problems: [{ file, line: 1, path: "", message: `must be a YAML mapping of fields (name, region, ...), got ${Array.isArray(data) ? "a list" : "a single value"}` }] };
  }
  const name = claimedName(data);
  const toProblem = (p: FieldProblem): DefinitionProblem => ({ file, line: lineOf(doc, lines, p.path), path: formatPath(p.path), message: p.message });
  const result = clusterDefinitionSchema.safeParse(data);
  if (!result.success) {
    const problems = schemaProblems(file, doc, lines, data, result.error);
    // The cloud's checks still run on what is valid, so that one run reports every problem.
    const repaired = repairedDefinition(data as Record<string, unknown>);
    if (repaired) {
      const more = checks
        .flatMap((check) => check(repaired.definition))
        .filter((p) => !repaired.removed.some((r) => startsWith(p.path, r)));
      problems.push(...more.map(toProblem));
    }
    return { problems: byLine(problems), name };
  }
  const problems = checks.flatMap((check) => check(result.data).map(toProblem));
  return problems.length > 0 ? { problems: byLine(problems), name } : { definition: result.data, problems: [], name };
}

/** Orders one file's problems by line (problems without a line first), keeping ties in order. */
function byLine(problems: DefinitionProblem[]): DefinitionProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Loads definitions from files. Throws a DefinitionError listing every problem across all
 * files (including names used twice, also in files with other problems); returns the
 * definitions otherwise.
 */
export function loadDefinitions(files: readonly string[], checks: readonly DefinitionCheck[] = []): LoadedDefinition[] {
  const problems: DefinitionProblem[] = [];
  const loaded: LoadedDefinition[] = [];
  const firstFileOf = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      problems.push({ file, path: "", message: `cannot be read: ${(e as Error).message}` });
      continue;
    }
    const result = parseDefinition(file, text, checks);
    problems.push(...result.problems);
    if (result.name !== undefined) {
      const first = firstFileOf.get(result.name);
      if (first) {
        const lines = new LineCounter();
        const doc = parseDocument(text, { lineCounter: lines });
        problems.push({
          file,
          line: lineOf(doc, lines, ["name"]),
          path: "name",
          message: `"${result.name}" is already the name of the cluster in ${first}; names must be unique`,
        });
      } else {
        firstFileOf.set(result.name, file);
      }
    }
    if (result.definition && result.problems.length === 0) loaded.push({ file, definition: result.definition });
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return loaded;
}
