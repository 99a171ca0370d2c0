/**
 * A held state lock as Terraform reports it: parsed from Terraform 1.11.4's own lock error (colour
 * and plain), its age, what kubeplane says, and when unlock refuses.
 */
import { readFileSync } from "fs";
import * as path from "path";
import {
  DEFAULT_UNLOCK_MIN_AGE_MS,
  describeLock,
  formatAge,
  heldLockMessage,
  parseLockError,
  parseLockTime,
  unlockRefusal,
} from "../../../cli/state-lock";

const FIXTURES = path.join(__dirname, "fixtures");
/**
 * Real Terraform 1.11.4 stderr of `terraform plan [-no-color] -lock-timeout=0s` with the S3 backend
 * (`use_lockfile`) on moto_server 5.2.1, while the lock file of an `apply` killed with SIGKILL
 * stayed in the bucket; the lock file itself, as Terraform wrote it, is the .json fixture.
 */
const PLAIN = readFileSync(path.join(FIXTURES, "terraform-1.11.4-s3-lock-held-no-color.stderr"), "utf8");
const COLOUR = readFileSync(path.join(FIXTURES, "terraform-1.11.4-s3-lock-held-color.stderr"), "utf8");
const LOCK_FILE = JSON.parse(readFileSync(path.join(FIXTURES, "terraform-1.11.4-s3-lockfile.json"), "utf8"));
const DATA_SOURCE_ERROR = readFileSync(path.join(FIXTURES, "terraform-1.11.4-data-source-error-color.stderr"), "utf8");

describe("parseLockError", () => {
  test.each([
    ["plain", PLAIN],
    ["colour", COLOUR],
  ])("reads the lock info of Terraform's lock error (%s), the same as the lock file holds", (_mode, stderr) => {
    const lock = parseLockError(stderr);
    expect(lock).toEqual({
      id: LOCK_FILE.ID,
      path: LOCK_FILE.Path,
      operation: LOCK_FILE.Operation,
      who: LOCK_FILE.Who,
      version: LOCK_FILE.Version,
      createdText: "2026-12-02 02:25:09.282973648 +0000 UTC",
      created: new Date("2026-12-02T02:25:09.282Z"),
    });
    // The same instant as the lock file's RFC 3339 time, to the millisecond.
    expect(lock!.created!.getTime()).toBe(new Date(LOCK_FILE.Created).getTime());
  });

  test("no lock in other errors", () => {
    expect(parseLockError(DATA_SOURCE_ERROR)).toBeUndefined();
    expect(parseLockError("")).toBeUndefined();
  });
});

describe("parseLockTime", () => {
  test("Go's time.String() with offsets, and RFC 3339", () => {
    expect(parseLockTime("2026-12-02 03:25:09.5 +0100 CET")?.toISOString()).toBe("2026-12-02T02:25:09.500Z");
    expect(parseLockTime("2026-12-02 02:25:09 +0000 UTC")?.toISOString()).toBe("2026-12-02T02:25:09.000Z");
    expect(parseLockTime("2026-12-02T02:25:09.282973648Z")?.toISOString()).toBe("2026-12-02T02:25:09.282Z");
    expect(parseLockTime("yesterday")).toBeUndefined();
    expect(parseLockTime("")).toBeUndefined();
  });
});

describe("formatAge", () => {
  test.each([
    [0, "0 s"],
    [59_999, "59 s"],
    [60_000, "1 min"],
    [14 * 60_000 + 59_000, "14 min"],
    [3 * 3600_000 + 5 * 60_000, "3 h 5 min"],
    [2 * 3600_000, "2 h"],
    [50 * 3600_000, "2 d 2 h"],
    [-5_000, "0 s"],
  ])("%d ms is %s", (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe("messages and unlock's decision", () => {
  const lock = parseLockError(PLAIN)!;
  const created = lock.created!.getTime();

  test("describeLock says who, what and since when", () => {
    expect(describeLock(lock, new Date(created + 3 * 3600_000))).toBe(
      "root@vm (apply, since 2026-12-02T02:25:09.282Z, 3 h ago; lock ID e2b61da2-b2f6-0b26-db93-8bb39bb241db)",
    );
    expect(describeLock({ ...lock, created: undefined, createdText: "sometime" }, new Date())).toContain("since sometime;");
  });

  test("the held-lock message names the stack and the command to run", () => {
    const lines = heldLockMessage("destroy", "prod-cluster", lock, new Date(created + 60_000));
    expect(lines[0]).toMatch(/^kubeplane destroy: prod-cluster: the Terraform state is locked by root@vm \(apply, .*1 min ago/);
    expect(lines.join("\n")).toContain("kubeplane unlock prod-cluster");
    expect(lines.join("\n")).toContain("then run the destroy again");
  });

  test("unlock refuses a lock younger than the threshold, unless forced", () => {
    const young = new Date(created + DEFAULT_UNLOCK_MIN_AGE_MS - 1000);
    const old = new Date(created + DEFAULT_UNLOCK_MIN_AGE_MS);
    expect(unlockRefusal(lock, young, false)).toBe(
      "the lock is 14 min old, younger than 15 min: a deploy may still be running. Pass --force if you know it is not",
    );
    expect(unlockRefusal(lock, young, true)).toBeUndefined();
    expect(unlockRefusal(lock, old, false)).toBeUndefined();
    expect(unlockRefusal(lock, new Date(created + 61_000), false, 60_000)).toBeUndefined();
    expect(unlockRefusal({ ...lock, created: undefined }, old, false)).toMatch(/age is unknown/);
  });
});
