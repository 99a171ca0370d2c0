/**
 * Deploy adopts a backup store an earlier destroy kept (cli/backup-store-adoption.ts): the dev
 * example's synthesized cluster stack, AWS's import ids (providers/aws/tagged-resources.ts), and
 * Terraform and the cloud's listing as stand-ins. deploy-s3-state.test.ts runs the real ones
 * against the emulator.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { adoptionImports, adoptKeptBackupStores, AdoptionDependencies } from "../../../cli/backup-store-adoption";
import { AwsTaggedResources } from "../../../providers/aws/tagged-resources";
import type { TaggedResource } from "../../../providers/cluster-resources";
import type { TerraformResult } from "../../../cli/terraform-command";
import { exampleDefinition, synthesizeCluster } from "../../support/examples";

const dev = exampleDefinition("dev");
const synthesized = synthesizeCluster(dev);
const KEPT: TaggedResource[] = [
  { type: "aws_s3_bucket", id: "kp-dev-123456789012-eu-west-1", keptSince: "2026-12-02T10:00:00.000Z" },
  { type: "aws_kms_key", id: "key-1234", keptSince: "2026-12-02T10:00:00.000Z" },
  { type: "aws_vpc", id: "vpc-0orphan" },
];
const backupsOf = (type: string) => Object.keys(synthesized.clusterJson.resource[type] ?? {}).filter((n) => n.startsWith("backups_")).map((n) => `${type}.${n}`);

test("adoptionImports: every resource of the store as destroy kept it (bucket, its five settings, key, alias), none of the IAM grant", () => {
  const imports = adoptionImports(synthesized.cluster, KEPT, new AwsTaggedResources("dev", dev.region));
  const bucket = "kp-dev-123456789012-eu-west-1";
  const expected = [
    ...["aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block", "aws_s3_bucket_policy", "aws_s3_bucket_lifecycle_configuration"].flatMap((t) => backupsOf(t).map((address) => ({ address, id: bucket }))),
    ...backupsOf("aws_kms_key").map((address) => ({ address, id: "key-1234" })),
    ...backupsOf("aws_kms_alias").map((address) => ({ address, id: "alias/kubeplane/dev/backups" })),
  ];
  expect(expected).toHaveLength(8);
  expect([...imports].sort((a, b) => a.address.localeCompare(b.address))).toEqual(expected.sort((a, b) => a.address.localeCompare(b.address)));
  expect(imports.some((i) => i.address.startsWith("aws_iam_"))).toBe(false);
  // What the state has already is not imported again.
  const inState = new Set(backupsOf("aws_s3_bucket"));
  expect(adoptionImports(synthesized.cluster, KEPT, new AwsTaggedResources("dev", dev.region), inState)).toHaveLength(7);
});

function harness(kept: TaggedResource[], answer: (args: readonly string[]) => TerraformResult = () => ({ code: 0, stdout: "", stderr: "" })) {
  const directory = mkdtempSync(path.join(tmpdir(), "kubeplane-adopt-"));
  writeFileSync(path.join(directory, "cdk.tf.json"), synthesized.cluster);
  const events: string[] = [];
  const lines: string[] = [];
  const aws = new AwsTaggedResources("dev", dev.region);
  const deps: AdoptionDependencies = {
    definitions: () => [dev],
    resourcesFor: () => ({ ...aws, location: aws.location, list: async () => kept, listKept: async () => (events.push("listKept"), kept.filter((r) => r.keptSince !== undefined)), remove: aws.remove.bind(aws), manualRemoval: aws.manualRemoval.bind(aws), markKept: aws.markKept.bind(aws), adoptionImportId: aws.adoptionImportId.bind(aws) }),
    synthesize: async () => (events.push("synth"), [{ name: "dev-cluster", workingDirectory: directory, dependencies: ["dev-network"] }]),
    initialize: async () => void events.push("init"),
    terraform: async (args) => (events.push(args.slice(0, 1 + (args[0] === "import" ? 4 : 1)).join(" ")), answer(args)),
    report: (l) => lines.push(l),
  };
  return { deps, events, lines, directory };
}

test("nothing kept: no synth, no Terraform; deploy goes on", async () => {
  const h = harness([{ type: "aws_vpc", id: "vpc-1" }]);
  expect(await adoptKeptBackupStores(["dev-*", "--auto-approve"], h.deps)).toBe(0);
  expect(h.events).toEqual(["listKept"]);
  expect(h.lines).toEqual([]);
});

test("a kept store: imported address by address before the deploy, and said", async () => {
  const h = harness(KEPT);
  expect(await adoptKeptBackupStores(["dev-*", "--auto-approve"], h.deps)).toBe(0);
  expect(h.events.slice(0, 4)).toEqual(["listKept", "synth", "init", "state list"]);
  const imports = h.events.filter((e) => e.startsWith("import"));
  expect(imports).toHaveLength(8);
  expect(imports).toContain(`import -input=false -no-color ${backupsOf("aws_kms_key")[0]} key-1234`);
  expect(h.lines[0]).toBe(
    "kubeplane deploy: dev-cluster: adopting the backup store a destroy kept at 2026-12-02T10:00:00.000Z (aws_s3_bucket kp-dev-123456789012-eu-west-1, aws_kms_key key-1234): importing 8 resources into its state",
  );
  expect(h.lines[1]).toContain("adopted the backup store (8 resources imported)");
});

test("a stack not selected, or backups off: nothing is looked up", async () => {
  const h = harness(KEPT);
  expect(await adoptKeptBackupStores(["dev-network"], h.deps)).toBe(0);
  expect(h.events).toEqual([]);
  const off = harness(KEPT);
  off.deps = { ...off.deps, definitions: () => [{ ...dev, backups: { ...dev.backups, enabled: false } }] };
  expect(await adoptKeptBackupStores([], off.deps)).toBe(0);
  expect(off.events).toEqual([]);
});

test("a failed import stops the deploy, says what failed and how to go on; the cloud unreachable stops it too", async () => {
  // Terraform 1.11's error when the import id names no object (internal/terraform/node_resource_plan_instance.go, importState).
  const gone = "Error: Cannot import non-existent remote object\n\nWhile attempting to import an existing object to \"aws_kms_key.x\", the provider detected that no object exists with the given id.";
  const h = harness(KEPT, (args) => (args[0] === "import" && args[4] === "key-1234" ? { code: 1, stdout: "", stderr: gone } : { code: 0, stdout: "", stderr: "" }));
  expect(await adoptKeptBackupStores([], h.deps)).toBe(1);
  expect(h.lines.find((l) => l.includes("failed (exit 1); nothing was deployed"))).toContain("Cannot import non-existent remote object");
  expect(h.lines.at(-1)).toContain(`Run kubeplane deploy again (what was imported stays), or import by hand: cd ${h.directory} && terraform import`);
  const down = harness(KEPT);
  const base = down.deps.resourcesFor(dev);
  down.deps = { ...down.deps, resourcesFor: () => ({ ...base, location: "resources tagged kubeplane:cluster=dev", listKept: async () => Promise.reject(new Error("connect ECONNREFUSED")) }) };
  expect(await adoptKeptBackupStores([], down.deps)).toBe(1);
  expect(down.lines).toEqual(["kubeplane deploy: dev-cluster: cannot look for a backup store an earlier destroy kept (resources tagged kubeplane:cluster=dev); nothing was deployed: connect ECONNREFUSED"]);
});
