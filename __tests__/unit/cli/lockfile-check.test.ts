/**
 * `npm test` starts with `.ci/check-lockfile.js`: a lock that lacks another platform's optional
 * binary (what made `npm ci` fail on a clean clone: @swc/core-darwin-arm64,
 * @unrs/resolver-binding-*) or disagrees with package.json fails with the package named.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

interface Lock {
  lockfileVersion: number;
  packages: Record<string, { version?: string; optionalDependencies?: Record<string, string>; link?: boolean; [k: string]: unknown }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lockfileProblems } = require("../../../.ci/check-lockfile.js") as {
  lockfileProblems: (lock: Lock, manifest: Record<string, unknown>) => string[];
};

const CHECKER = path.join(PROJECT_ROOT, ".ci", "check-lockfile.js");
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as T;
const lock = () => readJson<Lock>("package-lock.json");
const manifest = () => readJson<Record<string, unknown>>("package.json");

describe("the lockfile check", () => {
  test("the committed lock is complete (npm ci passes on a clean clone)", () => {
    expect(lockfileProblems(lock(), manifest())).toEqual([]);
  });

  test("a lock without another platform's swc binary names the package and who wants it", () => {
    const incomplete = lock();
    const swc = incomplete.packages["node_modules/@swc/core"];
    expect(swc.optionalDependencies).toHaveProperty("@swc/core-darwin-arm64");
    delete incomplete.packages["node_modules/@swc/core-darwin-arm64"];
    expect(lockfileProblems(incomplete, manifest())).toEqual([
      `@swc/core@${swc.version} lists the optional dependency @swc/core-darwin-arm64, which the lock does not hold`,
    ]);
  });

  test("an optional dependency is found where Node would find it: nested first, then enclosing, then root", () => {
    const nested: Lock = {
      lockfileVersion: 3,
      packages: {
        "": {},
        "node_modules/a": { version: "1.0.0" },
        "node_modules/a/node_modules/b": { version: "2.0.0", optionalDependencies: { c: "1", d: "1", e: "1" } },
        "node_modules/a/node_modules/b/node_modules/c": { version: "1.0.0" },
        "node_modules/a/node_modules/d": { version: "1.0.0" },
      },
    };
    expect(lockfileProblems(nested, {})).toEqual(["b@2.0.0 lists the optional dependency e, which the lock does not hold"]);
    nested.packages["node_modules/e"] = { version: "1.0.0" };
    expect(lockfileProblems(nested, {})).toEqual([]);
  });

  test("a dependency in package.json that the lock does not record is named", () => {
    const m = manifest() as { dependencies: Record<string, string> };
    m.dependencies = { ...m.dependencies, "left-pad": "^1.3.0" };
    expect(lockfileProblems(lock(), m)).toEqual(["package.json's dependencies has left-pad@^1.3.0, but the lock records no such dependency"]);
  });

  test("run as npm test runs it: exit 1 and what to do, on stderr", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-lock-"));
    const incomplete = lock();
    for (const name of Object.keys(incomplete.packages).filter((k) => k.startsWith("node_modules/@unrs/resolver-binding-darwin"))) {
      delete incomplete.packages[name];
    }
    writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(incomplete));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest()));
    const run = spawnSync(process.execPath, [CHECKER, dir], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^kubeplane: package-lock.json is incomplete/);
    expect(run.stderr).toContain("lists the optional dependency @unrs/resolver-binding-darwin-arm64, which the lock does not hold");
    expect(run.stderr).toContain("npm install --package-lock-only --no-audit --no-fund");
    expect(spawnSync(process.execPath, [CHECKER], { encoding: "utf8" }).status).toBe(0);
  });
});
