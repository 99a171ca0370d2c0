/**
 * The deploy loop's decisions that need no emulator: which flags the cdktf wrapper adds, which
 * stacks a glob selects and in which order, how a JSON plan becomes audit rows, and the audit's
 * exit code. (Pure functions; kept beside the deploy suites they serve.)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { auditExitCode, auditRows, renderTable } from "../../../cli/audit-report";
import { cdktfArguments } from "../../../cli/cdktf-command";
import { plannedChanges } from "../../../cli/plan-changes";
import { readSynthesizedStacks, selectStacks } from "../../../cli/synthesized-app";
import { mirrorCliConfigPath, terraformEnvironment, usesMirrorCliConfig } from "../../../cli/terraform-environment";

describe("the cdktf wrapper", () => {
  const mirrorEnv = { TF_CLI_CONFIG_FILE: mirrorCliConfigPath() };

  test("skips the registry-bound provider lock only where providers come from kubeplane's mirror config", () => {
    expect(cdktfArguments("deploy", ["dev-*", "--auto-approve"], mirrorEnv)).toEqual(["deploy", "dev-*", "--auto-approve", "--skip-provider-lock"]);
    expect(cdktfArguments("deploy", ["dev-*"], {})).toEqual(["deploy", "dev-*"]);
    expect(cdktfArguments("deploy", ["dev-*"], { TF_CLI_CONFIG_FILE: "/home/me/.terraformrc" })).toEqual(["deploy", "dev-*"]);
    expect(cdktfArguments("synth", [], mirrorEnv)).toEqual(["synth"]);
    expect(cdktfArguments("destroy", ["x", "--skip-provider-lock"], mirrorEnv)).toEqual(["destroy", "x", "--skip-provider-lock"]);
  });

  test("synthesizes into CDKTF_OUTDIR unless --output is given", () => {
    expect(cdktfArguments("diff", ["dev-cluster"], { CDKTF_OUTDIR: "/tmp/out" })).toEqual(["diff", "dev-cluster", "--output", "/tmp/out"]);
    expect(cdktfArguments("diff", ["dev-cluster", "-o", "elsewhere"], { CDKTF_OUTDIR: "/tmp/out" })).toEqual(["diff", "dev-cluster", "-o", "elsewhere"]);
    expect(cdktfArguments("diff", ["dev-cluster", "--output=x"], { CDKTF_OUTDIR: "/tmp/out" })).toEqual(["diff", "dev-cluster", "--output=x"]);
  });

  test("a user's own existing Terraform CLI config is kept, so the lock is not skipped for them", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-cli-config-"));
    const own = path.join(dir, "terraformrc");
    writeFileSync(own, "");
    const env = terraformEnvironment({ TF_CLI_CONFIG_FILE: own }, dir);
    expect(env.TF_CLI_CONFIG_FILE).toBe(own);
    expect(usesMirrorCliConfig(env, dir)).toBe(false);
  });
});

describe("stack selection", () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-manifest-"));
  const stack = (name: string, dependencies: string[] = []) => ({ name, workingDirectory: `stacks/${name}`, dependencies });
  mkdirSync(outdir, { recursive: true });
  writeFileSync(
    path.join(outdir, "manifest.json"),
    JSON.stringify({ stacks: { "b-cluster": stack("b-cluster", ["b-network"]), "a-cluster": stack("a-cluster", ["a-network"]), "b-network": stack("b-network"), "a-network": stack("a-network") } }),
  );
  const stacks = readSynthesizedStacks(outdir);

  test("orders dependencies first and resolves working directories", () => {
    const names = stacks.map((s) => s.name);
    expect(names.indexOf("a-network")).toBeLessThan(names.indexOf("a-cluster"));
    expect(names.indexOf("b-network")).toBeLessThan(names.indexOf("b-cluster"));
    expect(stacks[0].workingDirectory).toBe(path.join(outdir, "stacks", stacks[0].name));
  });

  test("selects by name and glob, and names patterns that match nothing", () => {
    expect(selectStacks(stacks, ["b-*"]).map((s) => s.name)).toEqual(["b-network", "b-cluster"]);
    expect(selectStacks(stacks, ["a-cluster"]).map((s) => s.name)).toEqual(["a-cluster"]);
    expect(selectStacks(stacks, []).length).toBe(4);
    expect(() => selectStacks(stacks, ["a-*", "c-*"])).toThrow(/no stack matches "c-\*"/);
    expect(() => selectStacks(stacks, ["a.cluster"])).toThrow(/no stack matches "a.cluster"/); // "." is literal
  });
});

describe("audit rows from a JSON plan", () => {
  const plan = {
    resource_drift: [
      { address: "aws_security_group.workers", change: { actions: ["update"], before: { ingress: [], name: "w" }, after: { ingress: [{ from_port: 22 }], name: "w" } } },
    ],
    resource_changes: [
      { address: "aws_security_group.workers", change: { actions: ["update"], before: { ingress: [{ from_port: 22 }], name: "w" }, after: { ingress: [], name: "w" } } },
      { address: "aws_instance.node", change: { actions: ["delete", "create"], before: { ami: "a" }, after: { ami: "b" } } },
      { address: "aws_vpc.main", change: { actions: ["no-op"], before: {}, after: {} } },
      { address: "aws_subnet.new", change: { actions: ["create"], before: null, after: { cidr_block: "10.0.0.0/20" } } },
    ],
    output_changes: { endpoint: { actions: ["update"], before: "a", after: "b" }, same: { actions: ["no-op"] } },
  };

  test("lists every change but no-ops, marking what changed outside Terraform", () => {
    expect(plannedChanges(plan)).toEqual([
      { address: "aws_security_group.workers", change: "update", attributes: ["ingress"], changedOutsideTerraform: true },
      { address: "aws_instance.node", change: "replace", attributes: ["ami"], changedOutsideTerraform: false },
      { address: "aws_subnet.new", change: "create", attributes: [], changedOutsideTerraform: false },
      { address: "output.endpoint", change: "update", attributes: [], changedOutsideTerraform: false },
    ]);
  });

  test("renders a table and exits 0 clean, 2 drifted, 1 failed", () => {
    const drifted = { stack: "dev-cluster", status: "drifted" as const, changes: plannedChanges(plan) };
    const clean = { stack: "dev-network", status: "clean" as const, changes: [] };
    const failed = { stack: "x-cluster", status: "failed" as const, changes: [], error: "╷\n│ Error: Error acquiring the state lock\n" };
    const table = renderTable(auditRows([clean, drifted, failed]));
    expect(table.split("\n")[0]).toMatch(/^STACK\s+ADDRESS\s+CHANGE\s+DETAIL$/);
    expect(table).toMatch(/^dev-cluster\s+aws_security_group\.workers\s+update\s+changed outside Terraform: ingress$/m);
    expect(table).toMatch(/^x-cluster\s+-\s+error\s+Error: Error acquiring the state lock$/m);
    expect(auditExitCode([clean])).toBe(0);
    expect(auditExitCode([clean, drifted])).toBe(2);
    expect(auditExitCode([drifted, failed])).toBe(1);
  });
});
