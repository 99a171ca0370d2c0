/**
 * `kubeplane stacks --json` (cli/stack-list.ts, cli/commands/stacks.ts): the selected stacks of
 * the examples in clusters/ with their cluster, definition, state and dependencies, selected as
 * the other commands select them; and the state it names is where the synthesized stacks keep it.
 */
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { runKubeplane } from "../../../cli/kubeplane";
import type { StackList } from "../../../cli/stack-list";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";
import { exampleDefinition, synthesizeCluster } from "../../support/examples";

async function stacks(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const base = { ...process.env };
  delete base.KUBEPLANE_CLUSTERS;
  delete base.KUBEPLANE_STATE_DIR;
  const code = await runKubeplane(["stacks", ...args], {
    env: { ...base, ...env },
    stdout: { write: (s) => (stdout += s.toString()) },
    stderr: { write: (s) => (stderr += s.toString()) },
  });
  return { code, stdout, stderr };
}

async function json(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StackList> {
  const result = await stacks(["--json", ...args], env);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(result.stdout) as StackList;
}

const local = (cluster: string, stack: string) => ({ backend: "local", path: `state/${cluster}/${stack}.tfstate` });
const prodState = (stack: string) => ({
  backend: "s3",
  bucket: "acme-kubeplane-state",
  key: `kubeplane/prod/${stack}.tfstate`,
  region: "eu-west-1",
  lockKey: `kubeplane/prod/${stack}.tfstate.tflock`,
});

describe("kubeplane stacks --json", () => {
  test("the definitions in clusters/: every stack, each cluster's network before its cluster", async () => {
    const list = await json([]);
    // Every definition in clusters/, by name, each with its two stacks, network first.
    const names = readdirSync(path.join(PROJECT_ROOT, "clusters"))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => (parse(readFileSync(path.join(PROJECT_ROOT, "clusters", f), "utf8")) as { name: string }).name)
      .sort();
    expect(list.clusters.map((c) => [c.cluster, c.stacks])).toEqual(names.map((n) => [n, [`${n}-network`, `${n}-cluster`]]));
    expect(list.stacks.map((s) => s.name)).toEqual(names.flatMap((n) => [`${n}-network`, `${n}-cluster`]));
    // The three documented examples in full.
    const examples = ["dev", "kurl", "prod"];
    expect({
      clusters: list.clusters.filter((c) => examples.includes(c.cluster)),
      stacks: list.stacks.filter((s) => examples.includes(s.cluster)),
    }).toEqual({
      clusters: [
        { cluster: "dev", definition: "clusters/dev.yaml", cloud: "aws", region: "eu-west-1", stateBackend: "local", stacks: ["dev-network", "dev-cluster"] },
        { cluster: "kurl", definition: "clusters/kurl.yaml", cloud: "aws", region: "us-east-1", stateBackend: "local", stacks: ["kurl-network", "kurl-cluster"] },
        { cluster: "prod", definition: "clusters/prod.yaml", cloud: "aws", region: "eu-west-1", stateBackend: "s3", stacks: ["prod-network", "prod-cluster"] },
      ],
      stacks: [
        { name: "dev-network", cluster: "dev", definition: "clusters/dev.yaml", cloud: "aws", region: "eu-west-1", state: local("dev", "dev-network"), dependencies: [] },
        { name: "dev-cluster", cluster: "dev", definition: "clusters/dev.yaml", cloud: "aws", region: "eu-west-1", state: local("dev", "dev-cluster"), dependencies: ["dev-network"] },
        { name: "kurl-network", cluster: "kurl", definition: "clusters/kurl.yaml", cloud: "aws", region: "us-east-1", state: local("kurl", "kurl-network"), dependencies: [] },
        { name: "kurl-cluster", cluster: "kurl", definition: "clusters/kurl.yaml", cloud: "aws", region: "us-east-1", state: local("kurl", "kurl-cluster"), dependencies: ["kurl-network"] },
        { name: "prod-network", cluster: "prod", definition: "clusters/prod.yaml", cloud: "aws", region: "eu-west-1", state: prodState("prod-network"), dependencies: [] },
        { name: "prod-cluster", cluster: "prod", definition: "clusters/prod.yaml", cloud: "aws", region: "eu-west-1", state: prodState("prod-cluster"), dependencies: ["prod-network"] },
      ],
    });
  });

  test("globs narrow the stacks as for deploy and audit; a cluster lists only its selected stacks", async () => {
    const list = await json(["prod-*", "dev-cluster"]);
    expect(list.stacks.map((s) => s.name)).toEqual(["dev-cluster", "prod-network", "prod-cluster"]);
    expect(list.clusters.map((c) => [c.cluster, c.stacks])).toEqual([
      ["dev", ["dev-cluster"]],
      ["prod", ["prod-network", "prod-cluster"]],
    ]);
  });

  test("KUBEPLANE_CLUSTERS selects the definitions; KUBEPLANE_STATE_DIR moves local state", async () => {
    const list = await json([], { KUBEPLANE_CLUSTERS: "clusters/prod.yaml,clusters/dev.yaml", KUBEPLANE_STATE_DIR: "/srv/kubeplane-state" });
    expect(list.clusters.map((c) => c.cluster)).toEqual(["dev", "prod"]);
    expect(list.stacks[0].state).toEqual({ backend: "local", path: "/srv/kubeplane-state/dev/dev-network.tfstate" });
  });

  test("a selection that names no definition is the definitions' error", async () => {
    const result = await stacks(["--json"], { KUBEPLANE_CLUSTERS: "customers/none.yaml" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^kubeplane: .*customers\/none\.yaml.*does not exist/s);
  });

  test("without --json, a table", async () => {
    const result = await stacks(["prod-*"]);
    expect(result.stdout.split("\n")).toEqual([
      "STACK         CLUSTER  DEFINITION          STATE                                                          DEPENDS ON",
      "prod-network  prod     clusters/prod.yaml  s3://acme-kubeplane-state/kubeplane/prod/prod-network.tfstate  -",
      "prod-cluster  prod     clusters/prod.yaml  s3://acme-kubeplane-state/kubeplane/prod/prod-cluster.tfstate  prod-network",
      "",
    ]);
  });

  test("the state named is the synthesized stacks' backend (S3 with use_lockfile; a local file)", async () => {
    const list = await json(["prod-*", "dev-*"]);
    for (const name of ["prod", "dev"] as const) {
      const synthesized = synthesizeCluster(exampleDefinition(name));
      for (const [stack, json] of [
        [`${name}-network`, synthesized.networkJson],
        [`${name}-cluster`, synthesized.clusterJson],
      ] as const) {
        const listed = list.stacks.find((s) => s.name === stack)!;
        const backend = json.terraform?.backend ?? {};
        if (listed.state.backend === "s3") {
          expect(backend.s3).toMatchObject({ bucket: listed.state.bucket, key: listed.state.key, region: listed.state.region, use_lockfile: true });
        } else if (listed.state.backend === "gcs") {
          expect(backend.gcs).toEqual({ bucket: listed.state.bucket, prefix: listed.state.prefix });
        } else {
          expect(Object.keys(backend)).toEqual(["local"]);
          expect(path.resolve(PROJECT_ROOT, backend.local.path as string)).toBe(path.resolve(PROJECT_ROOT, listed.state.path));
        }
      }
    }
  });
});
