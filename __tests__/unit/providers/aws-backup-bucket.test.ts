/**
 * The backup bucket (issue 15): what the cluster stack makes for `backups:`, held to the rule
 * pack's S3 rules without suppressions, and the definition's `backups` block.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { definitionFromYaml, exampleDefinition, PROJECT_ROOT, resourcesOf, synthesizeCluster } from "../../support/examples";
import { AwsNodeIdentities } from "../../../providers/aws/aws-node-identities";
import { AwsBackupBucket, backupBucketName } from "../../../providers/aws/aws-backup-bucket";
import { auditStack, findingsOf } from "../rules/rule-harness";
import { userDataOf } from "../../support/user-data-of";
import { parseDefinition } from "../../../definition";
import { cloudFor } from "../../../providers";

// dev.yaml without its backups block: the variants below add their own.
const devYaml = readFileSync(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), "utf8").replace(/^backups:\n( {2}.*\n)*/m, "");
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("the backup bucket of the dev example", () => {
  const { clusterJson } = synthesizeCluster(exampleDefinition("dev"));
  const only = (type: string): Json => {
    const all = resourcesOf(clusterJson, type).filter((r) => JSON.stringify(r).includes("backups"));
    expect(all).toHaveLength(1);
    return all[0] as Json;
  };
  const bucket = only("aws_s3_bucket");
  const policy = JSON.parse(only("aws_s3_bucket_policy").policy);
  const grant = JSON.parse(resourcesOf(clusterJson, "aws_iam_role_policy").find((p: Json) => p.name === "kubeplane-etcd-backups")!.policy as string);

  test("is named for the cluster, account and region, emptied on destroy as dev.yaml says (keepOnDestroy: false), tagged for what it holds", () => {
    expect(bucket.bucket).toMatch(/^kp-dev-\$\{data\.aws_caller_identity\..+\.account_id\}-\$\{data\.aws_region\..+\.name\}$/);
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.tags).toEqual({ "kubeplane:purpose": "etcd-backups" });
  });

  test("is versioned, encrypted with its own KMS key, and blocks public access", () => {
    expect(only("aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    const sse = only("aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default;
    expect(sse.sse_algorithm).toBe("aws:kms");
    expect(sse.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.backups_key_.+\.arn\}$/);
    const block = only("aws_s3_bucket_public_access_block");
    expect([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets]).toEqual([true, true, true, true]);
  });

  test("expires snapshots and old versions after retentionDays (14 by default)", () => {
    const rules = only("aws_s3_bucket_lifecycle_configuration").rule as Json[];
    expect(rules.find((r) => r.id === "snapshots-expire")).toMatchObject({ status: "Enabled", filter: [{ prefix: "etcd/" }], expiration: [{ days: 14 }] });
    expect(rules.find((r) => r.id === "old-versions-expire")).toMatchObject({ noncurrent_version_expiration: [{ noncurrent_days: 14 }] });
  });

  test("refuses requests without TLS and refuses the worker role outright", () => {
    const byId = Object.fromEntries(policy.Statement.map((s: Json) => [s.Sid, s]));
    expect(byId.DenyWithoutTls).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(byId.DenyOtherNodes.Effect).toBe("Deny");
    expect(byId.DenyOtherNodes.Principal.AWS).toEqual([expect.stringMatching(/aws_iam_role\.identities_worker.*\.arn/)]);
  });

  test("only the control-plane role gets a grant: its prefixes, and its key only through S3", () => {
    const grants = resourcesOf(clusterJson, "aws_iam_role_policy").filter((p: Json) => /aws_s3_bucket\.backups_|aws_kms_key\.backups_/.test(p.policy as string));
    expect(grants.map((g: Json) => g.role)).toEqual([expect.stringMatching(/aws_iam_role\.identities_control-plane.*\.id/)]);
    const resources = grant.Statement.flatMap((s: Json) => s.Resource);
    expect(resources.filter((r: string) => r.includes("aws_s3_bucket")).every((r: string) => /\.arn\}(\/(etcd|pki)\/\*)?$/.test(r))).toBe(true);
    const list = grant.Statement.find((s: Json) => s.Sid === "ListBackups");
    expect(list.Condition).toEqual({ StringLike: { "s3:prefix": ["etcd/*", "pki/*"] } });
    const key = JSON.parse(only("aws_kms_key").policy);
    const users = key.Statement.filter((s: Json) => s.Sid !== "KeyAdministration");
    expect(users).toEqual([
      expect.objectContaining({ Principal: { AWS: expect.stringMatching(/identities_control-plane.*\.arn/) }, Condition: { StringEquals: { "kms:ViaService": expect.stringMatching(/^s3\./) } } }),
    ]);
  });

  test("the control plane's user data carries the store, the workers' does not", () => {
    const env = (text: string) => text.includes("KUBEPLANE_BACKUP_BUCKET=");
    const instances = resourcesOf(clusterJson, "aws_instance").map((i) => userDataOf(clusterJson, i as Json));
    const templates = resourcesOf(clusterJson, "aws_launch_template").map((t) => userDataOf(clusterJson, t as Json));
    expect(instances.length).toBeGreaterThan(0);
    expect(templates.length).toBeGreaterThan(0);
    expect(JSON.stringify(clusterJson.output?.backup_store)).toContain("aws_s3_bucket.backups_bucket");
    expect(instances.every(env)).toBe(true);
    expect(instances[0]).toMatch(/KUBEPLANE_BACKUP_INTERVAL='1h'/);
    expect(templates.some(env)).toBe(false);
  });
});

describe("the rule pack on the bucket", () => {
  test("KP-S3-1..3 pass on AwsBackupBucket with no suppression", () => {
    const { findings } = auditStack((s) => {
      const ids = new AwsNodeIdentities(s, "identities", { clusterName: "t" });
      new AwsBackupBucket(s, "backups", { clusterName: "t", controlPlane: ids.controlPlane, otherNodes: [ids.workers], retentionDays: 7 });
    });
    expect(findings.filter((f) => f.rule.id.startsWith("KP-S3") || f.address.includes("backups")).map((f) => `${f.rule.id} ${f.address}: ${f.message}`)).toEqual([]);
    expect(findingsOf(findings, "KP-S3-1")).toEqual([]);
  });
});

describe("backups: in the definition", () => {
  test("defaults: enabled, every hour, 14 days, kept on destroy (prod.yaml says nothing of backups)", () => {
    expect(exampleDefinition("prod").backups).toEqual({ enabled: true, interval: "1h", retentionDays: 14, keepOnDestroy: true });
    expect(definitionFromYaml(devYaml).backups).toEqual({ enabled: true, interval: "1h", retentionDays: 14, keepOnDestroy: true });
    const { clusterJson } = synthesizeCluster(definitionFromYaml(devYaml));
    expect((Object.entries(clusterJson.resource.aws_s3_bucket).find(([id]) => id.startsWith("backups_"))![1] as Json).force_destroy).toBe(false);
  });

  test("enabled: false makes no bucket and no grant", () => {
    const { clusterJson } = synthesizeCluster(definitionFromYaml(`${devYaml}\nbackups:\n  enabled: false\n`));
    expect(JSON.stringify(clusterJson.resource)).not.toMatch(/backups_/);
    expect(clusterJson.output?.backup_store).toBeUndefined();
  });

  test("keepOnDestroy: false lets destroy empty the bucket; retentionDays reaches the lifecycle", () => {
    const { clusterJson } = synthesizeCluster(definitionFromYaml(`${devYaml}\nbackups:\n  keepOnDestroy: false\n  retentionDays: 3\n`));
    expect((Object.entries(clusterJson.resource.aws_s3_bucket).find(([id]) => id.startsWith("backups_"))![1] as Json).force_destroy).toBe(true);
    expect(JSON.stringify(resourcesOf(clusterJson, "aws_s3_bucket_lifecycle_configuration"))).toContain('"days":3');
  });

  test.each([
    ["interval: 90s", /backups\.interval.*minutes or hours like "15m" or "1h"/],
    ["interval: 2m", /backups\.interval.*from 5m to 24h/],
    ["interval: 25h", /backups\.interval.*from 5m to 24h/],
    ["retentionDays: 0", /backups\.retentionDays.*at least 1 day/],
    ["retentionDays: 400", /backups\.retentionDays.*at most 366 days/],
    ["every: 1h", /backups.*every/],
  ])("refuses %s, naming the field", (line, message) => {
    const { definition, problems } = parseDefinition("test.yaml", `${devYaml}\nbackups:\n  ${line}\n`, { cloudFor });
    expect(definition).toBeUndefined();
    expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toMatch(message);
  });

  test("the name fits S3's 63 characters for the longest cluster name and region", () => {
    expect(backupBucketName("a".repeat(28), "123456789012", "ap-southeast-2").length).toBeLessThanOrEqual(63);
  });
});
