import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { findProviderMirror, renderMirrorCliConfig, terraformEnvironment } from "../../../cli/terraform-environment";

function fakeMirror(): string {
  const mirror = mkdtempSync(path.join(tmpdir(), "mirror-"));
  mkdirSync(path.join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64"), { recursive: true });
  return mirror;
}

describe("terraformEnvironment", () => {
  test("with a mirror and no user CLI config, writes a config that takes mirrored providers from the mirror", () => {
    const mirror = fakeMirror();
    const root = mkdtempSync(path.join(tmpdir(), "project-"));
    const env = terraformEnvironment({ KUBEPLANE_PROVIDER_MIRROR: mirror, TF_CLI_CONFIG_FILE: "/nonexistent/.terraformrc" }, root);
    expect(env.TF_CLI_CONFIG_FILE).toBe(path.join(root, ".kubeplane", "terraform-mirror.tfrc"));
    const config = readFileSync(env.TF_CLI_CONFIG_FILE!, "utf8");
    expect(config).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(config).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
    expect(config).toContain('exclude = ["registry.terraform.io/hashicorp/aws"]');
    expect(env.CHECKPOINT_DISABLE).toBe("1");
  });

  test("a user's own existing CLI config wins", () => {
    const userConfig = path.join(mkdtempSync(path.join(tmpdir(), "user-")), "terraformrc");
    writeFileSync(userConfig, "# mine\n");
    const env = terraformEnvironment({ KUBEPLANE_PROVIDER_MIRROR: fakeMirror(), TF_CLI_CONFIG_FILE: userConfig }, mkdtempSync(path.join(tmpdir(), "p-")));
    expect(env.TF_CLI_CONFIG_FILE).toBe(userConfig);
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
