/**
 * Terraform JSON (what cdktf synthesizes, `cdk.tf.json`) rendered as Terraform's native syntax
 * (HCL), for `kubeplane synth --hcl`: the way out of CDKTF.
 *
 * Why not cdktf's own HCL output (`SYNTH_HCL_OUTPUT=true`): cdktf 0.21.0 renders strings without
 * escaping them as soon as they hold a reference. `renderFuzzyJsonExpression` in
 * node_modules/cdktf/lib/hcl/render.js (upstream: hashicorp/terraform-cdk,
 * packages/cdktf/lib/hcl/render.ts) returns `"${jsonExpression}"` verbatim for any string that
 * contains `${`, so a multi-line local such as the user data becomes a quoted string with raw
 * newlines (Terraform: "Invalid multi-line string") and every `"` inside an IAM policy that
 * interpolates an ARN ends the string early ("Invalid character"); its `escapeQuotes` skips any
 * string with `${` for the same reason, and strings that start with `{`, `[` or `"` are written
 * unquoted, as if they were expressions. Those are the strings kubeplane's stacks are made of, and
 * the information needed to quote them is gone by the time cdktf renders them, so no rewriting of
 * its output can be proven right.
 *
 * This renderer starts instead from the JSON that kubeplane deploys, whose meaning Terraform
 * defines (https://developer.hashicorp.com/terraform/language/syntax/json, and HCL's JSON
 * specification, hashicorp/hcl json/spec.md): every JSON string is a template in the same
 * template language as a native quoted string, so the template's source text carries over; only
 * its literal parts need native escapes (`\\`, `\"`, `\n`, ...), while `${...}`/`%{...}` sequences
 * and the `$${`/`%%{` escapes keep their text. What JSON cannot tell, whether an object is a nested
 * block or an attribute holding an object, comes from the provider schema (BlockShape, from
 * `terraform providers schema -json`: see hcl-schema.ts). Constructs kubeplane does not synthesize
 * (modules, dynamic blocks, provisioners, ...) are refused by name rather than guessed at.
 */

/** The nested block types of a block body, from a provider schema; everything else is an attribute. */
export interface BlockShape {
  readonly blocks: Readonly<Record<string, NestedBlockShape>>;
}

/** A nested block type: how its blocks nest (Terraform schema `nesting_mode`) and their bodies. */
export interface NestedBlockShape {
  readonly nesting: "single" | "group" | "list" | "set" | "map";
  readonly shape: BlockShape;
}

/** The shapes one provider's schema gives: its configuration block, resources and data sources. */
export interface ProviderShapes {
  readonly provider: BlockShape;
  readonly resources: Readonly<Record<string, BlockShape>>;
  readonly dataSources: Readonly<Record<string, BlockShape>>;
}

/** Provider shapes by full source address (`registry.terraform.io/hashicorp/aws`). */
export type SchemaShapes = Readonly<Record<string, ProviderShapes>>;

/** A block body with no nested blocks. */
export const FLAT: BlockShape = { blocks: {} };

/**
 * Terraform's built-in provider (`terraform.io/builtin/terraform`) is not in a
 * `providers schema -json` of a configuration that does not use it; its resources and data
 * sources have no nested blocks (terraform_remote_state: backend, config, defaults, workspace;
 * terraform_data: input, triggers_replace).
 */
const BUILTIN_RESOURCES: Readonly<Record<string, BlockShape>> = { terraform_data: FLAT };
const BUILTIN_DATA_SOURCES: Readonly<Record<string, BlockShape>> = { terraform_remote_state: FLAT };

/** A configuration kubeplane cannot render: names the stack and where in it. */
export class HclRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HclRenderError";
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const INDENT = "  ";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Identifiers that a bare object key would not be read as a literal name. */
const KEYWORDS = new Set(["true", "false", "null", "for", "in", "if"]);
/** Top-level block types, in the order they are written. */
const TOP_LEVEL = ["terraform", "provider", "variable", "locals", "data", "resource", "output"] as const;
/** Meta-arguments kubeplane does not synthesize and the renderer therefore does not render. */
const UNSUPPORTED_META = ["dynamic", "provisioner", "connection"];

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The full source address of a provider source as written in `required_providers`:
 * `aws` and `hashicorp/aws` are `registry.terraform.io/hashicorp/aws`.
 */
export function providerSourceAddress(source: string): string {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join("/");
}

/** The provider source addresses a configuration requires, by local name. */
export function requiredProviderSources(config: JsonObject | Record<string, unknown>): Record<string, string> {
  const terraform = (config as JsonObject).terraform;
  const required = isObject(terraform) && isObject(terraform.required_providers) ? terraform.required_providers : {};
  const sources: Record<string, string> = {};
  for (const [local, requirement] of Object.entries(required)) {
    // `aws = "5.100.0"` (a bare version, Terraform 0.12's form) means the default source.
    const source = isObject(requirement) && typeof requirement.source === "string" ? requirement.source : local;
    sources[local] = providerSourceAddress(source);
  }
  return sources;
}

// ---------------------------------------------------------------------------------------------
// Templates (strings)

/**
 * The end (index after the closing brace) of the template sequence whose body starts at `start`
 * (just after `${` or `%{`), skipping nested braces and quoted strings, themselves templates.
 */
function sequenceEnd(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = quotedEnd(text, i + 1);
      continue;
    }
    if (c === "{") depth++;
    if (c === "}" && --depth === 0) return i + 1;
    i++;
  }
  throw new HclRenderError(`unterminated template sequence in ${JSON.stringify(text.slice(Math.max(0, start - 2), start + 60))}`);
}

/** The index after the closing quote of a quoted string inside a template sequence. */
function quotedEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
      i += 3;
    } else if ((c === "$" || c === "%") && text[i + 1] === "{") {
      i = sequenceEnd(text, i + 2);
    } else {
      i++;
    }
  }
  throw new HclRenderError(`unterminated string in template sequence ${JSON.stringify(text.slice(0, 80))}`);
}

/** A template split into literal text and sequences (`${...}`, `%{...}`, `$${`, `%%{`), in order. */
export function templateParts(text: string): { literal: boolean; text: string }[] {
  const parts: { literal: boolean; text: string }[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
      // An escape: in JSON and native templates alike it stands for a literal `${` / `%{`.
      if (literal) parts.push({ literal: true, text: literal });
      literal = "";
      parts.push({ literal: false, text: text.slice(i, i + 3) });
      i += 3;
    } else if ((c === "$" || c === "%") && text[i + 1] === "{") {
      if (literal) parts.push({ literal: true, text: literal });
      literal = "";
      const end = sequenceEnd(text, i + 2);
      parts.push({ literal: false, text: text.slice(i, end) });
      i = end;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) parts.push({ literal: true, text: literal });
  return parts;
}

function escapeLiteral(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/** A JSON-syntax template as a native quoted template: literal parts escaped, sequences kept. */
export function quotedTemplate(text: string): string {
  const body = templateParts(text)
    .map((p) => {
      if (p.literal) return escapeLiteral(p.text);
      if (/[\r\n]/.test(p.text)) throw new HclRenderError(`a template sequence spanning lines cannot be quoted: ${JSON.stringify(p.text.slice(0, 80))}`);
      return p.text;
    })
    .join("");
  return `"${body}"`;
}

/**
 * A JSON-syntax template as a native heredoc, when that is exact and readable: text of more than
 * one line that ends with a newline (a heredoc's value always does), with no other control
 * characters than tabs. The text carries over unchanged: heredocs have no backslash escapes, and
 * their template sequences are those of JSON strings. The delimiter is one no line equals.
 */
function heredoc(text: string): string | undefined {
  if (!text.endsWith("\n")) return undefined;
  const body = text.slice(0, -1);
  if (!body.includes("\n")) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body)) return undefined;
  const lines = new Set(body.split("\n").map((l) => l.trim()));
  let delimiter = "EOT";
  for (let n = 1; lines.has(delimiter); n++) delimiter = `EOT${n}`;
  return `<<${delimiter}\n${body}\n${delimiter}`;
}

/** A string: a heredoc where one is exact (not inside a list, where a `,` would follow its delimiter). */
function renderString(text: string, allowHeredoc: boolean): string {
  return (allowHeredoc ? heredoc(text) : undefined) ?? quotedTemplate(text);
}

function renderKey(key: string): string {
  return IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : quotedTemplate(key);
}

/** A JSON-syntax expression value as a native expression, indented at `indent`. */
export function renderExpression(value: Json, indent = "", allowHeredoc = true): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      throw new HclRenderError(`number ${value} cannot be written exactly`);
    }
    return String(value);
  }
  if (typeof value === "string") return renderString(value, allowHeredoc);
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${renderExpression(v, inner, false)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${renderKey(k)} = ${renderExpression(v, inner)}`).join("\n")}\n${indent}}`;
}

/**
 * A string that Terraform's JSON syntax reads as a bare reference or keyword (depends_on,
 * provider, ignore_changes, replace_triggered_by): `aws_vpc.main` or `${aws_vpc.main}`.
 */
function bareReference(value: Json, where: string): string {
  if (typeof value !== "string") throw new HclRenderError(`${where}: expected a reference string, got ${JSON.stringify(value)}`);
  const unwrapped = /^\$\{([^{}]*)\}$/.exec(value)?.[1] ?? value;
  if (!/^[A-Za-z_][A-Za-z0-9_.\-[\]"*]*$/.test(unwrapped)) throw new HclRenderError(`${where}: ${JSON.stringify(value)} is not a reference`);
  return unwrapped;
}

function referenceList(value: Json, indent: string, where: string): string {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return "[]";
  const inner = indent + INDENT;
  return `[\n${items.map((v) => `${inner}${bareReference(v, where)},`).join("\n")}\n${indent}]`;
}

// ---------------------------------------------------------------------------------------------
// Blocks

function attribute(name: string, value: Json, indent: string): string {
  return `${indent}${renderKey(name)} = ${renderExpression(value, indent)}`;
}

/** A block's header; labels are literal in both syntaxes, so only plain ones are accepted. */
function blockHeader(type: string, labels: readonly string[]): string {
  for (const label of labels) {
    if (!/^[A-Za-z0-9_.:/-]+$/.test(label)) throw new HclRenderError(`block label ${JSON.stringify(label)} (${type}) is not supported by kubeplane's HCL rendering`);
  }
  return [type, ...labels.map((l) => `"${l}"`)].join(" ");
}

function block(header: string, lines: string[], indent: string): string {
  if (lines.length === 0) return `${indent}${header} {}`;
  return `${indent}${header} {\n${lines.join("\n")}\n${indent}}`;
}

/** The nested blocks of type `name` that a JSON value stands for, as native blocks. */
function nestedBlocks(name: string, value: Json, nested: NestedBlockShape, indent: string, where: string): string[] {
  if (value === null) return [];
  if (nested.nesting === "map") {
    if (!isObject(value)) throw new HclRenderError(`${where}.${name}: a map of blocks must be an object`);
    return Object.entries(value).map(([label, body]) => {
      if (!isObject(body)) throw new HclRenderError(`${where}.${name}["${label}"]: a block must be an object`);
      return block(blockHeader(name, [label]), bodyLines(body, nested.shape, indent + INDENT, `${where}.${name}["${label}"]`), indent);
    });
  }
  const bodies = Array.isArray(value) ? value : [value];
  return bodies.map((body, i) => {
    if (!isObject(body)) throw new HclRenderError(`${where}.${name}[${i}]: a block must be an object, got ${JSON.stringify(body)}`);
    return block(name, bodyLines(body, nested.shape, indent + INDENT, `${where}.${name}[${i}]`), indent);
  });
}

/** The lines of a block body: attributes, then nested blocks, in the JSON's order. */
function bodyLines(body: JsonObject, shape: BlockShape, indent: string, where: string): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === "//") continue; // a comment in Terraform's JSON syntax (cdktf's metadata)
    const nested = shape.blocks[name];
    if (nested) lines.push(...nestedBlocks(name, value, nested, indent, where));
    else lines.push(attribute(name, value, indent));
  }
  return lines;
}

function lifecycleBlock(value: Json, indent: string, where: string): string {
  if (!isObject(value)) throw new HclRenderError(`${where}.lifecycle must be an object`);
  const inner = indent + INDENT;
  const lines: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (name === "ignore_changes") {
      lines.push(`${inner}ignore_changes = ${v === "all" ? "all" : referenceList(v, inner, `${where}.lifecycle.ignore_changes`)}`);
    } else if (name === "replace_triggered_by") {
      lines.push(`${inner}replace_triggered_by = ${referenceList(v, inner, `${where}.lifecycle.replace_triggered_by`)}`);
    } else if (name === "create_before_destroy" || name === "prevent_destroy") {
      lines.push(attribute(name, v, inner));
    } else {
      throw new HclRenderError(`${where}.lifecycle.${name} is not supported by kubeplane's HCL rendering`);
    }
  }
  return block("lifecycle", lines, indent);
}

/** A resource or data source body: meta-arguments first, as Terraform's style guide orders them. */
function resourceBody(body: JsonObject, shape: BlockShape, where: string): string[] {
  const indent = INDENT;
  const meta: string[] = [];
  const rest: JsonObject = {};
  let lifecycle: string | undefined;
  for (const [name, value] of Object.entries(body)) {
    if (UNSUPPORTED_META.includes(name) && !shape.blocks[name]) {
      throw new HclRenderError(`${where}: "${name}" is not supported by kubeplane's HCL rendering`);
    }
    if (name === "count" || name === "for_each") meta.push(attribute(name, value, indent));
    else if (name === "provider") meta.push(`${indent}provider = ${bareReference(value, `${where}.provider`)}`);
    else if (name === "depends_on") meta.push(`${indent}depends_on = ${referenceList(value, indent, `${where}.depends_on`)}`);
    else if (name === "lifecycle") lifecycle = lifecycleBlock(value, indent, where);
    else rest[name] = value;
  }
  return [...meta, ...bodyLines(rest, shape, indent, where), ...(lifecycle ? [lifecycle] : [])];
}

// ---------------------------------------------------------------------------------------------
// The file

/** What renderHcl needs besides the configuration. */
export interface HclRenderContext {
  /** The stack, for error messages. */
  readonly stack: string;
  readonly shapes: SchemaShapes;
}

function providerShapes(context: HclRenderContext, sources: Record<string, string>, localName: string, where: string): ProviderShapes {
  const source = sources[localName] ?? providerSourceAddress(localName);
  const shapes = context.shapes[source];
  if (!shapes) throw new HclRenderError(`${context.stack}: no provider schema for ${source} (${where})`);
  return shapes;
}

function resourceShape(
  context: HclRenderContext,
  sources: Record<string, string>,
  kind: "resource" | "data",
  type: string,
  body: JsonObject,
): BlockShape {
  const builtin = (kind === "resource" ? BUILTIN_RESOURCES : BUILTIN_DATA_SOURCES)[type];
  if (builtin) return builtin;
  const localName = typeof body.provider === "string" ? bareReference(body.provider, `${kind}.${type}.provider`).split(".")[0] : type.split("_")[0];
  const provider = providerShapes(context, sources, localName, `${kind} ${type}`);
  const shape = (kind === "resource" ? provider.resources : provider.dataSources)[type];
  if (!shape) throw new HclRenderError(`${context.stack}: the schema of ${sources[localName] ?? localName} has no ${kind === "resource" ? "resource" : "data source"} type ${type}`);
  return shape;
}

function terraformBlock(value: Json, context: HclRenderContext): string {
  if (!isObject(value)) throw new HclRenderError(`${context.stack}: terraform must be an object`);
  const lines: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (name === "//") continue;
    if (name === "required_providers") {
      if (!isObject(v)) throw new HclRenderError(`${context.stack}: terraform.required_providers must be an object`);
      lines.push(block("required_providers", Object.entries(v).map(([local, req]) => attribute(local, req, INDENT + INDENT)), INDENT));
    } else if (name === "backend") {
      if (!isObject(v)) throw new HclRenderError(`${context.stack}: terraform.backend must be an object`);
      for (const [type, config] of Object.entries(v)) {
        if (!isObject(config)) throw new HclRenderError(`${context.stack}: terraform.backend.${type} must be an object`);
        lines.push(block(blockHeader("backend", [type]), bodyLines(config, FLAT, INDENT + INDENT, `terraform.backend.${type}`), INDENT));
      }
    } else if (name === "required_version") {
      lines.push(attribute(name, v, INDENT));
    } else {
      throw new HclRenderError(`${context.stack}: terraform.${name} is not supported by kubeplane's HCL rendering`);
    }
  }
  return block("terraform", lines, "");
}

function labelled(value: Json, what: string, context: HclRenderContext): [string, JsonObject[]][] {
  if (!isObject(value)) throw new HclRenderError(`${context.stack}: ${what} must be an object`);
  return Object.entries(value).map(([label, bodies]) => {
    const list = Array.isArray(bodies) ? bodies : [bodies];
    for (const b of list) if (!isObject(b)) throw new HclRenderError(`${context.stack}: ${what} "${label}" must be an object`);
    return [label, list as JsonObject[]];
  });
}

/**
 * Renders a Terraform JSON configuration (one stack's `cdk.tf.json`) as one native-syntax file.
 * Throws HclRenderError, naming the stack and the place, for what it cannot render exactly.
 */
export function renderHcl(config: unknown, context: HclRenderContext): string {
  if (!isObject(config as Json)) throw new HclRenderError(`${context.stack}: the configuration must be a JSON object`);
  const root = config as JsonObject;
  const unknown = Object.keys(root).filter((k) => k !== "//" && !(TOP_LEVEL as readonly string[]).includes(k));
  if (unknown.length > 0) throw new HclRenderError(`${context.stack}: ${unknown.map((k) => `"${k}"`).join(", ")} not supported by kubeplane's HCL rendering`);
  const sources = requiredProviderSources(root);
  const out: string[] = [];
  for (const kind of TOP_LEVEL) {
    const value = root[kind];
    if (value === undefined) continue;
    if (kind === "terraform") {
      out.push(terraformBlock(value, context));
    } else if (kind === "provider") {
      for (const [name, bodies] of labelled(value, "provider", context)) {
        const shape = providerShapes(context, sources, name, `provider ${name}`).provider;
        for (const body of bodies) out.push(block(blockHeader("provider", [name]), bodyLines(body, shape, INDENT, `provider.${name}`), ""));
      }
    } else if (kind === "variable") {
      for (const [name, [body]] of labelled(value, "variable", context)) {
        const lines = Object.entries(body).map(([k, v]) => {
          if (k === "type") {
            if (typeof v !== "string") throw new HclRenderError(`${context.stack}: variable ${name}: type must be a string`);
            return `${INDENT}type = ${v}`;
          }
          if (k === "validation") throw new HclRenderError(`${context.stack}: variable ${name}: validation is not supported by kubeplane's HCL rendering`);
          return attribute(k, v, INDENT);
        });
        out.push(block(blockHeader("variable", [name]), lines, ""));
      }
    } else if (kind === "locals") {
      const locals = (Array.isArray(value) ? value : [value]) as Json[];
      for (const l of locals) {
        if (!isObject(l)) throw new HclRenderError(`${context.stack}: locals must be an object`);
        out.push(block("locals", Object.entries(l).map(([k, v]) => attribute(k, v, INDENT)), ""));
      }
    } else if (kind === "data" || kind === "resource") {
      for (const [type, byName] of labelled(value, kind, context)) {
        for (const [name, [body]] of labelled(byName[0], `${kind} ${type}`, context)) {
          const where = `${kind === "data" ? "data." : ""}${type}.${name}`;
          const shape = resourceShape(context, sources, kind, type, body);
          out.push(block(blockHeader(kind, [type, name]), resourceBody(body, shape, `${context.stack}: ${where}`), ""));
        }
      }
    } else if (kind === "output") {
      for (const [name, [body]] of labelled(value, "output", context)) {
        const lines = Object.entries(body).map(([k, v]) => {
          if (k === "depends_on") return `${INDENT}depends_on = ${referenceList(v, INDENT, `output.${name}.depends_on`)}`;
          if (k === "precondition") throw new HclRenderError(`${context.stack}: output ${name}: precondition is not supported by kubeplane's HCL rendering`);
          return attribute(k, v, INDENT);
        });
        out.push(block(blockHeader("output", [name]), lines, ""));
      }
    }
  }
  return `${out.join("\n\n")}\n`;
}
