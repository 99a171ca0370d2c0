/** The wiring of `kubeplane synth --hcl` and `kubeplane bootstrap` (cli/commands/synth-hcl.ts, bootstrap.ts). */
import { existsSync, mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { runKubeplane } from "../../../cli/kubeplane";

jest.setTimeout(120_000);

async function kubeplane(args: string[], env: NodeJS.ProcessEnv = process.env) {
  let stdout = "";
  let stderr = "";
  const code = await runKubeplane(args, { env, stdout: { write: (c) => (stdout += String(c)) }, stderr: { write: (c) => (stderr += String(c)) } });
  return { code, stdout, stderr };
}

test("synth --hcl takes stack globs, not cdktf options", async () => {
  expect(await kubeplane(["synth", "--hcl", "dev-*", "--output", "x"])).toEqual({
    code: 1,
    stdout: "",
    stderr: "kubeplane: synth --hcl takes stack names or globs, not cdktf options: --output\n",
  });
});

test("synth --hcl fails loudly when synthesis fails, and writes nothing", async () => {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), "kubeplane-hcl-cli-")), "out");
  const run = await kubeplane(["synth", "--hcl"], { ...process.env, KUBEPLANE_CLUSTERS: path.join(outdir, "missing.yaml"), CDKTF_OUTDIR: outdir });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^kubeplane: cdktf synth failed \(exit 1\):/);
  expect(run.stderr).toContain("missing.yaml");
  expect(run.stdout).toBe("");
  expect(existsSync(path.join(outdir, "hcl"))).toBe(false);
});

test("bootstrap needs a region and says what it makes", async () => {
  const missing = await kubeplane(["bootstrap"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("kubeplane: missing required argument 'region'");
  const help = await kubeplane(["bootstrap", "--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--bucket <name>[\s\S]*--state-dir <dir>[\s\S]*--auto-approve/);
  expect(help.stdout).toContain("kubeplane bootstrap eu-west-1 --bucket acme-kubeplane-state --auto-approve");
});

test("bootstrap refuses a region AWS does not have before it applies anything", async () => {
  const directory = mkdtempSync(path.join(tmpdir(), "kubeplane-bootstrap-cli-"));
  const run = await kubeplane(["bootstrap", "eu-nowhere-1", "--state-dir", directory, "--auto-approve"], { ...process.env, CDKTF_OUTDIR: path.join(directory, "out") });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('kubeplane: AwsStateBucket kubeplane-bootstrap-eu-nowhere-1/state-store: region "eu-nowhere-1" is not an AWS region kubeplane knows');
});
