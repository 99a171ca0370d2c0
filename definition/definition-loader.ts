/**
 * Reads cluster definition files: YAML parsing, schema validation, cloud-specific checks and
 * uniqueness of names across files. Every problem in every file is collected and reported at
 * once, each with the file, the line and the field path.
 */
import { readFileSync } from "fs";
import { isMap, isScalar, LineCounter, parseDocument, Document } from "yaml";
import { z } from "zod";
import { ClusterDefinition, clusterDefinitionSchema } from "./schema";
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

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  if (allowed.length === 0) return "unknown field";
  const closest = allowed
    .map((k) => ({ k, d: editDistance(key, k) }))
    .sort((x, y) => x.d - y.d)[0];
  const hint = closest && closest.d <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${closest.k}"?)` : "";
  return `unknown field${hint}; allowed here: ${allowed.join(", ")}`;
}

function schemaProblems(file: string, doc: Document, lines: LineCounter, error: z.ZodError): DefinitionProblem[] {
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
      const message =
        issue.code === "invalid_type" && issue.input === undefined ? `is required (${issue.message.replace(/^Invalid input: /, "")})` : issue.message;
      problems.push({ file, line: lineOf(doc, lines, issue.path), path: formatPath(issue.path), message });
    }
  }
  return problems;
}

/** Parses and validates one definition's text; returns the definition or every problem in it. */
export function parseDefinition(
  file: string,
  text: string,
  checks: readonly DefinitionCheck[] = [],
): { definition?: ClusterDefinition; problems: DefinitionProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      // The first syntax error is the cause; later ones are usually its echoes.
      problems: doc.errors.slice(0, 1).map((e) => ({
        file,
        line: e.linePos?.[0]?.line,
        path: "",
        message: `YAML syntax error: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    return { problems: [{ file, path: "", message: "is empty: a cluster definition needs at least name and region" }] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return { problems: [{ file, line: 1, path: "", message: "must be a YAML mapping of fields (name, region, ...)" }] };
  }
  const result = clusterDefinitionSchema.safeParse(data);
  if (!result.success) {
    return { problems: schemaProblems(file, doc, lines, result.error) };
  }
  const problems = checks.flatMap((check) =>
    check(result.data).map((p) => ({ file, line: lineOf(doc, lines, p.path), path: formatPath(p.path), message: p.message })),
  );
  return problems.length > 0 ? { problems } : { definition: result.data, problems: [] };
}

/**
 * Loads definitions from files. Throws a DefinitionError listing every problem across all
 * files (including names used twice); returns the definitions otherwise.
 */
export function loadDefinitions(files: readonly string[], checks: readonly DefinitionCheck[] = []): LoadedDefinition[] {
  const problems: DefinitionProblem[] = [];
  const loaded: LoadedDefinition[] = [];
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
    if (result.definition) loaded.push({ file, definition: result.definition });
  }
  const firstFileOf = new Map<string, string>();
  for (const { file, definition } of loaded) {
    const first = firstFileOf.get(definition.name);
    if (first) {
      problems.push({ file, path: "name", message: `"${definition.name}" is already the name of the cluster in ${first}; names must be unique` });
    } else {
      firstFileOf.set(definition.name, file);
    }
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return loaded;
}
