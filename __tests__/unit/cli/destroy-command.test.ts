/**
 * `npm run destroy`'s decisions: which clusters' run-time data it removes after cdktf destroy
 * (only those whose cluster stack it destroyed, only when the destroy succeeded), what it says,
 * and the exit code. cdktf and the cloud are stand-ins here; the deploy-loop emulator suites run
 * the real ones.
 */
import * as path from "path";
import { destroyMain, DestroyDependencies, stackPatterns } from "../../../cli/destroy-command";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";
import { ClusterDefinition, loadSelectedDefinitions } from "../../../definition";
import type { RuntimeData } from "../../../providers/runtime-data";
import { cloudFor } from "../../../providers";

const dev = loadSelectedDefinitions(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), { cloudFor })[0].definition;
const clusters: ClusterDefinition[] = [dev, { ...dev, name: "dev-two" }, { ...dev, name: "prod", region: "us-east-1" }];

interface Run {
  code: number;
  removed: string[];
  out: string[];
  err: string[];
  destroyedWith: (readonly string[])[];
}

async function destroy(args: string[], options: { cdktfExit?: number; failRemovalOf?: string[]; definitions?: () => readonly ClusterDefinition[] } = {}): Promise<Run> {
  const run: Run = { code: -1, removed: [], out: [], err: [], destroyedWith: [] };
  const deps: DestroyDependencies = {
    destroy: async (a) => {
      run.destroyedWith.push(a);
      return options.cdktfExit ?? 0;
    },
    definitions: options.definitions ?? (() => clusters),
    runtimeDataFor: (d): RuntimeData => ({
      location: `parameters under /kubeplane/${d.name}/ in ${d.region}`,
      manualRemoval: [`remove-by-hand /kubeplane/${d.name}`],
      remove: async () => {
        if (options.failRemovalOf?.includes(d.name)) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { name: "Error" });
        run.removed.push(d.name);
        return { count: 3, location: `parameters under /kubeplane/${d.name}/ in ${d.region}` };
      },
    }),
    out: (l) => run.out.push(l),
    err: (l) => run.err.push(l),
  };
  run.code = await destroyMain(args, deps);
  return run;
}

describe("stack patterns among cdktf destroy's arguments", () => {
  test("are the positional arguments, not option values", () => {
    expect(stackPatterns(["dev-*", "--auto-approve"])).toEqual(["dev-*"]);
    expect(stackPatterns(["-o", "out", "dev-cluster", "--parallelism", "2", "--terraform-parallelism=3", "--no-color", "prod-cluster"])).toEqual(["dev-cluster", "prod-cluster"]);
    expect(stackPatterns(["--output=out", "--app", "node main.ts", "dev-network"])).toEqual(["dev-network"]);
  });
  test("an array option takes what follows it up to the next option, as yargs parses it", () => {
    expect(stackPatterns(["--var", "a=1", "b=2", "--auto-approve", "dev-*"])).toEqual(["dev-*"]);
    expect(stackPatterns(["--var-file=x.tfvars", "dev-*"])).toEqual(["dev-*"]);
  });
});

test("a destroy of a cluster's stacks removes that cluster's run-time data only, and says what and where", async () => {
  const run = await destroy(["dev-*", "--auto-approve"]);
  expect(run.destroyedWith).toEqual([["dev-*", "--auto-approve"]]);
  // `dev-*` matches dev-two's stacks as well, as cdktf's glob does.
  expect(run.removed).toEqual(["dev", "dev-two"]);
  expect(run.out).toEqual([
    "kubeplane destroy: dev-cluster: removed 3 parameters under /kubeplane/dev/ in eu-west-1 (written by the nodes at run time)",
    "kubeplane destroy: dev-two-cluster: removed 3 parameters under /kubeplane/dev-two/ in eu-west-1 (written by the nodes at run time)",
  ]);
  expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: [] });
});

test("naming the cluster stack removes that cluster's data; the network stack alone removes nothing", async () => {
  expect((await destroy(["prod-cluster", "--auto-approve"])).removed).toEqual(["prod"]);
  const network = await destroy(["dev-network", "--auto-approve", "--ignore-missing-stack-dependencies"]);
  expect({ code: network.code, removed: network.removed, out: network.out }).toEqual({ code: 0, removed: [], out: [] });
});

test("a failed cdktf destroy removes nothing and keeps cdktf's exit code", async () => {
  const run = await destroy(["dev-*", "--auto-approve"], { cdktfExit: 3 });
  expect(run.removed).toEqual([]);
  expect(run.code).toBe(3);
  expect(run.err).toEqual([expect.stringContaining("cdktf destroy failed (exit 3); nothing the nodes wrote at run time was removed")]);
});

test("a failed removal exits 1, names where and what to do next, says Terraform's destroy succeeded, and still removes the other clusters'", async () => {
  const run = await destroy(["dev-*", "--auto-approve"], { failRemovalOf: ["dev"] });
  expect(run.code).toBe(1);
  expect(run.removed).toEqual(["dev-two"]);
  expect(run.err).toEqual([
    "kubeplane destroy: dev-cluster: Terraform destroyed the stack, but removing parameters under /kubeplane/dev/ in eu-west-1 failed: connect ECONNREFUSED 127.0.0.1:1",
    "  Re-run `npm run destroy -- dev-cluster --auto-approve` (Terraform has nothing left to destroy; the removal runs again)",
    "  or remove them by hand:",
    "    remove-by-hand /kubeplane/dev",
  ]);
  expect(run.err.join("\n")).not.toMatch(/destroy failed/);
});

test("definitions that cannot be read after a successful destroy exit 1 and say Terraform's part succeeded", async () => {
  const run = await destroy(["dev-*"], { definitions: () => { throw new Error("clusters/dev.yaml: does not exist"); } });
  expect(run.code).toBe(1);
  expect(run.err).toEqual(["kubeplane destroy: Terraform destroyed the stacks, but the definitions cannot be read to remove what the nodes wrote at run time: clusters/dev.yaml: does not exist"]);
});
