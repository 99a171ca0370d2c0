/** destroy keeps a cluster's backup store unless backups.keepOnDestroy is false, and says so (issue 15). */
import { readFileSync } from "fs";
import * as path from "path";
import { destroyMain, DestroyDependencies } from "../../../cli/destroy-command";
import { keptAddresses, keptResources } from "../../../cli/etcd-keep-on-destroy";
import type { ClusterDefinition } from "../../../definition";
import { exampleDefinition } from "../../support/examples";

// dev as the default keeps it (dev.yaml itself sets keepOnDestroy: false).
const example = exampleDefinition("dev");
const dev: ClusterDefinition = { ...example, backups: { ...example.backups, keepOnDestroy: true } };
const clusters: ClusterDefinition[] = [
  dev,
  { ...dev, name: "dev-gone", backups: { ...dev.backups, keepOnDestroy: false } },
  { ...dev, name: "dev-none", backups: { ...dev.backups, enabled: false } },
];

function harness(keep: (d: ClusterDefinition) => Promise<string | { description: string; ids: string[] }>) {
  const events: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const deps: DestroyDependencies = {
    destroy: async (args) => (events.push(`destroy ${args.join(" ")}`), 0),
    definitions: () => clusters,
    runtimeDataFor: (d) => ({ location: `records of ${d.name}`, manualRemoval: [], remove: async () => ({ count: 0, location: `records of ${d.name}` }) }),
    keepBackupStore: async (d) => (events.push(`keep ${d.name}`), keep(d)),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  return { deps, events, out, err };
}

test("the store of every cluster that keeps it leaves the state before the destroy, and the destroy says so", async () => {
  const h = harness(async () => "the backup store and its snapshots");
  expect(await destroyMain(["dev*", "--auto-approve"], h.deps)).toBe(0);
  expect(h.events).toEqual(["keep dev", "destroy dev* --auto-approve"]);
  expect(h.out).toContain("kubeplane destroy: dev-cluster: keeping the backup store and its snapshots (backups.keepOnDestroy; set it to false to destroy them with the cluster)");
});

test("only the selected stacks' clusters: destroying another cluster keeps nothing of dev's", async () => {
  const h = harness(async () => "x");
  expect(await destroyMain(["dev-gone-*"], h.deps)).toBe(0);
  expect(h.events).toEqual(["destroy dev-gone-*"]);
});

test("when the store cannot be kept, nothing is destroyed", async () => {
  const h = harness(async () => {
    throw new Error("terraform state rm failed: the state is locked");
  });
  expect(await destroyMain(["dev-*"], h.deps)).toBe(1);
  expect(h.events).toEqual(["keep dev"]);
  expect(h.err).toEqual(["kubeplane destroy: dev-cluster: could not take the backup store out of Terraform's state, so nothing was destroyed: terraform state rm failed: the state is locked"]);
});

test("what leaves the state: the bucket, its settings, its key and alias; not the control plane's grant, nor data sources, nor anything else", () => {
  // The dev cluster stack's real addresses (the address contract, terraform-addresses.json).
  const addresses: string[] = JSON.parse(readFileSync(path.join(__dirname, "..", "stacks", "terraform-addresses.json"), "utf8")).dev.cluster;
  expect(keptAddresses(addresses).sort()).toEqual([
    "aws_kms_alias.backups_key-alias_BE2C1291",
    "aws_kms_key.backups_key_6EEC25C1",
    "aws_s3_bucket.backups_bucket_5DB31D01",
    "aws_s3_bucket_lifecycle_configuration.backups_retention_26AE17A9",
    "aws_s3_bucket_policy.backups_policy_2715A676",
    "aws_s3_bucket_public_access_block.backups_public-access_A2808D99",
    "aws_s3_bucket_server_side_encryption_configuration.backups_encryption_6241F8F1",
    "aws_s3_bucket_versioning.backups_versioning_3AA5FAE0",
  ]);
});

test("what was kept is no orphan: the orphan search counts the kept bucket and key as tracked, so destroy neither reports them nor offers --orphans to delete them", async () => {
  const h = harness(async () => ({ description: "the backup store and its snapshots", ids: ["kp-dev-123456789012-eu-west-1", "key-1234"] }));
  const asked: string[][] = [];
  const deps: DestroyDependencies = {
    ...h.deps,
    findOrphans: async (d, kept) => {
      asked.push([d.name, ...[...(kept ?? [])].sort()]);
      return { cluster: d.name, location: "the emulator", orphans: [], kept: [], manualRemoval: [], keptRemoval: [], remove: async () => ({ removed: [], failed: [] }) };
    },
  };
  expect(await destroyMain(["dev-*", "--auto-approve"], deps)).toBe(0);
  expect(h.out).toContain("kubeplane destroy: dev-cluster: keeping the backup store and its snapshots (backups.keepOnDestroy; set it to false to destroy them with the cluster)");
  // dev-gone and dev-none keep nothing: all that is theirs is looked at.
  expect(asked).toEqual([["dev", "key-1234", "kp-dev-123456789012-eu-west-1"], ["dev-gone"], ["dev-none"]]);
});

test("keptResources: the types and state ids of the kept addresses, from terraform show -json (its format: Terraform's JSON output format docs, values representation)", () => {
  const shown = JSON.stringify({
    values: {
      root_module: {
        resources: [
          { address: "aws_s3_bucket.backups_bucket_1", mode: "managed", type: "aws_s3_bucket", values: { id: "kp-dev-123456789012-eu-west-1" } },
          { address: "aws_kms_key.backups_key_2", mode: "managed", type: "aws_kms_key", values: { id: "key-1234" } },
          { address: "aws_vpc.other", mode: "managed", type: "aws_vpc", values: { id: "vpc-1" } },
        ],
      },
    },
  });
  expect(keptResources(shown, ["aws_s3_bucket.backups_bucket_1", "aws_kms_key.backups_key_2"])).toEqual([
    { type: "aws_s3_bucket", id: "kp-dev-123456789012-eu-west-1" },
    { type: "aws_kms_key", id: "key-1234" },
  ]);
});
