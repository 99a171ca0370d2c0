import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import {
  DEFAULT_MIRROR_CANDIDATES,
  findProviderMirror,
  mirrorCliConfigPath,
  renderMirrorCliConfig,
  terraformEnvironment,
  userCliConfigFile,
  usesMirrorCliConfig,
} from "../../../cli/terraform-environment";
import { cdktfArguments } from "../../../cli/cdktf-command";

function fakeMirror(): string {
  const mirror = mkdtempSync(path.join(tmpdir(), "mirror-"));
  mkdirSync(path.join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64"), { recursive: true });
  return mirror;
}

/** A home directory of its own per test, optionally with a `.terraformrc`. */
function fakeHome(withTerraformrc = false): string {
  const home = mkdtempSync(path.join(tmpdir(), "home-"));
  if (withTerraformrc) writeFileSync(path.join(home, ".terraformrc"), 'plugin_cache_dir = "/home/me/.terraform.d/plugin-cache"\n');
  return home;
}

const project = () => mkdtempSync(path.join(tmpdir(), "project-"));

describe("terraformEnvironment", () => {
  test("with a mirror and no user CLI config, writes a config that takes mirrored providers from the mirror", () => {
    const mirror = fakeMirror();
    const root = project();
    const env = terraformEnvironment({ HOME: fakeHome(), KUBEPLANE_PROVIDER_MIRROR: mirror }, root, { mirrorCandidates: [] });
    expect(env.TF_CLI_CONFIG_FILE).toBe(mirrorCliConfigPath(root));
    expect(usesMirrorCliConfig(env, root)).toBe(true);
    const config = readFileSync(env.TF_CLI_CONFIG_FILE!, "utf8");
    expect(config).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(config).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
  });

  test("a TF_CLI_CONFIG_FILE that does not exist is replaced by the mirror config (Terraform would read no file at all)", () => {
    const mirror = fakeMirror();
    const root = project();
    // Like this machine: TF_CLI_CONFIG_FILE names ~/.terraformrc, which does not exist.
    const home = fakeHome();
    const env = terraformEnvironment({ HOME: home, KUBEPLANE_PROVIDER_MIRROR: mirror, TF_CLI_CONFIG_FILE: path.join(home, ".terraformrc") }, root, {
      mirrorCandidates: [],
    });
    expect(env.TF_CLI_CONFIG_FILE).toBe(path.join(root, ".kubeplane", "terraform-mirror.tfrc"));
    const config = readFileSync(env.TF_CLI_CONFIG_FILE!, "utf8");
    expect(config).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(config).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
    expect(config).toContain('exclude = ["registry.terraform.io/hashicorp/aws"]');
    expect(env.CHECKPOINT_DISABLE).toBe("1");
  });

  test("a user's own existing TF_CLI_CONFIG_FILE wins: the environment is unchanged", () => {
    const userConfig = path.join(mkdtempSync(path.join(tmpdir(), "user-")), "terraformrc");
    writeFileSync(userConfig, "# mine\n");
    const base = { HOME: fakeHome(), KUBEPLANE_PROVIDER_MIRROR: fakeMirror(), TF_CLI_CONFIG_FILE: userConfig };
    const root = project();
    const env = terraformEnvironment(base, root);
    expect(env).toEqual({ CHECKPOINT_DISABLE: "1", ...base });
    expect(usesMirrorCliConfig(env, root)).toBe(false);
    expect(existsSync(mirrorCliConfigPath(root))).toBe(false);
  });

  test("a user's ~/.terraformrc (no TF_CLI_CONFIG_FILE) wins: the environment is unchanged, the lock is not skipped", () => {
    const base = { HOME: fakeHome(true), KUBEPLANE_PROVIDER_MIRROR: fakeMirror() };
    const root = project();
    const env = terraformEnvironment(base, root);
    expect(env).toEqual({ CHECKPOINT_DISABLE: "1", ...base });
    expect(env.TF_CLI_CONFIG_FILE).toBeUndefined();
    expect(usesMirrorCliConfig(env, root)).toBe(false);
    expect(cdktfArguments("deploy", ["x"], env)).not.toContain("--skip-provider-lock");
    expect(existsSync(mirrorCliConfigPath(root))).toBe(false);
  });

  test("on Windows, a user's %APPDATA%/terraform.rc wins", () => {
    const appdata = mkdtempSync(path.join(tmpdir(), "appdata-"));
    writeFileSync(path.join(appdata, "terraform.rc"), "# mine\n");
    const base = { APPDATA: appdata, KUBEPLANE_PROVIDER_MIRROR: fakeMirror() };
    const env = terraformEnvironment(base, project(), { platform: "win32" });
    expect(env).toEqual({ CHECKPOINT_DISABLE: "1", ...base });
  });

  test("without a mirror, the environment passes through unchanged", () => {
    const base = { HOME: fakeHome(), PATH: "/usr/bin" };
    const root = project();
    const env = terraformEnvironment(base, root, { mirrorCandidates: [] });
    expect(env).toEqual({ CHECKPOINT_DISABLE: "1", ...base });
    expect(existsSync(mirrorCliConfigPath(root))).toBe(false);
  });

  test("Terraform's implicit local mirror directories are not taken for a kubeplane mirror", () => {
    expect(DEFAULT_MIRROR_CANDIDATES).toEqual(["/opt/tf-plugins"]);
    // Even when one holds providers, it is only used when named in KUBEPLANE_PROVIDER_MIRROR.
    const implicit = fakeMirror();
    expect(findProviderMirror({}, [])).toBeUndefined();
    expect(findProviderMirror({ KUBEPLANE_PROVIDER_MIRROR: implicit }, [])).toBe(implicit);
  });

  test("the user's CLI config file is found where Terraform looks for it", () => {
    expect(userCliConfigFile({ HOME: "/home/me" }, "linux")).toBe("/home/me/.terraformrc");
    expect(userCliConfigFile({ HOME: "/home/me", TF_CLI_CONFIG_FILE: "/etc/tf.rc" }, "linux")).toBe("/etc/tf.rc");
    expect(userCliConfigFile({ HOME: "/home/me", TERRAFORM_CONFIG: "/etc/legacy.rc" }, "linux")).toBe("/etc/legacy.rc");
    expect(userCliConfigFile({ APPDATA: "/appdata", HOME: "/home/me" }, "win32")).toBe(path.join("/appdata", "terraform.rc"));
    expect(userCliConfigFile({}, "linux")).toBeUndefined();
  });

  test("a directory without providers is not a mirror", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "empty-"));
    expect(findProviderMirror({ KUBEPLANE_PROVIDER_MIRROR: empty })).not.toBe(empty);
    expect(findProviderMirror({ KUBEPLANE_PROVIDER_MIRROR: fakeMirror() })).toMatch(/mirror-/);
  });

  test("the config lists each mirrored provider in both blocks", () => {
    const config = renderMirrorCliConfig("/m", ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/null"]);
    expect(config).toContain('include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/null"]');
    expect(config).toMatch(/filesystem_mirror \{[\s\S]*\}\n  direct \{\n    exclude = \["registry.terraform.io\/hashicorp\/aws", "registry.terraform.io\/hashicorp\/null"\]/);
  });
});
