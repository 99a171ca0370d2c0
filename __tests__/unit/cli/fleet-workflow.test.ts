/**
 * The example fleet workflow (.github/workflows/fleet.yml): its first job's script, run here with
 * the real `kubeplane stacks --json`, builds the matrix from that output's fields; the matrix job
 * gets one cluster per entry, its own concurrency group, and its script (run here with a stand-in
 * `npx`) plans or applies the cluster's stacks network first, stopping at the first failure.
 */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { ListedCluster, StackList } from "../../../cli/stack-list";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: { include?: string } };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  steps: Step[];
}

const workflow = parse(readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", "fleet.yml"), "utf8")) as {
  jobs: Record<string, Job>;
};
const listJob = workflow.jobs.stacks;
const clusterJob = workflow.jobs.cluster;
const listStep = listJob.steps.find((s) => s.id === "list")!;
const applyStep = clusterJob.steps.find((s) => s.run?.includes("for stack in"))!;

/**
 * Evaluates the few GitHub expression forms the workflow uses (`matrix.x`, `join(list, sep)`,
 * `a == 'b' && x || y`, property access) in `${{ }}` of `text`. Not GitHub's evaluator: enough
 * to check what this workflow's expressions give.
 */
function evaluate(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    const js = expression.replace(/==/g, "===");
    const join = (list: unknown[], separator: string) => list.join(separator);
    const value = new Function(...Object.keys(context), "join", `return (${js});`)(...Object.values(context), join);
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

/** A directory with an `npx` that logs its arguments, runs bin/kubeplane for `stacks`, and fails for `failing`. */
function fakeNpx(failing = "none"): { bin: string; log: string } {
  const bin = mkdtempSync(path.join(os.tmpdir(), "kubeplane-npx-"));
  const log = path.join(bin, "calls.log");
  writeFileSync(
    path.join(bin, "npx"),
    `#!/usr/bin/env bash\nset -euo pipefail\necho "$*" >> ${JSON.stringify(log)}\n` +
      `if [ "$1 $2" = "kubeplane stacks" ]; then shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(PROJECT_ROOT, "bin", "kubeplane"))} "$@"; fi\n` +
      `if [ "$3" = ${JSON.stringify(failing)} ]; then echo "Error: planning $3 failed" >&2; exit 1; fi\n`,
  );
  chmodSync(path.join(bin, "npx"), 0o755);
  writeFileSync(log, "");
  return { bin, log };
}

/** Runs the first job's list step as a runner would (in the checkout, GITHUB_OUTPUT a file). */
function runListStep(selection: string) {
  const npx = fakeNpx();
  const work = mkdtempSync(path.join(os.tmpdir(), "kubeplane-fleet-"));
  const output = path.join(work, "github-output");
  writeFileSync(output, "");
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${npx.bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, KUBEPLANE_CLUSTERS: selection };
  delete env.KUBEPLANE_STATE_DIR;
  // In a directory of its own (the script writes stacks.json); the selection is absolute.
  const stdout = execFileSync("bash", [...RUNNER_BASH, listStep.run!], { cwd: work, env, encoding: "utf8" });
  const outputs = Object.fromEntries(
    readFileSync(output, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const listed = JSON.parse(readFileSync(path.join(work, "stacks.json"), "utf8")) as StackList;
  return { stdout, outputs, listed, calls: readFileSync(npx.log, "utf8") };
}

/** The shell GitHub's runners use for `run:` on Linux: bash --noprofile --norc -eo pipefail {0}. */
const RUNNER_BASH = ["--noprofile", "--norc", "-eo", "pipefail", "-c"];

test("the scripts are shellcheck-clean and use no expressions inline (their inputs come through env)", () => {
  for (const step of [listStep, applyStep]) {
    expect(step.run).not.toContain("${{");
    const check = spawnSync("shellcheck", ["-s", "bash", "-"], { input: step.run, encoding: "utf8" });
    expect({ step: step.name, status: check.status, output: check.stdout }).toEqual({ step: step.name, status: 0, output: "" });
  }
});

describe("the first job: kubeplane stacks --json", () => {
  let stdout = "";
  let outputs: Record<string, string> = {};
  let calls = "";
  let listed: StackList;
  beforeAll(() => {
    // listed: what kubeplane stacks --json itself printed for the same selection.
    ({ stdout, outputs, calls, listed } = runListStep(path.join(PROJECT_ROOT, "clusters")));
  });

  test("runs kubeplane stacks --json", () => {
    expect(calls).toBe("kubeplane stacks --json\n");
  });

  test("the matrix is stacks --json's clusters with state in S3, each with its stacks in deploy order", () => {
    expect(listJob.outputs).toEqual({ clusters: "${{ steps.list.outputs.clusters }}" });
    const clusters = JSON.parse(outputs.clusters) as ListedCluster[];
    expect(clusters).toEqual(listed.clusters.filter((c) => c.stateBackend === "s3"));
    expect(clusters).toContainEqual({ cluster: "prod", definition: "clusters/prod.yaml", cloud: "aws", region: "eu-west-1", stateBackend: "s3", stacks: ["prod-network", "prod-cluster"] });
    expect(clusters.map((c) => c.cluster)).not.toContain("dev");
  });

  test("clusters a runner cannot plan (local state) are named in a warning", () => {
    const skipped = listed.clusters.filter((c) => c.stateBackend !== "s3").map((c) => c.cluster);
    expect(skipped).toEqual(expect.arrayContaining(["dev", "kurl"]));
    expect(stdout).toContain(`::warning title=kubeplane fleet::Not planned here, their state is not in S3 (a runner has no local state): ${skipped.join(", ")}\n`);
    expect(stdout).toContain("prod-cluster  (prod, clusters/prod.yaml) state: s3  after: prod-network\n");
  });
});

describe("the matrix job: one per cluster", () => {
  const prod: ListedCluster = { cluster: "prod", definition: "clusters/prod.yaml", cloud: "aws", region: "eu-west-1", stateBackend: "s3", stacks: ["prod-network", "prod-cluster"] };

  test("its matrix is the first job's output, and nothing runs when it is empty", () => {
    expect(clusterJob.needs).toBe("stacks");
    expect(clusterJob.strategy?.matrix?.include).toBe("${{ fromJSON(needs.stacks.outputs.clusters) }}");
    expect(clusterJob.if).toBe("${{ needs.stacks.outputs.clusters != '[]' }}");
    expect(clusterJob.strategy?.["fail-fast"]).toBe(false);
  });

  test("each cluster has its own concurrency group, and an apply is never cancelled", () => {
    expect(evaluate(clusterJob.concurrency!.group, { matrix: prod })).toBe("kubeplane-prod");
    expect(clusterJob.concurrency!["cancel-in-progress"]).toBe(false);
  });

  test("it selects only its cluster's definition and works in its region", () => {
    expect(evaluate(clusterJob.env!.KUBEPLANE_CLUSTERS, { matrix: prod })).toBe("clusters/prod.yaml");
    const credentials = clusterJob.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"))!;
    expect(evaluate(String(credentials.with!["aws-region"]), { matrix: prod })).toBe("eu-west-1");
    const roles = { AWS_DEPLOY_ROLE_ARN: "arn:deploy", AWS_PLAN_ROLE_ARN: "arn:plan" };
    const role = (event: string) => evaluate(String(credentials.with!["role-to-assume"]), { github: { event_name: event }, vars: roles });
    expect([role("push"), role("pull_request")]).toEqual(["arn:deploy", "arn:plan"]);
  });

  function runClusterStep(event: string, failing?: string) {
    const npx = fakeNpx(failing);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${npx.bin}:${process.env.PATH}` };
    for (const [k, v] of Object.entries(applyStep.env ?? {})) env[k] = evaluate(v, { matrix: prod, github: { event_name: event } });
    const run = spawnSync("bash", [...RUNNER_BASH, applyStep.run!], { cwd: os.tmpdir(), env, encoding: "utf8" });
    return { status: run.status, calls: readFileSync(npx.log, "utf8").split("\n").filter(Boolean), stdout: run.stdout };
  }

  test("a pull request plans the network stack, then the cluster stack", () => {
    const run = runClusterStep("pull_request");
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(["kubeplane diff prod-network", "kubeplane diff prod-cluster"]);
    expect(run.stdout).toContain("::group::plan prod-network\n");
  });

  test("main applies the network stack, then the cluster stack", () => {
    const run = runClusterStep("push");
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      "kubeplane deploy prod-network --auto-approve --ignore-missing-stack-dependencies",
      "kubeplane deploy prod-cluster --auto-approve --ignore-missing-stack-dependencies",
    ]);
  });

  test("a network stack that fails stops the job before its cluster stack", () => {
    const run = runClusterStep("push", "prod-network");
    expect(run.status).toBe(1);
    expect(run.calls).toEqual(["kubeplane deploy prod-network --auto-approve --ignore-missing-stack-dependencies"]);
  });
});
