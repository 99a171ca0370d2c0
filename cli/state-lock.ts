/**
 * A stack's held state lock: read from Terraform's own lock error (`Error acquiring the state
 * lock` with its `Lock Info:` block, as `statemgr.LockInfo.String()` in Terraform's
 * internal/states/statemgr/locker.go prints it), what kubeplane says about it, and when
 * `kubeplane unlock` may release it. Cloud-neutral: every backend that locks reports a lock so.
 *
 * A deploy killed mid-apply (a cancelled CI runner: SIGKILL) cannot release its lock; with the S3
 * backend's `use_lockfile` the lock is the object `<key>.tflock` and stays until removed.
 */
import { withoutControlSequences } from "./terraform-errors";

/** Locks younger than this may belong to a run that is still working: unlock refuses them without --force. */
export const DEFAULT_UNLOCK_MIN_AGE_MS = 15 * 60_000;

/** Terraform's lock info. */
export interface LockInfo {
  readonly id: string;
  readonly path: string;
  /** e.g. OperationTypeApply */
  readonly operation: string;
  /** user@host of the run that holds it */
  readonly who: string;
  readonly version: string;
  /** When the lock was taken; undefined when Terraform's text could not be read as a time. */
  readonly created?: Date;
  /** The time as Terraform printed it. */
  readonly createdText: string;
}

/**
 * Reads Go's `time.Time.String()` form Terraform prints (`2026-12-02 02:25:09.282973648 +0000
 * UTC`), or RFC 3339 (the lock file's JSON). Undefined when it is neither.
 */
export function parseLockTime(text: string): Date | undefined {
  const go = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})(?: \S+)?$/.exec(text.trim());
  const iso = go ? `${go[1]}T${go[2]}${(go[3] ?? "").slice(0, 4)}${go[4]}:${go[5]}` : text.trim();
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) || !/^\d{4}-/.test(iso) ? undefined : time;
}

/** The lock info in Terraform's lock error (stderr, coloured or not), or undefined when there is none. */
export function parseLockError(stderr: string): LockInfo | undefined {
  const text = withoutControlSequences(stderr)
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, ""))
    .join("\n");
  if (!/Error acquiring the state lock/.test(text)) return undefined;
  const block = text.slice(text.indexOf("Lock Info:"));
  const field = (name: string) => new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, "m").exec(block)?.[1].trim() ?? "";
  const id = field("ID");
  if (!text.includes("Lock Info:") || !id) return undefined;
  const createdText = field("Created");
  const created = parseLockTime(createdText);
  return { id, path: field("Path"), operation: field("Operation"), who: field("Who"), version: field("Version"), createdText, ...(created ? { created } : {}) };
}

/** A duration for people: `40 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h${min % 60 ? ` ${min % 60} min` : ""}`;
  const d = Math.floor(h / 24);
  return `${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

/** Terraform's operation name for people: `OperationTypeApply` → `apply`. */
function operationName(operation: string): string {
  return operation.replace(/^OperationType/, "").toLowerCase() || "an operation";
}

/** Who holds the lock, for what, and since when: `root@vm (apply, since 2026-… UTC, 3 min ago; lock ID …)`. */
export function describeLock(lock: LockInfo, now: Date): string {
  const since = lock.created ? `since ${lock.created.toISOString()}, ${formatAge(now.getTime() - lock.created.getTime())} ago` : `since ${lock.createdText || "an unknown time"}`;
  return `${lock.who || "an unknown run"} (${operationName(lock.operation)}, ${since}; lock ID ${lock.id})`;
}

/**
 * What `deploy`, `diff`, `destroy` and `audit` say when a stack's state is locked: which stack,
 * who holds it since when, and what to do.
 */
export function heldLockMessage(command: string, stack: string, lock: LockInfo, now: Date): string[] {
  return [
    `kubeplane ${command}: ${stack}: the Terraform state is locked by ${describeLock(lock, now)}.`,
    `  If that run is still going, wait for it. If it was killed (a cancelled CI job, a lost machine), release the lock: kubeplane unlock ${stack}`,
    `  (unlock refuses a lock younger than ${formatAge(DEFAULT_UNLOCK_MIN_AGE_MS)} unless given --force), then run the ${command} again.`,
  ];
}

/** Whether unlock may release `lock`, and why not. */
export function unlockRefusal(lock: LockInfo, now: Date, force: boolean, minAgeMs: number = DEFAULT_UNLOCK_MIN_AGE_MS): string | undefined {
  if (force) return undefined;
  if (!lock.created) return `the lock's age is unknown (Created: "${lock.createdText}"); pass --force if no run holds it`;
  const age = now.getTime() - lock.created.getTime();
  if (age >= minAgeMs) return undefined;
  return `the lock is ${formatAge(age)} old, younger than ${formatAge(minAgeMs)}: a deploy may still be running. Pass --force if you know it is not`;
}
