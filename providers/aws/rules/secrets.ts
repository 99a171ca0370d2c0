/** What a secret looks like in text kubeplane writes into Terraform (user data, parameter values). */
import { gunzipSync } from "zlib";
import { blocks } from "../../../rules/rule";
import { parseReference, StackView } from "../../../rules/stack-view";

/** A kind of secret and how to spot it. */
interface Detector {
  readonly what: string;
  readonly pattern: RegExp;
}

const DETECTORS: readonly Detector[] = [
  { what: "a kubeadm bootstrap token", pattern: /(?<![A-Za-z0-9.])[a-z0-9]{6}\.[a-z0-9]{16}(?![A-Za-z0-9])/ },
  { what: "a kubeadm certificate key", pattern: /certificate[-_ ]?key["']?\s*[:= ]\s*["']?[0-9a-f]{64}\b/i },
  { what: "a private key", pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/ },
  { what: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "an AWS secret access key", pattern: /aws_secret_access_key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i },
];

/** Kinds of secret found in `text` (empty when none). */
export function secretsIn(text: string): string[] {
  return DETECTORS.filter((d) => d.pattern.test(text)).map((d) => d.what);
}

/** True for a value that is, by itself, a kubeadm certificate key (64 hex digits). */
export function isCertificateKey(text: string): boolean {
  return /^\s*[0-9a-f]{64}\s*$/.test(text);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length < 8 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const bytes = Buffer.from(compact, "base64");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch {
      return undefined;
    }
  }
  const decoded = bytes.toString("utf8");
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(decoded) ? decoded : undefined;
}

const BASE64ENCODE_CALL = /^\$\{(?:base64encode|base64gzip)\((.*)\)\}$/s;

/** `${local.name}` inside a string, but not an escaped `$${local.name}` (a literal in Terraform). */
const LOCAL_INTERPOLATION = /(?<!\$)\$\{\s*local\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}/g;

/**
 * `text` with every `${local.x}` replaced by the local's value (itself expanded, up to a few
 * levels; a local that refers back to itself is left as it is), so that a secret held in a local
 * shows wherever it is interpolated: `--token ${local.token}` reads as the token.
 */
export function expandLocals(text: string, view: StackView, depth = 0): string {
  return text.replace(LOCAL_INTERPOLATION, (whole, name: string) => {
    const value = view.local(name);
    if (typeof value === "string") return depth < 8 ? expandLocals(value, view, depth + 1) : value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return whole;
  });
}

/**
 * The text of a user data attribute: literal, base64 (optionally gzipped), `${base64encode(local.x)}`,
 * `${base64encode("...")}`, `${local.x}`, or a `cloudinit_config` data source, with the locals
 * it interpolates (`--token ${local.x}`) filled in. Undefined when it cannot be read.
 */
export function userDataText(value: unknown, view: StackView, encoded: boolean): string | undefined {
  const text = rawUserDataText(value, view, encoded);
  return text === undefined ? undefined : expandLocals(text, view);
}

function rawUserDataText(value: unknown, view: StackView, encoded: boolean): string | undefined {
  if (typeof value !== "string") return undefined;
  const call = BASE64ENCODE_CALL.exec(value);
  if (call) {
    const arg = call[1].trim();
    const local = /^local\.([^.\s)]+)$/.exec(arg);
    if (local) {
      const text = view.local(local[1]);
      return typeof text === "string" ? text : undefined;
    }
    if (arg.startsWith('"')) {
      try {
        return JSON.parse(arg) as string;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  const ref = parseReference(value);
  if (ref?.kind === "local") {
    const text = view.local(ref.name);
    return typeof text === "string" ? text : undefined;
  }
  if (ref?.kind === "data" && ref.type === "cloudinit_config") {
    const config = view.dataSource(`${ref.type}.${ref.name}`);
    if (!config) return undefined;
    return blocks(config.part)
      .map((p) => (typeof p.content === "string" ? p.content : ""))
      .join("\n");
  }
  if (ref) return undefined;
  if (encoded) return decodeBase64(value);
  return value;
}
