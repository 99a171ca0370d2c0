/**
 * Orphans: resources tagged with a cluster that no stack's state tracks. What a state tracks is
 * read from real `terraform show -json` (fixture); the cloud's listing and EC2 are stand-ins
 * shaped as the SDK answers. The emulator suite faults.test.ts runs the real ones.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { destroyMain } from "../../../cli/destroy-command";
import { ClusterOrphans, countsByType, findClusterOrphans, keptAdvice, orphanAdvice, renderOrphanTable, stateResourceIds } from "../../../cli/orphans";
import { loadSelectedDefinitions } from "../../../definition";
import { cloudFor } from "../../../providers";
import type { ClusterResources, TaggedResource } from "../../../providers/cluster-resources";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

/**
 * Real Terraform 1.11.4 `terraform show -json` of a state with an aws_vpc in the root module and
 * an aws_eip in a child module (aws provider 5.100.0 against moto_server 5.2.1).
 */
const SHOW_JSON = readFileSync(path.join(__dirname, "fixtures", "terraform-1.11.4-show-json-vpc-and-module-eip.json"), "utf8");
const dev = loadSelectedDefinitions(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), { cloudFor })[0].definition;

test("stateResourceIds reads every managed resource's id, child modules included", () => {
  expect([...stateResourceIds(SHOW_JSON)].sort()).toEqual(["eipalloc-34c8ca4a13a35f7b7", "vpc-864c2e04cc75e2e84"]);
  expect(stateResourceIds(JSON.stringify({ format_version: "1.0" })).size).toBe(0);
});

function cloud(listed: TaggedResource[]): ClusterResources & { removedWith: TaggedResource[][] } {
  const removedWith: TaggedResource[][] = [];
  return {
    location: "EC2 resources tagged kubeplane:cluster=dev in eu-west-1",
    list: async () => listed,
    remove: async (r) => (removedWith.push([...r]), { removed: [...r], failed: [] }),
    manualRemoval: (r) => r.map((x) => `remove ${x.type} ${x.id}`),
    listKept: async () => listed.filter((r) => r.keptSince !== undefined),
    markKept: async () => undefined,
    adoptionImportId: () => undefined,
    removedWith,
  };
}

test("findClusterOrphans: what is tagged but in neither stack's state", async () => {
  const listed = [
    { type: "aws_vpc", id: "vpc-864c2e04cc75e2e84" },
    { type: "aws_vpc", id: "vpc-0orphan" },
    { type: "aws_eip", id: "eipalloc-0orphan1" },
    { type: "aws_eip", id: "eipalloc-34c8ca4a13a35f7b7" },
  ];
  const resources = cloud(listed);
  const shown: string[] = [];
  const found = await findClusterOrphans(
    dev,
    [
      { name: "dev-network", workingDirectory: "/o/dev-network", dependencies: [] },
      { name: "dev-cluster", workingDirectory: "/o/dev-cluster", dependencies: ["dev-network"] },
    ],
    {
      resourcesFor: () => resources,
      terraform: async (args, { cwd }) => {
        shown.push(`${cwd}: ${args.join(" ")}`);
        return { code: 0, stdout: cwd.endsWith("dev-network") ? SHOW_JSON : JSON.stringify({ format_version: "1.0" }), stderr: "" };
      },
    },
  );
  expect(shown).toEqual(["/o/dev-network: show -json -no-color", "/o/dev-cluster: show -json -no-color"]);
  expect(found.orphans).toEqual([
    { type: "aws_vpc", id: "vpc-0orphan" },
    { type: "aws_eip", id: "eipalloc-0orphan1" },
  ]);
  expect(found.manualRemoval).toEqual(["remove aws_vpc vpc-0orphan", "remove aws_eip eipalloc-0orphan1"]);
  await found.remove();
  expect(resources.removedWith).toEqual([found.orphans]);
});

test("a state that cannot be read means nothing is called an orphan", async () => {
  await expect(
    findClusterOrphans(dev, [{ name: "dev-network", workingDirectory: "/o/n", dependencies: [] }], { resourcesFor: () => cloud([]), terraform: async () => ({ code: 0, stdout: "{}", stderr: "" }) }),
  ).rejects.toThrow('stack dev-cluster is not synthesized: cannot tell which of cluster "dev"\'s resources its state tracks');
});

const found = (orphans: TaggedResource[]): ClusterOrphans => ({
  cluster: "dev",
  location: "EC2 resources tagged kubeplane:cluster=dev in eu-west-1",
  orphans,
  kept: [],
  manualRemoval: orphans.map((o) => `aws ec2 remove ${o.id}`),
  keptRemoval: [],
  remove: async () => ({ removed: orphans, failed: [] }),
});

test("the table, the counts and the advice name the cluster, the types and what to run", () => {
  const orphans = [
    { type: "aws_vpc", id: "vpc-2" },
    { type: "aws_eip", id: "eipalloc-b" },
    { type: "aws_eip", id: "eipalloc-a" },
  ];
  expect(countsByType(orphans)).toBe("aws_eip: 2, aws_vpc: 1");
  expect(renderOrphanTable([found(orphans)])).toBe(
    ["CLUSTER  TYPE     ID", "dev      aws_eip  eipalloc-a", "dev      aws_eip  eipalloc-b", "dev      aws_vpc  vpc-2"].join("\n"),
  );
  expect(orphanAdvice("destroy", found(orphans))).toEqual([
    "kubeplane destroy: dev: 3 orphan(s), EC2 resources tagged kubeplane:cluster=dev in eu-west-1 that no stack's state tracks (aws_eip: 2, aws_vpc: 1).",
    "  Remove them: kubeplane destroy 'dev-*' --orphans --auto-approve (Terraform has nothing left to destroy; the removal runs), or by hand:",
    "    aws ec2 remove vpc-2",
    "    aws ec2 remove eipalloc-b",
    "    aws ec2 remove eipalloc-a",
  ]);
  expect(orphanAdvice("audit", found(orphans))[1]).toBe("  If the cluster is being removed: kubeplane destroy 'dev-*' --orphans. To keep the cluster and remove only these, by hand:");
  expect(orphanAdvice("audit", found([]))).toEqual([]);
});

describe("destroy and orphans", () => {
  async function destroy(args: string[], orphans: TaggedResource[]) {
    const run = { cdktfArgs: [] as (readonly string[])[], out: [] as string[], err: [] as string[], removed: false };
    const code = await destroyMain(args, {
      destroy: async (a) => (run.cdktfArgs.push(a), 0),
      definitions: () => [dev],
      runtimeDataFor: () => ({ location: "SSM parameters under /kubeplane/dev/ in eu-west-1", manualRemoval: [], remove: async () => ({ count: 0, location: "SSM parameters under /kubeplane/dev/ in eu-west-1" }) }),
      findOrphans: async () => ({ ...found(orphans), remove: async () => ((run.removed = true), { removed: orphans, failed: [] }) }),
      out: (l) => run.out.push(l),
      err: (l) => run.err.push(l),
    });
    return { code, ...run };
  }

  test("without --orphans: lists them, says how to remove them, exit 1", async () => {
    const run = await destroy(["dev-*", "--auto-approve"], [{ type: "aws_eip", id: "eipalloc-a" }]);
    expect(run.code).toBe(1);
    expect(run.removed).toBe(false);
    expect(run.err[0]).toBe("kubeplane destroy: dev: 1 orphan(s), EC2 resources tagged kubeplane:cluster=dev in eu-west-1 that no stack's state tracks (aws_eip: 1).");
    expect(run.err).toContain("    aws ec2 remove eipalloc-a");
  });

  test("with --orphans: removes them, and --orphans does not reach cdktf", async () => {
    const run = await destroy(["dev-*", "--orphans", "--auto-approve"], [{ type: "aws_eip", id: "eipalloc-a" }, { type: "aws_vpc", id: "vpc-1" }]);
    expect(run.code).toBe(0);
    expect(run.cdktfArgs).toEqual([["dev-*", "--auto-approve"]]);
    expect(run.removed).toBe(true);
    expect(run.out).toContain("kubeplane destroy: dev: removed 2 orphan(s), EC2 resources tagged kubeplane:cluster=dev in eu-west-1 (aws_eip: 1, aws_vpc: 1)");
  });

  test("no orphans: nothing said, exit 0", async () => {
    const run = await destroy(["dev-*", "--auto-approve"], []);
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
  });
});

test("a kept backup store (an earlier destroy's, tagged kept) is no orphan: listed as kept, never removed, with how to adopt or delete it", async () => {
  const listed = [
    { type: "aws_s3_bucket", id: "kp-dev-123456789012-eu-west-1", keptSince: "2026-12-02T10:00:00.000Z" },
    { type: "aws_kms_key", id: "key-1234", keptSince: "2026-12-02T10:00:00.000Z" },
    { type: "aws_vpc", id: "vpc-0orphan" },
  ];
  const resources = cloud(listed);
  const empty = JSON.stringify({ format_version: "1.0" });
  const found = await findClusterOrphans(
    dev,
    [
      { name: "dev-network", workingDirectory: "/o/dev-network", dependencies: [] },
      { name: "dev-cluster", workingDirectory: "/o/dev-cluster", dependencies: ["dev-network"] },
    ],
    { resourcesFor: () => resources, terraform: async () => ({ code: 0, stdout: empty, stderr: "" }) },
  );
  expect(found.orphans).toEqual([{ type: "aws_vpc", id: "vpc-0orphan" }]);
  expect(found.kept.map((k) => k.id)).toEqual(["kp-dev-123456789012-eu-west-1", "key-1234"]);
  expect(found.keptRemoval).toEqual(["remove aws_s3_bucket kp-dev-123456789012-eu-west-1", "remove aws_kms_key key-1234"]);
  await found.remove();
  expect(resources.removedWith).toEqual([[{ type: "aws_vpc", id: "vpc-0orphan" }]]);
  const advice = keptAdvice("audit", found);
  expect(advice[0]).toBe(
    "kubeplane audit: dev: kept backup store (a destroy kept it at 2026-12-02T10:00:00.000Z; backups.keepOnDestroy), no orphan: aws_s3_bucket kp-dev-123456789012-eu-west-1, aws_kms_key key-1234.",
  );
  expect(advice[1]).toContain("kubeplane deploy 'dev-*' adopts it");
  expect(advice.slice(3)).toEqual(["    remove aws_s3_bucket kp-dev-123456789012-eu-west-1", "    remove aws_kms_key key-1234"]);
  // Once adopted (a state tracks it again), it is neither kept nor an orphan.
  const adopted = await findClusterOrphans(
    dev,
    [
      { name: "dev-network", workingDirectory: "/o/dev-network", dependencies: [] },
      { name: "dev-cluster", workingDirectory: "/o/dev-cluster", dependencies: ["dev-network"] },
    ],
    { resourcesFor: () => cloud(listed.slice(0, 2)), terraform: async () => ({ code: 0, stdout: empty, stderr: "" }) },
    process.env,
    new Set(["kp-dev-123456789012-eu-west-1", "key-1234"]),
  );
  expect([adopted.orphans, adopted.kept, keptAdvice("audit", adopted)]).toEqual([[], [], []]);
});

test("destroy --orphans removes the orphans and leaves an earlier destroy's kept store, saying so", async () => {
  const kept = [{ type: "aws_s3_bucket", id: "kp-dev-123456789012-eu-west-1", keptSince: "2026-12-02T10:00:00.000Z" }];
  const orphans = [{ type: "aws_vpc", id: "vpc-0orphan" }];
  const out: string[] = [];
  const removed: TaggedResource[][] = [];
  const code = await destroyMain(["dev-*", "--auto-approve", "--orphans"], {
    destroy: async () => 0,
    definitions: () => [dev],
    runtimeDataFor: () => ({ location: "SSM parameters", manualRemoval: [], remove: async () => ({ count: 0, location: "SSM parameters" }) }),
    findOrphans: async () => ({ ...found(orphans), kept, keptRemoval: ["aws s3api delete-bucket --bucket kp-dev-123456789012-eu-west-1"], remove: async () => (removed.push(orphans), { removed: orphans, failed: [] }) }),
    out: (l) => out.push(l),
    err: (l) => out.push(l),
  });
  expect(code).toBe(0);
  expect(removed).toEqual([orphans]);
  expect(out.find((l) => l.includes("kept backup store"))).toContain("no orphan: aws_s3_bucket kp-dev-123456789012-eu-west-1.");
  expect(out).toContain("    aws s3api delete-bucket --bucket kp-dev-123456789012-eu-west-1");
});
