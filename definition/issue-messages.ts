/**
 * Turns zod's issues into messages a person can act on: what is wrong (with the value found)
 * and what is allowed. Messages the schema spells out itself are kept; zod's generic ones
 * ("Invalid input: expected number, received string") are rewritten.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

const GENERIC = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid discriminator|Invalid key)/;

/** Fields whose alternatives zod cannot describe by itself. */
const UNION_HINTS: Readonly<Record<string, string>> = {
  "network.azs": "a number of availability zones (at least 2) or a list of zone names like [eu-west-1a, eu-west-1b]",
};

/** A short rendering of a value found in the YAML, for "got ..." hints. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return "a mapping";
}

function typeName(expected: string): string {
  switch (expected) {
    case "int":
      return "a whole number";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping of fields";
    default:
      return expected;
  }
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of options) {
    const d = editDistance(word, option);
    if (!best || d < best.distance) best = { option, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.option : undefined;
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
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

/** "did you mean" hint for `word` among `options`, or "". */
export function didYouMean(word: string, options: readonly string[]): string {
  const hint = closest(word, options);
  return hint && hint !== word ? ` (did you mean "${hint}"?)` : "";
}

function oneOf(values: readonly unknown[], got: unknown): string {
  const allowed = values.map((v) => String(v));
  const hint = typeof got === "string" ? didYouMean(got, allowed) : "";
  return `must be one of: ${allowed.join(", ")} (got ${describeValue(got)})${hint}`;
}

/**
 * The message for one schema issue; `got` is the value at the issue's path in the input
 * (undefined when the field is missing).
 */
export function issueMessage(issue: Issue, got: unknown, dottedPath: string): string {
  const generic = GENERIC.test(issue.message);
  switch (issue.code) {
    case "invalid_type":
      if (got === undefined) return `is required: ${typeName(issue.expected)}`;
      return `must be ${typeName(issue.expected)} (got ${describeValue(got)})`;
    case "invalid_value":
      return generic ? oneOf(issue.values, got) : `${issue.message} (got ${describeValue(got)})`;
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options)) return oneOf(options, got);
      const hint = UNION_HINTS[dottedPath];
      return hint ? `must be ${hint} (got ${describeValue(got)})` : `is not valid here (got ${describeValue(got)})`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum;
      const word = issue.code === "too_small" ? "at least" : "at most";
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " entries" : "";
      // A field the schema trims can be long enough and still too short without its spaces.
      const trimmedShort = issue.code === "too_small" && typeof got === "string" && typeof bound === "number" && got.length >= bound;
      const what =
        issue.origin === "string" && typeof got === "string"
          ? trimmedShort
            ? `got ${got.trim().length} characters, not counting spaces around them`
            : `got ${got.length} characters`
          : `got ${describeValue(got)}`;
      const base = generic ? `must be ${word} ${String(bound)}${unit}` : issue.message;
      return `${base} (${what})`;
    }
    case "invalid_key": {
      const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message;
      return `key is not allowed: ${inner ?? issue.message}`;
    }
    case "invalid_format":
      return generic ? `has the wrong format (got ${describeValue(got)})` : `${issue.message} (got ${describeValue(got)})`;
    default:
      return issue.message;
  }
}
