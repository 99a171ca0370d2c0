/**
 * containerd.sh writes containerd's configuration whole, for the installed major version, and the
 * real containerd binary on this machine reads it back with the systemd cgroup driver and kubeadm's
 * pause image. The `containerd config default` fixtures show why editing the default is unsafe.
 */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { runWithModules, scratchRoot } from "./node-module-shell";

const FIXTURES = path.join(__dirname, "../../support/fixtures/containerd");
const PAUSE = "registry.k8s.io/pause:3.10.2";
const ENV = { KUBEPLANE_CLUSTER_ENV: "/dev/null" };

/** A directory whose `containerd` prints `versionLine` for --version and records its arguments. */
function fakeContainerd(versionLine: string): { bin: string; calls: string } {
  const bin = mkdtempSync(path.join(os.tmpdir(), "kubeplane-fake-containerd-"));
  const calls = path.join(bin, "calls");
  writeFileSync(calls, "");
  for (const name of ["containerd", "systemctl"]) {
    const script = `#!/bin/sh\necho "${name} $*" >>"${calls}"\n[ "${name} $1" = "containerd --version" ] && echo '${versionLine}'\nexit 0\n`;
    writeFileSync(path.join(bin, name), script);
    chmodSync(path.join(bin, name), 0o755);
  }
  return { bin, calls };
}

function major(versionLine: string) {
  const { bin } = fakeContainerd(versionLine);
  return runWithModules(["installers/containerd.sh"], "containerd_major", { ...ENV, PATH: `${bin}:${process.env.PATH}` });
}

/** The lines of a TOML table (up to the next table header). */
function table(toml: string, header: string): string[] {
  const lines = toml.split("\n");
  const start = lines.findIndex((line) => line.trim() === header);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim().startsWith("["));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((line) => line.trim());
}

describe("containerd's major version from `containerd --version`", () => {
  // Formats: cmd/containerd/command/main.go prints App.Name, version.Package, App.Version and
  // version.Revision (release/1.7 and release/2.x); version/version.go's Package is
  // github.com/containerd/containerd in 1.x and github.com/containerd/containerd/v2 in 2.x.
  test.each([
    ["1", "containerd github.com/containerd/containerd v1.7.28 b98a3aace656320842a23f4a392a33f46af97866"],
    ["2", "containerd github.com/containerd/containerd/v2 v2.1.4 75cb2b7193e4e490e9fbdc236c0e811ccaba3376"],
    ["2", "containerd github.com/containerd/containerd/v2 2.2.1"],
    ["1", "containerd github.com/containerd/containerd 1.6.20~ds1"],
  ])("%s.x from '%s'", (expected, line) => {
    const run = major(line);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(expected);
  });

  test("the real binary on this machine", () => {
    const printed = execFileSync("containerd", ["--version"], { encoding: "utf8" });
    const run = runWithModules(["installers/containerd.sh"], "containerd_major", ENV);
    expect(run.stdout.trim()).toBe(/ v?(\d+)\./.exec(printed)?.[1]);
  });

  test("output it cannot read stops with a clear message", () => {
    const run = major("containerd: command not understood");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("cannot tell the containerd version from 'containerd --version'");
  });
});

describe("the configuration kubeplane writes", () => {
  test("the real containerd loads it with SystemdCgroup = true, runc v2 and kubeadm's pause image", () => {
    const printed = execFileSync("containerd", ["--version"], { encoding: "utf8" });
    const root = scratchRoot();
    const run = runWithModules(
      ["installers/containerd.sh"],
      'containerd_config "$PAUSE" "$(containerd_major)" >"$KUBEPLANE_ROOT/config.toml"',
      { ...ENV, PAUSE },
      root,
    );
    expect(run.stderr).toBe("");
    const file = path.join(root, "config.toml");
    const dump = spawnSync("containerd", ["--config", file, "config", "dump"], { encoding: "utf8" });
    expect(dump.stderr).toBe("");
    expect(dump.status).toBe(0);
    if (/ v?1\./.test(printed)) {
      expect(readFileSync(file, "utf8").startsWith("version = 2\n")).toBe(true);
      expect(table(dump.stdout, '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]')).toContain("SystemdCgroup = true");
      expect(table(dump.stdout, '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]')).toContain('runtime_type = "io.containerd.runc.v2"');
      expect(table(dump.stdout, '[plugins."io.containerd.grpc.v1.cri"]')).toContain(`sandbox_image = "${PAUSE}"`);
    } else {
      expect(readFileSync(file, "utf8").startsWith("version = 3\n")).toBe(true);
      expect(table(dump.stdout, "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]")).toContain("SystemdCgroup = true");
      expect(table(dump.stdout, "[plugins.'io.containerd.cri.v1.images'.pinned_images]")).toContain(`sandbox = '${PAUSE}'`);
    }
  });

  test("a runc table without runtime_type loses it in 1.x: why the file names it", () => {
    const printed = execFileSync("containerd", ["--version"], { encoding: "utf8" });
    if (!/ v?1\./.test(printed)) return;
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-containerd-"));
    const file = path.join(dir, "config.toml");
    writeFileSync(file, 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n');
    const dump = execFileSync("containerd", ["--config", file, "config", "dump"], { encoding: "utf8" });
    expect(table(dump, '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]')).toContain('runtime_type = ""');
  });

  test.each([
    ["1", "version = 2", ['[plugins."io.containerd.grpc.v1.cri"]', 'sandbox_image = "registry.k8s.io/pause:3.10.2"', "SystemdCgroup = true"]],
    ["2", "version = 3", ["[plugins.'io.containerd.cri.v1.images'.pinned_images]", "sandbox = 'registry.k8s.io/pause:3.10.2'", "SystemdCgroup = true"]],
  ])("containerd %s.x gets %s with the CRI plugins of that series", (majorVersion, version, expected) => {
    const run = runWithModules(["installers/containerd.sh"], 'containerd_config "$PAUSE" "$MAJOR"', { ...ENV, PAUSE, MAJOR: majorVersion });
    const lines = run.stdout.split("\n").map((l) => l.trim());
    expect(lines[0]).toBe(version);
    for (const line of expected) expect(lines).toContain(line);
  });

  test("containerd_configure writes the file for the installed containerd and restarts it, without asking for its default config", () => {
    const { bin, calls } = fakeContainerd("containerd github.com/containerd/containerd/v2 2.1.3");
    const root = scratchRoot();
    const run = runWithModules(["installers/containerd.sh"], 'containerd_configure "$PAUSE"', { ...ENV, PAUSE, PATH: `${bin}:${process.env.PATH}` }, root);
    expect(run.status).toBe(0);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual(["containerd --version", "systemctl restart containerd"]);
    const written = readFileSync(path.join(root, "etc/containerd/config.toml"), "utf8");
    expect(table(written, "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]").filter((l) => l !== "")).toEqual(["SystemdCgroup = true"]);
  });
});

describe("why not sed-edit `containerd config default`", () => {
  // The edit the kubeadm installer used to make.
  const sedEdit = (file: string) => execFileSync("sed", ["s/SystemdCgroup = false/SystemdCgroup = true/", file], { encoding: "utf8" });

  test("on 1.x's default config (the real Debian binary's) the edit takes", () => {
    expect(sedEdit(path.join(FIXTURES, "config-default-1.6.20-debian.toml"))).toContain("SystemdCgroup = true");
  });

  test("on 2.1.0-2.1.4's default config there is no SystemdCgroup line to edit: the node would keep cgroupfs", () => {
    const edited = sedEdit(path.join(FIXTURES, "runc-options-default-2.1.toml"))
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .join("\n");
    expect(edited).not.toContain("SystemdCgroup");
    expect(edited).toContain("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]");
  });
});
