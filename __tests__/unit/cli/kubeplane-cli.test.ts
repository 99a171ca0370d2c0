/**
 * The `kubeplane` command line (cli/kubeplane.ts and cli/commands/): one program with a
 * subcommand per operation, help with examples for each, errors as `kubeplane: <message>`
 * without a stack trace, cdktf's own options passed through in order, progress on stderr, and
 * heavy modules (cdktf, the AWS SDK) loaded only by the command that needs them. In-process,
 * except for the two runs of bin/kubeplane itself.
 */
import { emptyClusterResources } from "../../support/empty-cluster-resources";
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import type { CdktfRunOptions, CdktfSubcommand } from "../../../cli/cdktf-command";
import type { RegisterSubcommand } from "../../../cli/commands/context";
import { runKubeplane, SUBCOMMANDS } from "../../../cli/kubeplane";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

function collector(tty = false) {
  let text = "";
  return { write: (s: string | Uint8Array) => ((text += s.toString()), true), text: () => text, isTTY: tty, columns: 200 };
}

async function run(argv: string[], extra: Parameters<typeof runKubeplane>[1] = {}) {
  const stdout = collector();
  const stderr = collector();
  // Deploy first looks for a kept backup store: a cloud with nothing tagged.
  const code = await runKubeplane(argv, { stdout, stderr, clusterResourcesFor: () => emptyClusterResources(), env: { ...process.env, ...extra.env }, ...extra });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A stand-in for runCdktf that records its calls and prints `output` where cdktf's stdout would go. */
function fakeCdktf(code: number, output = "") {
  const calls: { subcommand: CdktfSubcommand; args: readonly string[]; options?: CdktfRunOptions }[] = [];
  const runCdktf = async (subcommand: CdktfSubcommand, args: readonly string[], options?: CdktfRunOptions) => {
    calls.push({ subcommand, args, options });
    if (output) options?.onOutput?.(Buffer.from(output));
    return code;
  };
  return { calls, runCdktf };
}

const COMMANDS = ["synth", "diff", "deploy", "destroy", "audit", "state", "stacks", "local"];

describe("kubeplane --help", () => {
  test("lists every command, exit 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(result.stdout).toContain("$ kubeplane deploy 'dev-*' --auto-approve");
  });

  test("no command: the help on stderr, exit 1", async () => {
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Usage: kubeplane [options] [command]");
  });

  test.each(COMMANDS)("kubeplane %s --help shows examples of it", async (name) => {
    const result = await run([name, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: kubeplane ${name} `);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n  \\$ (\\S+=\\S+ )?kubeplane ${name}\\b`));
  });
});

describe("errors", () => {
  test("an unknown command is kubeplane: <message>, exit 1", async () => {
    const result = await run(["dploy"]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("kubeplane: unknown command 'dploy'");
  });

  test("a bad option value names the option", async () => {
    const result = await run(["audit", "--concurrency=0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kubeplane: option '--concurrency <n>' argument '0' is invalid\. must be a positive integer, got 0$/m);
  });

  test("a command that throws: one line, no stack trace, exit 1", async () => {
    const failing: RegisterSubcommand = (program) => {
      program.command("fail").action(async () => {
        throw new Error("the state bucket acme does not exist");
      });
    };
    const result = await run(["fail"], { subcommands: [...SUBCOMMANDS, failing] });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "kubeplane: the state bucket acme does not exist\n" });
  });

  test("a stack pattern that matches nothing (stacks)", async () => {
    const result = await run(["stacks", "nope-*"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kubeplane: no stack matches "nope-\*"; stacks: dev-network, dev-cluster, (\S+, )*prod-network, prod-cluster\n$/);
  });
});

describe("deploy, diff, destroy, synth through cdktf", () => {
  test("stacks and cdktf's options reach cdktf as given, in order; its exit code is the run's", async () => {
    const cdktf = fakeCdktf(3);
    const args = ["dev-*", "--auto-approve", "--var-file", "x.tfvars", "prod-network", "--parallelism=2"];
    const result = await run(["deploy", ...args], { runCdktf: cdktf.runCdktf });
    expect(result.code).toBe(3);
    expect(cdktf.calls.map((c) => [c.subcommand, c.args])).toEqual([["deploy", args]]);
  });

  test.each(["synth", "diff", "deploy"] as const)("%s passes everything after the command to cdktf", async (name) => {
    const cdktf = fakeCdktf(0);
    await run([name, "a-network", "--no-color"], { runCdktf: cdktf.runCdktf });
    expect(cdktf.calls.map((c) => [c.subcommand, c.args])).toEqual([[name, ["a-network", "--no-color"]]]);
  });

  test("not on a terminal: cdktf's output passes through to stdout unchanged, progress goes to stderr", async () => {
    const output = "dev-network  Initializing the backend...\ndev-network  Plan: 1 to add, 0 to change, 0 to destroy.\ndev-network  aws_vpc.network: Creating...\ndev-network  Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n";
    const cdktf = fakeCdktf(0, output);
    const result = await run(["deploy", "dev-network", "--auto-approve"], { runCdktf: cdktf.runCdktf, now: () => 0 });
    expect(result.stdout).toBe(output);
    expect(result.stderr.split("\n")).toEqual([
      "kubeplane deploy [0s] dev-network: initializing",
      "kubeplane deploy [0s] dev-network: planned",
      "kubeplane deploy [0s] dev-network: applying",
      "kubeplane deploy [0s] dev-network: deployed after 0s",
      "kubeplane deploy [0s] done",
      "",
    ]);
    // cdktf's stderr stays its own; its stdout is read.
    expect(cdktf.calls[0].options?.stdio).toEqual(["inherit", "pipe", "inherit"]);
  });

  test("on a terminal cdktf keeps it (its own live status and approval prompt); kubeplane adds the closing line", async () => {
    const cdktf = fakeCdktf(0);
    const stdout = collector(true);
    const stderr = collector(true);
    const code = await runKubeplane(["deploy", "dev-network"], { stdout, stderr, runCdktf: cdktf.runCdktf, now: () => 0 });
    expect(code).toBe(0);
    expect(cdktf.calls[0].options?.stdio).toBeUndefined(); // inherited
    expect(stderr.text()).toBe("kubeplane deploy [0s] done\n");
  });

  test("a cdktf that cannot start: only kubeplane: <message>, no progress line", async () => {
    const runCdktf = async () => {
      throw new Error("spawn /p/node_modules/.bin/cdktf ENOENT");
    };
    const result = await run(["diff", "dev-cluster"], { runCdktf });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "kubeplane: spawn /p/node_modules/.bin/cdktf ENOENT\n" });
  });

  test("a failed run after output says so with its exit code", async () => {
    const cdktf = fakeCdktf(1, "prod-network  Initializing the backend...\nprod-network  Error: no matching EC2 VPC found\n");
    const result = await run(["diff", "prod-network"], { runCdktf: cdktf.runCdktf, now: () => 0 });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "kubeplane diff [0s] prod-network: initializing\nkubeplane diff [0s] prod-network: failed after 0s\nkubeplane diff [0s] failed (exit 1)\n",
    );
  });
});

describe("bin/kubeplane", () => {
  // Records, at exit, which heavy packages the process loaded.
  const probe = path.join(mkdtempSync(path.join(os.tmpdir(), "kubeplane-probe-")), "loaded.js");
  writeFileSync(
    probe,
    `process.on("exit", () => { const heavy = Object.keys(require.cache).filter((f) => /node_modules\\/(cdktf|@cdktf|@aws-sdk)\\//.test(f)); process.stderr.write("heavy modules: " + heavy.length + "\\n"); });\n`,
  );
  const bin = (args: string[]) =>
    spawnSync(process.execPath, ["-r", probe, path.join(PROJECT_ROOT, "bin", "kubeplane"), ...args], { cwd: os.tmpdir(), encoding: "utf8" });

  test("--help from anywhere, without loading cdktf or the AWS SDK", () => {
    const result = bin(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: kubeplane");
    expect(result.stderr).toBe("heavy modules: 0\n");
  });

  test("an error exits 1 with one line", () => {
    const result = bin(["state", "dev-cluster"]);
    expect(result.status).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("kubeplane: missing required argument 'state-args'");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).toContain("heavy modules: 0\n");
  });
});
