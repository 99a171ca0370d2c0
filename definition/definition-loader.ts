/**
 * Reads cluster definition files: YAML parsing, the neutral schema, then the definition's cloud
 * (old fields moved, its defaults applied, its limits checked; cloud-definition.ts), further
 * checks, and uniqueness of names across files. Every problem in every file is collected and
 * reported at once, each with the file, the line and the field path; warnings (deprecated
 * fields) are returned beside the definition and do not fail the load.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { isMap, isScalar, LineCounter, parseDocument, Document, visit } from "yaml";
import { z } from "zod";
import { didYouMean, issueMessage } from "./issue-messages";
import { applyCloudDefaults, DefinitionRules, FieldProblem } from "./cloud-definition";
import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN, ClusterDefinition, clusterDefinitionSchema, NeutralDefinition } from "./schema";
import { selectDefinitionFiles } from "./definition-files";
import { DefinitionError, DefinitionProblem, formatPath } from "./problems";

export type { DefinitionCheck, DefinitionRules, FieldProblem } from "./cloud-definition";

/** A definition and the file it came from. */
export interface LoadedDefinition {
  readonly file: string;
  readonly definition: ClusterDefinition;
  /** What the file should change, though it loads (a deprecated field): print them. */
  readonly warnings: readonly DefinitionProblem[];
}

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

type Issue = z.core.$ZodIssue;

/**
 * A union's issues, said by the alternative the value was meant as: when exactly one
 * alternative accepted the value's type (e.g. a list of zones), its own issues (`azs[0]` must be
 * a string) say more than "matches no alternative".
 */
function unionIssues(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || !Array.isArray(issue.errors)) return [issue];
  const typed = issue.errors.filter((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
  if (typed.length !== 1 || typed[0].length === 0) return [issue];
  return typed[0].flatMap((inner) => unionIssues({ ...inner, path: [...issue.path, ...inner.path] } as Issue));
}

function schemaProblems(file: string, doc: Document, lines: LineCounter, data: unknown, error: z.ZodError): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const issue of error.issues.flatMap(unionIssues)) {
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
 * The field to drop so that the problem at `path` goes away and its default applies: the list
 * entry for a problem inside a list, the nearest existing parent for a missing field; undefined
 * when only the document itself could be dropped.
 */
function fieldToDrop(value: unknown, path: Path): Path | undefined {
  const firstIndex = path.findIndex((k) => typeof k === "number");
  let target: Path = firstIndex >= 0 ? path.slice(0, firstIndex + 1) : [...path];
  while (target.length > 0 && valueAt(value, target) === undefined) target = target.slice(0, -1);
  return target.length > 0 ? target : undefined;
}

const keyOf = (path: Path): string => JSON.stringify(path);

/** A definition repaired for running checks, and how its paths map back to the file's. */
interface Repaired {
  readonly definition: NeutralDefinition;
  /** Fields dropped or replaced, as paths of the original file. */
  readonly removed: Path[];
  /** A path of the repaired definition as a path of the original file (list entries may have moved up). */
  readonly original: (path: Path) => Path;
}

/**
 * A schema-valid definition made from a partly invalid one by dropping the invalid fields and
 * list entries (defaults apply), or undefined when that does not converge. Used only to run the
 * cloud's checks on the rest of a file that has schema problems.
 */
function repairedDefinition(data: Record<string, unknown>): Repaired | undefined {
  const value = structuredClone(data);
  for (const [key, placeholder] of Object.entries(PLACEHOLDERS)) if (value[key] === undefined) value[key] = placeholder;
  const removed: Path[] = Object.keys(PLACEHOLDERS).filter((k) => data[k] === undefined).map((k) => [k]);
  /** For each list that lost entries: the original index of each remaining entry. */
  const indexMaps = new Map<string, { list: Path; indices: number[] }>();
  const original = (path: Path): Path => {
    const firstIndex = path.findIndex((k) => typeof k === "number");
    if (firstIndex < 0) return path;
    const map = indexMaps.get(keyOf(path.slice(0, firstIndex)));
    if (!map) return path;
    const mapped = [...path];
    mapped[firstIndex] = map.indices[path[firstIndex] as number] ?? (path[firstIndex] as number);
    return mapped;
  };
  for (let round = 0; round < 8; round++) {
    const result = clusterDefinitionSchema.safeParse(value);
    if (result.success) return { definition: result.data, removed, original };
    const targets: Path[] = [];
    for (const issue of result.error.issues.flatMap(unionIssues)) {
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const target = fieldToDrop(value, path);
        if (!target) return undefined;
        targets.push(target);
      }
    }
    // Parents before children; within a list, later entries first so that indices stay valid.
    targets.sort((a, b) => a.length - b.length || Number(b[b.length - 1]) - Number(a[a.length - 1]) || 0);
    const dropped: Path[] = [];
    for (const target of targets) {
      if (dropped.some((d) => startsWith(target, d))) continue;
      const last = target[target.length - 1];
      const parent = valueAt(value, target.slice(0, -1));
      removed.push(original(target));
      if (target.length === 1 && typeof last === "string" && last in PLACEHOLDERS) {
        value[last] = PLACEHOLDERS[last];
      } else if (Array.isArray(parent) && typeof last === "number") {
        const listPath = target.slice(0, -1);
        const map = indexMaps.get(keyOf(listPath)) ?? { list: listPath, indices: parent.map((_, i) => i) };
        parent.splice(last, 1);
        map.indices.splice(last, 1);
        indexMaps.set(keyOf(listPath), map);
      } else {
        delete (parent as Record<PropertyKey, unknown>)[last];
      }
      dropped.push(target);
    }
  }
  return undefined;
}

/** What the definition's cloud makes of a schema-valid definition: the definition with its defaults, and what it found. */
function cloudStage(rules: DefinitionRules, neutral: NeutralDefinition): { definition: ClusterDefinition; problems: FieldProblem[]; warnings: readonly FieldProblem[] } {
  const cloud = rules.cloudFor(neutral);
  const migrated = cloud.migrateDefinition?.(neutral) ?? { definition: neutral, warnings: [], problems: [] };
  const problems = [...migrated.problems];
  if (migrated.definition.ami !== undefined) problems.push({ path: ["ami"], message: `is not a field of cloud ${cloud.name}` });
  const definition = applyCloudDefaults(migrated.definition, cloud.definitionDefaults);
  problems.push(...cloud.validateDefinition(definition));
  for (const check of rules.checks ?? []) problems.push(...check(definition));
  return { definition, problems, warnings: migrated.warnings };
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
  /** What the file should change though it is valid (deprecated fields); do not fail the load. */
  readonly warnings: DefinitionProblem[];
  /** The cluster name the file claims, when valid (also when other fields are not): for uniqueness. */
  readonly name?: string;
}

/**
 * Parses and validates one definition's text with the neutral schema, then its cloud and the
 * further checks of `rules`; returns the definition or every problem in it, and its warnings.
 */
export function parseDefinition(file: string, text: string, rules: DefinitionRules): ParsedDefinition {
  const parsed = parseText(file, text, rules);
  return { warnings: [], ...parsed };
}

function parseText(file: string, text: string, rules: DefinitionRules): Omit<ParsedDefinition, "warnings"> & { warnings?: DefinitionProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, logLevel: "error" });
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
  let data: unknown;
  try {
    // Throws on aliases without an anchor and on alias bombs (more than 100 aliases).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { problems: [{ file, path: "", message: `YAML error: ${(e as Error).message}` }] };
  }
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
      const more = cloudStage(rules, repaired.definition)
        .problems.map((p): FieldProblem => ({ ...p, path: repaired.original(p.path) as FieldProblem["path"] }))
        .filter((p) => !repaired.removed.some((r) => startsWith(p.path, r)));
      problems.push(...more.map(toProblem));
    }
    return { problems: byLine(problems), name };
  }
  const stage = cloudStage(rules, result.data);
  const problems = stage.problems.map(toProblem);
  const warnings = byLine(stage.warnings.map(toProblem));
  return problems.length > 0 ? { problems: byLine(problems), warnings, name } : { definition: stage.definition, problems: [], warnings, name };
}

/** Orders one file's problems by line (problems without a line first), keeping ties in order. */
function byLine(problems: DefinitionProblem[]): DefinitionProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Loads definitions from files (relative paths from `cwd`). Throws a DefinitionError listing every problem across all
 * files (including names used twice, also in files with other problems); returns the
 * definitions otherwise.
 */
export function loadDefinitions(files: readonly string[], rules: DefinitionRules, cwd: string = process.cwd()): LoadedDefinition[] {
  const problems: DefinitionProblem[] = [];
  const loaded: LoadedDefinition[] = [];
  const firstFileOf = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      // Files are named as the user sees them (relative to cwd, or absolute).
      text = readFileSync(path.resolve(cwd, file), "utf8");
    } catch (e) {
      problems.push({ file, path: "", message: `cannot be read: ${(e as Error).message}` });
      continue;
    }
    const result = parseDefinition(file, text, rules);
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
    if (result.definition && result.problems.length === 0) loaded.push({ file, definition: result.definition, warnings: result.warnings });
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return loaded;
}

/**
 * Loads the definitions a selection (KUBEPLANE_CLUSTERS, or undefined for `clusters/`) names.
 * An entry that does not exist is reported together with every problem of the files that do,
 * in one DefinitionError.
 */
export function loadSelectedDefinitions(selection: string | undefined, rules: DefinitionRules, cwd: string = process.cwd()): LoadedDefinition[] {
  const { files, problems } = selectDefinitionFiles(selection, cwd);
  let loaded: LoadedDefinition[] = [];
  try {
    loaded = loadDefinitions(files, rules, cwd);
  } catch (e) {
    if (!(e instanceof DefinitionError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return loaded;
}
