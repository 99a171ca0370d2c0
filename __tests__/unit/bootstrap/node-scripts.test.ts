/** The node-side scripts: shellcheck-clean as written and as shipped, strict mode, paths under KUBEPLANE_ROOT. */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";
import { renderUserData } from "../../../bootstrap/user-data";
import { contextFor, INSTALLERS, readCloudConfig } from "./rendering-fixtures";

function scriptsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return scriptsUnder(full);
    return name.endsWith(".sh") ? [full] : [];
  });
}

const SCRIPTS = scriptsUnder(NODE_SOURCE_DIR).map((f) => path.relative(NODE_SOURCE_DIR, f));
const ENTRY_POINTS = ["bootstrap.sh", "mint-kubeconfig.sh", "refresh-join-lease.sh", "etcd-snapshot.sh", "etcd-restore.sh", "drain-on-termination.sh", "bundle/s3.sh", "bundle/gcs.sh"];

function shellcheck(args: string[], cwd: string) {
  return spawnSync("shellcheck", args, { cwd, encoding: "utf8" });
}

test("the node-side scripts are the expected set", () => {
  expect(SCRIPTS.sort()).toEqual(
    [
      "backends/secretsmanager.sh", "backends/ssm.sh", "bootstrap.sh", "common.sh", "installers/containerd.sh", "installers/kubeadm.sh", "installers/kurl.sh",
      "join.sh", "lease.sh", "lock.sh", "metadata/aws.sh", "mint-kubeconfig.sh", "refresh-join-lease.sh", "status.sh",
      "etcd-common.sh", "etcd-tools.sh", "etcd-store/s3.sh", "etcd-snapshot.sh", "etcd-restore.sh", "etcd-members.sh", "etcd-cloud/aws.sh",
      "drain-on-termination.sh", "termination/aws.sh", "bundle/s3.sh",
      "metadata/gcp.sh", "backends/gcp-secret-manager.sh", "bundle/gcs.sh", "termination/gcp.sh", "etcd-cloud/gcp.sh",
    ].sort(),
  );
});

test.each(SCRIPTS)("%s is shellcheck-clean (following what it sources)", (script) => {
  const result = shellcheck(["-x", "-P", "SCRIPTDIR", script], NODE_SOURCE_DIR);
  expect(result.stdout).toBe("");
  expect(result.status).toBe(0);
});

test.each(ENTRY_POINTS)("%s is an executable bash script in strict mode", (script) => {
  const text = readFileSync(path.join(NODE_SOURCE_DIR, script), "utf8");
  expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
  expect(text).toMatch(/^set -euo pipefail$/m);
});

test.each(SCRIPTS.filter((s) => !ENTRY_POINTS.includes(s)))("%s is a module for bash, sourced not run", (script) => {
  const text = readFileSync(path.join(NODE_SOURCE_DIR, script), "utf8");
  expect(text.startsWith("# shellcheck shell=bash")).toBe(true);
});

test("every file system path the scripts touch is under KUBEPLANE_ROOT", () => {
  // Exception: the keyring path apt reads on the node, written into the sources list as-is.
  const allowed = ["keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg"];
  for (const script of SCRIPTS) {
    const lines = readFileSync(path.join(NODE_SOURCE_DIR, script), "utf8").split("\n");
    lines.forEach((line, index) => {
      if (line.trim().startsWith("#") || allowed.some((a) => line.includes(a))) return;
      const stripped = line.replace(/https?:\/\/\S+/g, "");
      const bare = /(^|[\s"'=(<>])\/(etc|var|usr|opt|run|tmp|root|home)\//.exec(stripped);
      expect(bare ? `${script}:${index + 1}: ${line.trim()}` : "").toBe("");
    });
  }
});

test.each(INSTALLERS)("the scripts shipped in %s user data (comments removed) are still shellcheck-clean", (installer) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-shipped-"));
  try {
    const files = readCloudConfig(renderUserData(contextFor("control-plane-init", installer))).files.filter(
      (f) => f.path.endsWith(".sh") || f.path.startsWith("/usr/local/sbin/"),
    );
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const target = path.join(dir, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.text);
    }
    const library = path.join(dir, "usr/local/lib/kubeplane");
    for (const file of files.filter((f) => f.path.endsWith(".sh") || f.path.includes("/sbin/"))) {
      // Entry points follow the shipped modules; SC1091 only for modules of the other installer.
      const result = shellcheck(["-s", "bash", "-x", "-P", library, "-e", "SC1091", path.join(dir, file.path)], dir);
      expect(`${file.path}: ${result.stdout}`).toBe(`${file.path}: `);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the aws CLI retries transient errors: the AWS cloud module, which both AWS backends use, sets the standard retry mode, unless the node sets its own", () => {
  const source = (env: Record<string, string>) =>
    spawnSync("bash", ["-c", '. "$1"; printf "%s %s" "$AWS_RETRY_MODE" "$AWS_MAX_ATTEMPTS"', "bash", path.join(NODE_SOURCE_DIR, "metadata/aws.sh")], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  expect(source({}).stdout).toBe("standard 5");
  expect(source({ AWS_RETRY_MODE: "adaptive", AWS_MAX_ATTEMPTS: "8" }).stdout).toBe("adaptive 8");
});

test("a control-plane node gets the etcd pieces of its cloud and its backup store from their folders (etcd-cloud/<cloud>.sh, etcd-store/<kind>.sh), a worker none", () => {
  const shipped = (role: "control-plane-init" | "worker") =>
    readCloudConfig(renderUserData(contextFor(role, "kubeadm"))).files.map((f) => f.path).filter((p) => p.includes("/etcd"));
  expect(shipped("control-plane-init")).toEqual(
    expect.arrayContaining(["/usr/local/lib/kubeplane/etcd-cloud/aws.sh", "/usr/local/lib/kubeplane/etcd-store/s3.sh", "/usr/local/lib/kubeplane/etcd-common.sh", "/usr/local/lib/kubeplane/etcd-tools.sh", "/usr/local/lib/kubeplane/etcd-members.sh"]),
  );
  expect(shipped("worker")).toEqual([]);
});
