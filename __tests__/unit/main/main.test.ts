/**
 * main.ts end to end, as a child process (the way `cdktf synth` runs it): bad definitions and
 * rule violations exit non-zero with one clear message per problem, no stack trace, and leave
 * the output directory exactly as it was.
 */
import { execFile } from "child_process";
import { createHash } from "crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AWS_RULES as ALL_RULES } from "../../../providers/aws/rules";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const WORK = mkdtempSync(path.join(tmpdir(), "kubeplane-main-"));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
  readonly before: Record<string, string>;
}

/** Every file under `dir` with a hash of its content. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return files;
}

/** An output directory holding a previous synth's files. */
function previousOutput(name: string): string {
  const outdir = path.join(WORK, `${name}-out`);
  mkdirSync(path.join(outdir, "stacks", "old-cluster"), { recursive: true });
  writeFileSync(path.join(outdir, "manifest.json"), '{"previous": true}');
  writeFileSync(path.join(outdir, "stacks", "old-cluster", "cdk.tf.json"), "{}");
  return outdir;
}

function definitionFile(name: string, text: string): string {
  const file = path.join(WORK, name);
  writeFileSync(file, text);
  return file;
}

function runMain(name: string, clusters: string, script = "main.ts", cli = false): Promise<Outcome> {
  const outdir = previousOutput(name);
  const before = snapshot(outdir);
  const env = { ...process.env, KUBEPLANE_CLUSTERS: clusters, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
  const [command, args] = cli
    ? [process.execPath, [path.join(ROOT, "node_modules", ".bin", "cdktf"), "synth", "--output", outdir]]
    : [process.execPath, ["-r", "@swc-node/register", script]];
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, timeout: 50_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, outdir, before });
    });
  });
}

/** The messages main.ts printed: lines after the summary, trimmed. */
const problemLines = (o: Outcome) => o.stderr.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.trim());
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

const outcomes: Record<string, Promise<Outcome>> = {};
const MANY =
  "name: Bad_Name\nregion: eu-west-1\nregoin: x\nnetwork:\n  azs: 5\nkubernetes:\n  installer: kubeadmm\ncontrolPlane:\n  count: 2\nworkers:\n  min: 5\n  max: 2\njoinTokens:\n  backend: vault\n";

jest.setTimeout(60_000);

beforeAll(() => {
  // Four child processes, started together: every bad file in one run (all are reported at
  // once), an insecure app, a valid run, and the cdktf CLI.
  const bad = [
    definitionFile("a-many.yaml", MANY),
    definitionFile("b-empty.yaml", ""),
    definitionFile("c-syntax.yaml", "name: t\nregion: eu-west-1\nworkers:\n  min: [1\n"),
    definitionFile("d-one.yaml", "name: same\nregion: eu-west-1\n"),
    definitionFile("e-two.yaml", "# the same name again\nname: same\nregion: us-east-1\n"),
    definitionFile("f-suppression.yaml", "name: s\nregion: eu-west-1\nsuppressions:\n  - rule: KP-NET-7\n    resource: x\n    reason: no reason at all really\n  - rule: KP-NET-2\n    resource: y\n"),
  ];
  // A missing entry does not stop the files that exist from being read.
  outcomes.bad = runMain("bad", [...bad, path.join(WORK, "z-missing.yaml")].join(","));
  outcomes.insecure = runMain("insecure", path.join(ROOT, "clusters", "dev.yaml"), path.join("__tests__", "unit", "main", "fixtures", "insecure-app.ts"));
  outcomes.valid = runMain("valid", path.join(ROOT, "clusters", "dev.yaml"));
  outcomes.cli = runMain("cli", bad[0], "main.ts", true);
});

/** The common shape of a refused synth. */
async function expectRefused(name: string): Promise<Outcome> {
  const o = await outcomes[name];
  expect(o.code).toBe(1);
  expect(o.stderr).not.toMatch(STACK_FRAME);
  expect(o.stderr).not.toMatch(/TypeError|ReferenceError|node_modules/);
  expect(o.stdout).toBe("");
  expect(snapshot(o.outdir)).toEqual(o.before);
  return o;
}

describe("main.ts with bad definitions", () => {
  const file = (name: string) => path.join(WORK, name);

  it("exits 1 with every problem of every file, absolute paths outside the project, no trace, no output", async () => {
    const o = await expectRefused("bad");
    expect(o.stderr.split("\n")[0]).toBe("kubeplane: 13 problems in cluster definitions:");
    expect(problemLines(o)).toEqual([
      `${file("z-missing.yaml")}: does not exist (from KUBEPLANE_CLUSTERS)`,
      `${file("a-many.yaml")}:1: name: must be a DNS-1123 label: lower-case letters, digits and '-', starting with a letter (got "Bad_Name")`,
      `${file("a-many.yaml")}:3: regoin: unknown field (did you mean "region"?); allowed here: name, cloud, region, network, bastion, kubernetes, controlPlane, workers, joinTokens, state, backups, tags, ami, aws, gcp, suppressions`,
      `${file("a-many.yaml")}:5: network.azs: eu-west-1 has 3 availability zones (eu-west-1a, eu-west-1b, eu-west-1c); asked for 5`,
      `${file("a-many.yaml")}:7: kubernetes.installer: must be one of: kubeadm, kurl (got "kubeadmm") (did you mean "kubeadm"?)`,
      `${file("a-many.yaml")}:9: controlPlane.count: must be 1, or an odd number of at least 3 for HA (got 2: etcd needs an odd quorum)`,
      `${file("a-many.yaml")}:11: workers.min: must not exceed workers.max (5 > 2)`,
      `${file("a-many.yaml")}:14: joinTokens.backend: must be one of: ssm, secretsmanager, gcp-secret-manager (got "vault")`,
      `${file("b-empty.yaml")}: is empty: a cluster definition needs at least name and region`,
      expect.stringMatching(new RegExp(`^${file("c-syntax.yaml")}:[45]: YAML syntax error \\(column \\d+\\): `)),
      `${file("e-two.yaml")}:2: name: "same" is already the name of the cluster in ${file("d-one.yaml")}; names must be unique`,
      `${file("f-suppression.yaml")}:4: suppressions[0].rule: "KP-NET-7" is not a rule of kubeplane's aws pack (did you mean "KP-NET-1"?); rules: ${ALL_RULES.map((r) => r.id).join(", ")}`,
      `${file("f-suppression.yaml")}:7: suppressions[1].reason: is required: a string`,
    ]);
  });
});

describe("main.ts with insecure infrastructure", () => {
  it("exits 1 naming each rule, resource and explanation, with no trace and no output", async () => {
    const o = await expectRefused("insecure");
    expect(o.stderr.split("\n")[0]).toBe("kubeplane: 3 security rule violations:");
    expect(problemLines(o).filter((l) => /^KP-.* \[error\] /.test(l))).toEqual([
      "KP-NET-1 no-ssh-from-world [error] aws_security_group.debug-ssh (dev-cluster/debug-ssh): ingress ingress[0] (tcp 22) opens SSH to 0.0.0.0/0",
      "KP-NET-2 no-world-ingress [error] aws_security_group.debug-ssh (dev-cluster/debug-ssh): ingress ingress[0] (tcp 22) admits 0.0.0.0/0",
      "KP-EC2-1 imdsv2-required [error] aws_instance.debug-box (dev-cluster/debug-box): has no metadata_options, so IMDSv1 is allowed; set http_tokens = \"required\"",
    ]);
    expect(o.stderr).toMatch(/\n {2}Why:\n {4}KP-NET-1 no-ssh-from-world: SSH \(port 22\) must not be reachable .*SSM Session Manager, which needs no inbound port at all/);
    expect(o.stderr).toMatch(/suppressions: \[\{ rule: <id>, resource: <construct path or address>, reason: <why> \}\]/);
  });
});

describe("main.ts with valid definitions", () => {
  it("synthesizes with no finding to suppress, and publishes a manifest of exactly the new stacks", async () => {
    const o = await outcomes.valid;
    expect(o.stderr).toBe("");
    expect(o.code).toBe(0);
    expect(o.stdout.split("\n").filter((l) => l.startsWith("kubeplane: suppressed: "))).toEqual([]);
    expect(Object.keys(JSON.parse(readFileSync(path.join(o.outdir, "manifest.json"), "utf8")).stacks).sort()).toEqual(["dev-cluster", "dev-network"]);
    for (const stack of ["dev-cluster", "dev-network"]) expect(readdirSync(path.join(o.outdir, "stacks", stack))).toContain("cdk.tf.json");
  });
});

describe("through the cdktf CLI", () => {
  it("cdktf synth exits non-zero with the problems and writes nothing", async () => {
    const o = await outcomes.cli;
    expect(o.code).not.toBe(0);
    expect(`${o.stdout}\n${o.stderr}`).toContain("kubeplane: 7 problems in cluster definitions:");
    expect(`${o.stdout}\n${o.stderr}`).toContain('workers.min: must not exceed workers.max (5 > 2)');
    expect(snapshot(o.outdir)).toEqual(o.before);
  });
});
