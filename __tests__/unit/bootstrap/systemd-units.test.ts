/**
 * The systemd units nodes install, checked by the real `systemd-analyze verify` (Debian's systemd)
 * in a root laid out as the node's: the units and scripts exactly as a control-plane node's user
 * data writes them, and the distribution's own units (timers.target, sysinit.target ...) beside
 * them. It catches unknown keys, bad values, and an ExecStart that names no executable the user
 * data installs.
 */
import { spawnSync } from "child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { renderUserData } from "../../../bootstrap/user-data";
import { contextFor, INSTALLERS, readCloudConfig, RenderedFile } from "./rendering-fixtures";

/** Where Debian keeps the distribution's units. */
const SYSTEM_UNITS = "/lib/systemd/system";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "kubeplane-systemd-"));
  mkdirSync(path.join(root, "usr/lib/systemd"), { recursive: true });
  cpSync(SYSTEM_UNITS, path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function install(nodeRoot: string, files: readonly RenderedFile[]): void {
  for (const file of files) {
    const target = path.join(nodeRoot, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.text);
    chmodSync(target, parseInt(file.permissions, 8));
  }
}

/** `systemd-analyze verify` of `units` (paths on the node) in `nodeRoot`: its status and everything it printed. */
function verify(nodeRoot: string, units: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync("systemd-analyze", ["verify", `--root=${nodeRoot}`, ...units], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function nodeRootWith(name: string, files: readonly RenderedFile[]): string {
  const nodeRoot = path.join(root, name);
  cpSync(path.join(root, "usr"), path.join(nodeRoot, "usr"), { recursive: true, verbatimSymlinks: true });
  install(nodeRoot, files);
  return nodeRoot;
}

describe.each(INSTALLERS)("the control-plane units of a %s node", (installer) => {
  const files = readCloudConfig(renderUserData(contextFor("control-plane-init", installer))).files;
  const units = files.filter((f) => f.path.startsWith("/etc/systemd/system/")).map((f) => f.path);

  test("there are units to check", () => {
    expect(units).toEqual(expect.arrayContaining(["/etc/systemd/system/kubeplane-join-lease.timer"]));
  });

  test("systemd-analyze verify finds nothing wrong", () => {
    const nodeRoot = nodeRootWith(`ok-${installer}`, files);
    expect(verify(nodeRoot, units)).toEqual({ status: 0, output: "" });
  });
});

describe("the check itself", () => {
  const files = readCloudConfig(renderUserData(contextFor("control-plane-init", "kubeadm"))).files;
  const service = files.find((f) => f.path.endsWith(".service")) as RenderedFile;

  test("reports a unit whose ExecStart names a script the user data does not install", () => {
    const nodeRoot = nodeRootWith("missing-script", [service]);
    const result = verify(nodeRoot, [service.path]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/is not executable: No such file or directory/);
  });

  test("reports an unknown key", () => {
    const broken = { ...service, text: service.text.replace("[Service]", "[Service]\nRestartEvery=5min") };
    const nodeRoot = nodeRootWith("unknown-key", [...files.filter((f) => f !== service), broken]);
    expect(verify(nodeRoot, [service.path]).output).toMatch(/Unknown key 'RestartEvery' in section \[Service\]/);
  });
});
