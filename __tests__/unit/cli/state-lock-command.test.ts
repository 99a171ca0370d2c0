/**
 * `kubeplane unlock <stack>`'s decisions, with Terraform stood in for by its real output: the
 * probe plan fails with Terraform 1.11.4's lock error (fixture) while a lock is held; unlock then
 * refuses a young lock, releases an old one (or a forced one) with `terraform force-unlock -force
 * <id>` in the stack's directory, and says so. The emulator suite faults.test.ts runs the real ones.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { unlockMain, UnlockDependencies } from "../../../cli/state-lock-command";
import type { TerraformResult } from "../../../cli/terraform-command";
import { runKubeplane } from "../../../cli/kubeplane";

/** Real Terraform 1.11.4 stderr for a plan against a held S3 lock file (see state-lock.test.ts). */
const LOCK_ERROR = readFileSync(path.join(__dirname, "fixtures", "terraform-1.11.4-s3-lock-held-no-color.stderr"), "utf8");
const CREATED = new Date("2026-12-02T02:25:09.282Z").getTime();
const ID = "e2b61da2-b2f6-0b26-db93-8bb39bb241db";
/** What terraform force-unlock -force printed (stdout, 1.11.4, -no-color). */
const UNLOCKED = "Terraform state has been successfully unlocked!\n\nThe state has been unlocked, and Terraform commands should now be able to\nobtain a new lock on the remote state.\n";

interface Run {
  code: number;
  calls: { args: readonly string[]; cwd: string }[];
  out: string[];
  err: string[];
}

async function unlock(options: { force?: boolean; ageMs: number; probe?: TerraformResult; stack?: string }): Promise<Run> {
  const run: Run = { code: -1, calls: [], out: [], err: [] };
  const deps: UnlockDependencies = {
    synthesize: async () => [
      { name: "dev-network", workingDirectory: "/out/stacks/dev-network", dependencies: [] },
      { name: "dev-cluster", workingDirectory: "/out/stacks/dev-cluster", dependencies: ["dev-network"] },
    ],
    initialize: async () => undefined,
    terraform: async (args, { cwd }) => {
      run.calls.push({ args, cwd });
      if (args[0] === "plan") return options.probe ?? { code: 1, stdout: "", stderr: LOCK_ERROR };
      return { code: 0, stdout: UNLOCKED, stderr: "" };
    },
    now: () => new Date(CREATED + options.ageMs),
    out: (l) => run.out.push(l),
    err: (l) => run.err.push(l),
  };
  run.code = await unlockMain(options.stack ?? "dev-network", { force: options.force }, deps);
  return run;
}

test("a lock younger than 15 minutes is not released without --force, and unlock says how", async () => {
  const run = await unlock({ ageMs: 3 * 60_000 });
  expect(run.code).toBe(1);
  expect(run.calls.map((c) => c.args[0])).toEqual(["plan"]);
  expect(run.err).toEqual([
    `kubeplane unlock: dev-network: the state is locked by root@vm (apply, since 2026-12-02T02:25:09.282Z, 3 min ago; lock ID ${ID}); not released: the lock is 3 min old, younger than 15 min: a deploy may still be running. Pass --force if you know it is not:`,
    "  kubeplane unlock dev-network --force",
  ]);
});

test.each([
  ["an old lock", { ageMs: 20 * 60_000 }],
  ["a young lock with --force", { ageMs: 60_000, force: true }],
])("%s is released with terraform force-unlock -force <id> in the stack's directory", async (_case, options) => {
  const run = await unlock(options);
  expect(run.code).toBe(0);
  expect(run.calls).toEqual([
    { args: ["plan", "-input=false", "-no-color", "-refresh=false", "-lock-timeout=0s"], cwd: "/out/stacks/dev-network" },
    { args: ["force-unlock", "-force", "-no-color", ID], cwd: "/out/stacks/dev-network" },
  ]);
  expect(run.out[0]).toMatch(new RegExp(`^kubeplane unlock: dev-network: released the state lock held by root@vm \\(apply, .*lock ID ${ID}\\)$`));
});

test("no lock held: nothing to do, exit 0", async () => {
  const run = await unlock({ ageMs: 0, probe: { code: 0, stdout: "No changes.", stderr: "" } });
  expect(run.code).toBe(0);
  expect(run.calls).toHaveLength(1);
  expect(run.out).toEqual(["kubeplane unlock: dev-network: no lock is held (Terraform took the state lock and released it); nothing to do"]);
});

test("a probe that fails otherwise is shown, exit 1", async () => {
  const run = await unlock({ ageMs: 0, probe: { code: 1, stdout: "", stderr: "Error: Invalid provider configuration\n" } });
  expect(run.code).toBe(1);
  expect(run.err).toEqual(["kubeplane unlock: dev-network: could not find out whether the state is locked; terraform plan failed (exit 1):", "  Error: Invalid provider configuration"]);
});

test("an unknown stack names the stacks", async () => {
  await expect(unlock({ ageMs: 0, stack: "dev-nope" })).rejects.toThrow('no stack "dev-nope"; stacks: dev-network, dev-cluster');
});

test("kubeplane unlock is a subcommand with --force and examples", async () => {
  let out = "";
  const code = await runKubeplane(["unlock", "--help"], { stdout: { write: (s) => (out += String(s)) }, stderr: { write: () => true } });
  expect(code).toBe(0);
  expect(out).toContain("Usage: kubeplane unlock [options] <stack>");
  expect(out).toContain("--force");
  expect(out).toContain("$ kubeplane unlock dev-network");
});
