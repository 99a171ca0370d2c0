/**
 * Terraform's error text, recorded by cli/terraform-recorder.sh while cdktf runs Terraform, and
 * reported by kubeplane when cdktf fails (cdktf itself can lose it: see cli/terraform-errors.ts).
 * The recorder runs here for real, around a stand-in terraform that prints and fails as the real
 * one does (its stderr is Terraform 1.11.4's, from the fixtures).
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { failureReport } from "../../../cli/cdktf-command";
import {
  failedInvocations,
  parseRecord,
  readRecords,
  recordingEnvironment,
  renderFailures,
  runningInvocations,
  TERRAFORM_RECORDER,
  terraformSubcommand,
} from "../../../cli/terraform-errors";

const FIXTURES = path.join(__dirname, "fixtures");
/**
 * Real Terraform 1.11.4 stderr, `terraform plan` (colour) of a configuration whose
 * `data "terraform_remote_state"` finds no state (made against moto_server: see the lock fixture).
 */
const DATA_SOURCE_ERROR = readFileSync(path.join(FIXTURES, "terraform-1.11.4-data-source-error-color.stderr"), "utf8");
/**
 * Real Terraform 1.11.4 stderr, `terraform plan -no-color -lock-timeout=0s`, S3 backend with
 * `use_lockfile` on moto_server 5.2.1, while the lock file of an apply killed with SIGKILL was
 * left in the bucket.
 */
const LOCK_ERROR_PLAIN = readFileSync(path.join(FIXTURES, "terraform-1.11.4-s3-lock-held-no-color.stderr"), "utf8");

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "kubeplane-recorder-test-"));
});

/** A stand-in terraform: writes `stdout` and `stderr` as given and exits with `code`. */
function fakeTerraform(name: string, stdout: string, stderr: string, code: number): string {
  const dir = path.join(root, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "out"), stdout);
  writeFileSync(path.join(dir, "err"), stderr);
  const file = path.join(dir, "terraform");
  writeFileSync(file, `#!/usr/bin/env bash\ncat '${dir}/out'\ncat '${dir}/err' >&2\nexit ${code}\n`);
  chmodSync(file, 0o755);
  return file;
}

function runRecorder(stack: string, record: string, binary: string, args: string[]) {
  const cwd = path.join(root, "stacks", stack);
  mkdirSync(cwd, { recursive: true });
  mkdirSync(record, { recursive: true });
  return spawnSync(TERRAFORM_RECORDER, args, {
    cwd,
    encoding: "utf8",
    env: { ...recordingEnvironment({ PATH: process.env.PATH }, record), KUBEPLANE_TERRAFORM_BINARY: binary },
  });
}

describe("terraform-recorder.sh", () => {
  test("does not wait for ever on a process that inherited Terraform's stderr and outlives it", () => {
    const record = path.join(root, "record-linger");
    const dir = path.join(root, "bin-linger");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "terraform");
    // A child that keeps stderr open (as a daemonised helper would) after Terraform has exited.
    writeFileSync(file, "#!/usr/bin/env bash\n(sleep 30 >/dev/null </dev/null) &\necho 'Error: something failed' >&2\nexit 1\n");
    chmodSync(file, 0o755);
    const started = Date.now();
    const cwd = path.join(root, "stacks", "dev-network");
    mkdirSync(cwd, { recursive: true });
    mkdirSync(record, { recursive: true });
    const run = spawnSync(TERRAFORM_RECORDER, ["apply"], {
      cwd,
      encoding: "utf8",
      env: { ...recordingEnvironment({ PATH: process.env.PATH }, record), KUBEPLANE_TERRAFORM_BINARY: file, KUBEPLANE_RECORDER_DRAIN_SECONDS: "1" },
    });
    expect(run.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    const [recorded] = readRecords(record);
    expect(recorded.exitCode).toBe(1);
    expect(recorded.stderr).toContain("Error: something failed");
  });

  test("passes stdout, stderr and the exit code through, and records stderr per stack between start and exit lines", () => {
    const record = path.join(root, "record-1");
    const failing = fakeTerraform("failing", "Plan: 1 to add\n", DATA_SOURCE_ERROR, 1);
    const ok = fakeTerraform("ok", "Terraform has been successfully initialized!\n", "", 0);
    expect(runRecorder("dev-cluster", record, ok, ["init", "-no-color"]).status).toBe(0);
    const run = runRecorder("dev-cluster", record, failing, ["apply", "-auto-approve"]);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 1, stdout: "Plan: 1 to add\n", stderr: DATA_SOURCE_ERROR });

    const runs = readRecords(record);
    expect(runs.map((r) => [r.stack, r.args, r.exitCode])).toEqual([
      ["dev-cluster", "init -no-color", 0],
      ["dev-cluster", "apply -auto-approve", 1],
    ]);
    // Colours gone, the text Terraform wrote kept.
    expect(runs[1].stderr).toContain("│ Error: Unable to find remote state");
    expect(runs[1].stderr).toContain("No stored state was found for the given workspace in the given backend.");
    expect(runs[1].stderr).not.toMatch(/\x1b/);
    expect(failedInvocations(runs).map((r) => r.args)).toEqual(["apply -auto-approve"]);
  });

  test("without a record directory it is Terraform itself", () => {
    const failing = fakeTerraform("plain", "out\n", "err\n", 3);
    const run = spawnSync(TERRAFORM_RECORDER, ["plan"], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH, KUBEPLANE_TERRAFORM_BINARY: failing } });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 3, stdout: "out\n", stderr: "err\n" });
  });

  test("is shellcheck-clean", () => {
    const check = spawnSync("shellcheck", [TERRAFORM_RECORDER], { encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});

describe("recordingEnvironment", () => {
  test("keeps the user's TERRAFORM_BINARY_NAME as the binary the recorder runs", () => {
    expect(recordingEnvironment({ TERRAFORM_BINARY_NAME: "/opt/tofu" }, "/r")).toMatchObject({
      TERRAFORM_BINARY_NAME: TERRAFORM_RECORDER,
      KUBEPLANE_TERRAFORM_BINARY: "/opt/tofu",
      KUBEPLANE_TERRAFORM_RECORD: "/r",
    });
    expect(recordingEnvironment({}, "/r").KUBEPLANE_TERRAFORM_BINARY).toBe("terraform");
  });
});

describe("parseRecord", () => {
  test("reads the recorder's pid from the start line; a run without an exit line whose recorder lives is running", () => {
    const runs = parseRecord("dev-network", `##kubeplane:start## ${process.pid} apply -auto-approve\nStopping operation...\n##kubeplane:start## 999999999 destroy\n`);
    expect(runs.map((r) => [r.args, r.pid, r.exitCode])).toEqual([
      ["apply -auto-approve", process.pid, undefined],
      ["destroy", 999999999, undefined],
    ]);
    expect(runningInvocations(runs).map((r) => r.args)).toEqual(["apply -auto-approve"]);
    expect(runningInvocations(runs, () => false)).toEqual([]);
  });

  test("a run with no exit line (killed) counts as failed", () => {
    const runs = parseRecord("dev-network", "##kubeplane:start## apply -auto-approve\naws_vpc.v: Creating...\n");
    expect(runs).toEqual([{ stack: "dev-network", args: "apply -auto-approve", stderr: "aws_vpc.v: Creating..." }]);
    expect(failedInvocations(runs)).toHaveLength(1);
  });

  test("terraformSubcommand skips leading options", () => {
    expect(terraformSubcommand("-chdir=x apply -auto-approve")).toBe("apply");
    expect(terraformSubcommand("")).toBe("terraform");
  });
});

describe("failureReport", () => {
  const now = new Date("2026-12-02T02:30:10Z");

  test("names the stack and the failed Terraform command, then Terraform's text, indented", () => {
    const lines = failureReport("deploy", [{ stack: "dev-cluster", args: "apply -auto-approve", stderr: "Error: Your query returned no results.\n\n  with data.aws_ami.x", exitCode: 1 }], now);
    expect(lines).toEqual([
      "kubeplane deploy: dev-cluster: terraform apply failed (exit 1); Terraform said:",
      "  Error: Your query returned no results.",
      "",
      "    with data.aws_ami.x",
    ]);
  });

  test("a held lock adds who holds it since when, and kubeplane unlock <stack>", () => {
    const lines = failureReport("deploy", [{ stack: "dev-network", args: "apply -auto-approve -no-color", stderr: LOCK_ERROR_PLAIN, exitCode: 1 }], now);
    expect(lines[0]).toBe("kubeplane deploy: dev-network: terraform apply failed (exit 1); Terraform said:");
    expect(lines).toContain("  Error: Error acquiring the state lock");
    expect(lines.slice(-3)).toEqual([
      "kubeplane deploy: dev-network: the Terraform state is locked by root@vm (apply, since 2026-12-02T02:25:09.282Z, 5 min ago; lock ID e2b61da2-b2f6-0b26-db93-8bb39bb241db).",
      "  If that run is still going, wait for it. If it was killed (a cancelled CI job, a lost machine), release the lock: kubeplane unlock dev-network",
      "  (unlock refuses a lock younger than 15 min unless given --force), then run the deploy again.",
    ]);
  });

  test("nothing when no Terraform run failed", () => {
    expect(failureReport("diff", [{ stack: "dev-cluster", args: "init", stderr: "", exitCode: 0 }], now)).toEqual([]);
    expect(renderFailures("diff", [])).toEqual([]);
  });
});
