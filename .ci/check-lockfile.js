#!/usr/bin/env node
/**
 * Fails (exit 1, naming what is missing) when package-lock.json would make `npm ci` fail on
 * another machine: when a locked package lists an optional dependency (a platform's prebuilt
 * binary: @swc/core-darwin-arm64, @unrs/resolver-binding-*, ...) that the lock does not hold, or
 * when package.json asks for a dependency the lock does not record. npm writes only what it
 * resolved, so a lock written where the registry serves only this platform's binaries lacks the
 * others, and npm 11's `npm ci` then rejects it as out of sync with package.json.
 * The fix it prints: `npm install --package-lock-only --no-audit --no-fund` with the full registry.
 *
 * Run by `npm test` before anything else (`node .ci/check-lockfile.js [package-dir]`); the
 * check itself is `lockfileProblems`, tested in __tests__/unit/cli/lockfile-check.test.ts.
 * Plain Node (no dependencies), so it runs even when node_modules is broken.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * Where Node would find `name` from the package at `location` ("node_modules/a/node_modules/b"):
 * its own node_modules, then each enclosing package's, then the root's. Undefined when the lock
 * holds it nowhere on that path.
 */
function resolveInLock(packages, location, name) {
  let base = location;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const enclosing = base.lastIndexOf("/node_modules/");
    base = enclosing < 0 ? "" : base.slice(0, enclosing);
  }
}

/** Every problem of `lock` (parsed package-lock.json, lockfileVersion 2 or 3) against `manifest` (parsed package.json). */
function lockfileProblems(lock, manifest) {
  const problems = [];
  const packages = lock.packages;
  if (!packages || typeof packages !== "object") {
    return [`package-lock.json has no "packages" section (lockfileVersion ${lock.lockfileVersion}); npm 7 or later writes it`];
  }
  const root = packages[""] || {};
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    for (const [name, spec] of Object.entries(manifest[field] || {})) {
      if (!root[field] || root[field][name] !== spec) {
        problems.push(`package.json's ${field} has ${name}@${spec}, but the lock records ${root[field] && root[field][name] ? `${name}@${root[field][name]}` : "no such dependency"}`);
      } else if (!resolveInLock(packages, "", name) && field !== "optionalDependencies") {
        problems.push(`package.json's ${field} has ${name}, but the lock holds no node_modules/${name}`);
      }
    }
  }
  for (const [location, entry] of Object.entries(packages)) {
    if (location === "" || entry.link) continue;
    for (const name of Object.keys(entry.optionalDependencies || {})) {
      if (!resolveInLock(packages, location, name)) {
        const locked = location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
        problems.push(`${locked}@${entry.version} lists the optional dependency ${name}, which the lock does not hold`);
      }
    }
  }
  return problems;
}

function main(directory) {
  const read = (file) => JSON.parse(fs.readFileSync(path.join(directory, file), "utf8"));
  const problems = lockfileProblems(read("package-lock.json"), read("package.json"));
  if (problems.length === 0) return 0;
  process.stderr.write(
    `kubeplane: package-lock.json is incomplete, so \`npm ci\` fails on a clean clone:\n` +
      problems.map((p) => `  - ${p}\n`).join("") +
      `Write a complete lock (every platform's optional binaries) with the full registry:\n` +
      `  npm install --package-lock-only --no-audit --no-fund\n` +
      `and commit package-lock.json.\n`,
  );
  return 1;
}

module.exports = { lockfileProblems, resolveInLock };

if (require.main === module) {
  process.exitCode = main(path.resolve(process.argv[2] || path.join(__dirname, "..")));
}
