/**
 * Orphans beyond EC2 (providers/aws/tagged-resources.ts): what the Tagging API's ARNs are as
 * Terraform types and ids, what is left out (the nodes' run-time parameters and secrets, KMS keys
 * pending deletion, IAM names kubeplane does not give, untagged IAM), and the removal of each
 * type after what depends on it. AWS is a stand-in answering as the SDK does (shapes from the
 * API references); faults.test.ts runs the real SDK against moto.
 */
import { AwsCalls, AwsTaggedResources, inRemovalOrder, resourceFromArn } from "../../../providers/aws/tagged-resources";

type Call = [string, unknown];

function aws(answers: Partial<Record<keyof AwsCalls, unknown | ((input: never) => unknown)>>): { calls: Call[]; connect: () => Promise<AwsCalls & { close(): void }> } {
  const calls: Call[] = [];
  const handler: ProxyHandler<object> = {
    get: (_t, name: string) => {
      if (name === "then") return undefined;
      if (name === "close") return () => undefined;
      return async (input: never) => {
        calls.push([name, input]);
        const answer = (answers as Record<string, unknown>)[name];
        return typeof answer === "function" ? answer(input) : (answer ?? {});
      };
    },
  };
  return { calls, connect: async () => new Proxy({}, handler) as AwsCalls & { close(): void } };
}

const ACCOUNT = "123456789012";

test("ARNs as GetResources answers them, as Terraform's types and ids (ARN formats: AWS's service authorization reference)", () => {
  expect(resourceFromArn("arn:aws:s3:::kubeplane-dev-backups")).toEqual({ type: "aws_s3_bucket", id: "kubeplane-dev-backups" });
  expect(resourceFromArn(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`)).toEqual({ type: "aws_kms_key", id: "1234abcd-12ab-34cd-56ef-1234567890ab" });
  expect(resourceFromArn(`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/kubeplane/dev/vpc-flow-logs:*`)).toEqual({ type: "aws_cloudwatch_log_group", id: "/kubeplane/dev/vpc-flow-logs" });
  expect(resourceFromArn(`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/kubeplane/dev/vpc-flow-logs`)).toEqual({ type: "aws_cloudwatch_log_group", id: "/kubeplane/dev/vpc-flow-logs" });
  const lb = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/net/dev-api/50dc6c495c0c9188`;
  expect(resourceFromArn(lb)).toEqual({ type: "aws_lb", id: lb });
  const tg = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/dev-api/73e2d6bc24d8a067`;
  expect(resourceFromArn(tg)).toEqual({ type: "aws_lb_target_group", id: tg });
  expect(resourceFromArn("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ")).toEqual({ type: "aws_route53_zone", id: "Z0123456789ABCDEFGHIJ" });
  const secret = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:other/dev-AbCdEf`;
  expect(resourceFromArn(secret)).toEqual({ type: "aws_secretsmanager_secret", id: secret });
  expect(resourceFromArn(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/kubeplane/dev/x`)).toEqual({ type: "aws_ssm_parameter", id: "/kubeplane/dev/x" });
  expect(resourceFromArn(`arn:aws:ssm:eu-west-1:${ACCOUNT}:document/kubeplane-dev-join`)).toEqual({ type: "aws_ssm_document", id: "kubeplane-dev-join" });
  expect(resourceFromArn(`arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc-flow-log/fl-0a1b2c3d4e5f67890`)).toEqual({ type: "aws_flow_log", id: "fl-0a1b2c3d4e5f67890" });
  // moto 5.2.1 names a flow log's ARN flow-logs/ (resourcegroupstaggingapi/models.py).
  expect(resourceFromArn(`arn:aws:ec2:eu-west-1:${ACCOUNT}:flow-logs/fl-0a1b2c3d`)).toEqual({ type: "aws_flow_log", id: "fl-0a1b2c3d" });
  // EC2's other types are asked for with EC2's own calls; an object's ARN is no bucket.
  expect(resourceFromArn(`arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/vpc-1`)).toBeUndefined();
  expect(resourceFromArn("arn:aws:s3:::bucket/key")).toBeUndefined();
  expect(resourceFromArn("not an arn")).toBeUndefined();
});

test("list: the Tagging API's types page by page, Auto Scaling groups, tagged kubeplane- IAM; not the nodes' run-time data, nor keys pending deletion", async () => {
  const arn = (rest: string) => ({ ResourceARN: `arn:aws:${rest}` });
  const fake = aws({
    getResources: (input: { PaginationToken?: string }) =>
      input.PaginationToken
        ? { ResourceTagMappingList: [arn(`kms:eu-west-1:${ACCOUNT}:key/live`), arn(`kms:eu-west-1:${ACCOUNT}:key/pending`)] }
        : {
            ResourceTagMappingList: [
              arn("s3:::kubeplane-dev-left"),
              arn(`ssm:eu-west-1:${ACCOUNT}:parameter/kubeplane/dev/status/claim`),
              arn(`ssm:eu-west-1:${ACCOUNT}:parameter/kubeplane/dev-other/x`),
              arn(`secretsmanager:eu-west-1:${ACCOUNT}:secret:kubeplane/dev/join/lease-AbCdEf`),
              arn(`ec2:eu-west-1:${ACCOUNT}:vpc/vpc-1`),
            ],
            PaginationToken: "page-2",
          },
    describeKey: (input: { KeyId: string }) => ({ KeyMetadata: { KeyState: input.KeyId === "pending" ? "PendingDeletion" : "Enabled" } }),
    describeAutoScalingGroups: { AutoScalingGroups: [{ AutoScalingGroupName: "kubeplane-dev-workers" }] },
    listRoles: (input: { Marker?: string }) =>
      input.Marker ? { Roles: [{ RoleName: "kubeplane-dev-untagged" }] } : { Roles: [{ RoleName: "kubeplane-dev-left" }, { RoleName: "someone-elses" }], IsTruncated: true, Marker: "m" },
    listRoleTags: (input: { RoleName: string }) => ({ Tags: input.RoleName === "kubeplane-dev-left" ? [{ Key: "kubeplane:cluster", Value: "dev" }] : [{ Key: "kubeplane:cluster", Value: "prod" }] }),
    listInstanceProfiles: { InstanceProfiles: [{ InstanceProfileName: "kubeplane-dev-left", Roles: [{ RoleName: "kubeplane-dev-left" }] }] },
    listInstanceProfileTags: { Tags: [{ Key: "kubeplane:cluster", Value: "dev" }] },
    listPolicies: { Policies: [{ PolicyName: "kubeplane-dev-operator", Arn: `arn:aws:iam::${ACCOUNT}:policy/kubeplane-dev-operator` }] },
    listPolicyTags: { Tags: [{ Key: "kubeplane:cluster", Value: "dev" }] },
  });
  const listed = await new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect }).list();
  expect(listed).toEqual([
    { type: "aws_autoscaling_group", id: "kubeplane-dev-workers" },
    { type: "aws_s3_bucket", id: "kubeplane-dev-left" },
    { type: "aws_ssm_parameter", id: "/kubeplane/dev-other/x" },
    { type: "aws_kms_key", id: "live" },
    { type: "aws_iam_instance_profile", id: "kubeplane-dev-left", associations: ["kubeplane-dev-left"] },
    { type: "aws_iam_role", id: "kubeplane-dev-left" },
    { type: "aws_iam_policy", id: `arn:aws:iam::${ACCOUNT}:policy/kubeplane-dev-operator` },
  ]);
  const asked = (name: string) => fake.calls.filter(([n]) => n === name).map(([, input]) => input);
  expect(asked("getResources")).toEqual([{ TagFilters: [{ Key: "kubeplane:cluster", Values: ["dev"] }] }, { TagFilters: [{ Key: "kubeplane:cluster", Values: ["dev"] }], PaginationToken: "page-2" }]);
  expect(asked("describeAutoScalingGroups")).toEqual([{ Filters: [{ Name: "tag:kubeplane:cluster", Values: ["dev"] }] }]);
  // Only kubeplane's names are asked for their tags.
  expect(asked("listRoleTags")).toEqual([{ RoleName: "kubeplane-dev-left" }, { RoleName: "kubeplane-dev-untagged" }]);
  expect(asked("listPolicies")).toEqual([{ Scope: "Local" }]);
});

test("remove: dependents first (group, template, subnet, VPC; profile, role, policy; data; keys last), each emptied or detached first", async () => {
  const fake = aws({
    listInstanceProfilesForRole: { InstanceProfiles: [{ InstanceProfileName: "kubeplane-dev-left" }] },
    listAttachedRolePolicies: { AttachedPolicies: [{ PolicyArn: "arn:aws:iam::1:policy/kubeplane-dev-p" }] },
    listRolePolicies: { PolicyNames: ["inline"] },
    listEntitiesForPolicy: { PolicyRoles: [{ RoleName: "other-role" }] },
    listPolicyVersions: { Versions: [{ VersionId: "v1", IsDefaultVersion: false }, { VersionId: "v2", IsDefaultVersion: true }] },
    listObjectVersions: (input: { KeyMarker?: string }) =>
      input.KeyMarker
        ? { DeleteMarkers: [{ Key: "b", VersionId: "3" }] }
        : { Versions: [{ Key: "a", VersionId: "1" }, { Key: "a", VersionId: "2" }], IsTruncated: true, NextKeyMarker: "a", NextVersionIdMarker: "2" },
  });
  const resources = new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect });
  const given = [
    { type: "aws_kms_key", id: "key-1" },
    { type: "aws_s3_bucket", id: "kubeplane-dev-left" },
    { type: "aws_iam_policy", id: "arn:aws:iam::1:policy/kubeplane-dev-p" },
    { type: "aws_iam_role", id: "kubeplane-dev-left" },
    { type: "aws_iam_instance_profile", id: "kubeplane-dev-left", associations: ["kubeplane-dev-left"] },
    { type: "aws_vpc", id: "vpc-1" },
    { type: "aws_subnet", id: "subnet-1" },
    { type: "aws_launch_template", id: "lt-1" },
    { type: "aws_autoscaling_group", id: "kubeplane-dev-workers" },
    { type: "aws_cloudwatch_log_group", id: "/kubeplane/dev/x" },
  ];
  expect(inRemovalOrder(given).map((r) => r.type)).toEqual([
    "aws_autoscaling_group",
    "aws_launch_template",
    "aws_subnet",
    "aws_vpc",
    "aws_iam_instance_profile",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_cloudwatch_log_group",
    "aws_s3_bucket",
    "aws_kms_key",
  ]);
  const removal = await resources.remove(given);
  expect(removal.failed).toEqual([]);
  const changes = fake.calls.filter(([n]) => !/^(list|describe)/.test(n));
  expect(changes).toEqual([
    ["deleteAutoScalingGroup", { AutoScalingGroupName: "kubeplane-dev-workers", ForceDelete: true }],
    ["deleteLaunchTemplate", { LaunchTemplateId: "lt-1" }],
    ["deleteSubnet", { SubnetId: "subnet-1" }],
    ["deleteVpc", { VpcId: "vpc-1" }],
    ["removeRoleFromInstanceProfile", { InstanceProfileName: "kubeplane-dev-left", RoleName: "kubeplane-dev-left" }],
    ["deleteInstanceProfile", { InstanceProfileName: "kubeplane-dev-left" }],
    ["removeRoleFromInstanceProfile", { InstanceProfileName: "kubeplane-dev-left", RoleName: "kubeplane-dev-left" }],
    ["detachRolePolicy", { RoleName: "kubeplane-dev-left", PolicyArn: "arn:aws:iam::1:policy/kubeplane-dev-p" }],
    ["deleteRolePolicy", { RoleName: "kubeplane-dev-left", PolicyName: "inline" }],
    ["deleteRole", { RoleName: "kubeplane-dev-left" }],
    ["detachRolePolicy", { RoleName: "other-role", PolicyArn: "arn:aws:iam::1:policy/kubeplane-dev-p" }],
    ["deletePolicyVersion", { PolicyArn: "arn:aws:iam::1:policy/kubeplane-dev-p", VersionId: "v1" }],
    ["deletePolicy", { PolicyArn: "arn:aws:iam::1:policy/kubeplane-dev-p" }],
    ["deleteLogGroup", { logGroupName: "/kubeplane/dev/x" }],
    ["deleteObjects", { Bucket: "kubeplane-dev-left", Delete: { Objects: [{ Key: "a", VersionId: "1" }, { Key: "a", VersionId: "2" }], Quiet: true } }],
    ["deleteObjects", { Bucket: "kubeplane-dev-left", Delete: { Objects: [{ Key: "b", VersionId: "3" }], Quiet: true } }],
    ["deleteBucket", { Bucket: "kubeplane-dev-left" }],
    ["scheduleKeyDeletion", { KeyId: "key-1", PendingWindowInDays: 7 }],
  ]);
  expect(resources.manualRemoval(given)).toContain("aws kms schedule-key-deletion --region eu-west-1 --key-id key-1 --pending-window-in-days 7");
});

test("a hosted zone loses its records but its own SOA and NS, then goes", async () => {
  const records = [
    { Name: "dev.internal.", Type: "SOA" },
    { Name: "dev.internal.", Type: "NS" },
    { Name: "api.dev.internal.", Type: "A", AliasTarget: { DNSName: "x" } },
  ];
  const fake = aws({ listResourceRecordSets: { ResourceRecordSets: records } });
  await new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect }).remove([{ type: "aws_route53_zone", id: "Z1" }]);
  expect(fake.calls.filter(([n]) => n !== "listResourceRecordSets")).toEqual([
    ["changeResourceRecordSets", { HostedZoneId: "Z1", ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: records[2] }] } }],
    ["deleteHostedZone", { Id: "Z1" }],
  ]);
});

test("kept: GetResources' tags (ResourceTagMappingList[].Tags, Tagging API reference) mark the kept bucket and key; markKept tags them, merging the bucket's tags", async () => {
  const listedFake = aws({
    getResources: {
      ResourceTagMappingList: [
        { ResourceARN: "arn:aws:s3:::kp-dev-1-eu-west-1", Tags: [{ Key: "kubeplane:cluster", Value: "dev" }, { Key: "kubeplane:kept", Value: "2026-12-02T10:00:00.000Z" }] },
        { ResourceARN: "arn:aws:s3:::kp-dev-left", Tags: [{ Key: "kubeplane:cluster", Value: "dev" }] },
      ],
    },
  });
  const listed = await new AwsTaggedResources("dev", "eu-west-1", { connect: listedFake.connect }).list();
  expect(listed).toEqual([
    { type: "aws_s3_bucket", id: "kp-dev-1-eu-west-1", keptSince: "2026-12-02T10:00:00.000Z" },
    { type: "aws_s3_bucket", id: "kp-dev-left" },
  ]);
  // listKept (deploy asks it every time): GetResources only, and only what carries the tag.
  const onlyKept = aws({
    getResources: {
      ResourceTagMappingList: [
        { ResourceARN: "arn:aws:s3:::kp-dev-1-eu-west-1", Tags: [{ Key: "kubeplane:kept", Value: "2026-12-02T10:00:00.000Z" }] },
        { ResourceARN: "arn:aws:s3:::kp-dev-left", Tags: [{ Key: "kubeplane:cluster", Value: "dev" }] },
      ],
    },
  });
  expect(await new AwsTaggedResources("dev", "eu-west-1", { connect: onlyKept.connect }).listKept()).toEqual([
    { type: "aws_s3_bucket", id: "kp-dev-1-eu-west-1", keptSince: "2026-12-02T10:00:00.000Z" },
  ]);
  expect(onlyKept.calls.map(([name]) => name)).toEqual(["getResources"]);

  const fake = aws({ getBucketTagging: { TagSet: [{ Key: "kubeplane:cluster", Value: "dev" }, { Key: "customer", Value: "internal" }] } });
  const at = new Date("2026-12-02T11:00:00Z");
  await new AwsTaggedResources("dev", "eu-west-1", { connect: fake.connect }).markKept(
    [
      { type: "aws_s3_bucket", id: "kp-dev-1-eu-west-1" },
      { type: "aws_kms_key", id: "key-1234" },
      { type: "aws_kms_alias", id: "alias/kubeplane/dev/backups" },
      { type: "aws_s3_bucket_versioning", id: "kp-dev-1-eu-west-1" },
    ],
    at,
  );
  expect(fake.calls).toEqual([
    ["getBucketTagging", { Bucket: "kp-dev-1-eu-west-1" }],
    [
      "putBucketTagging",
      { Bucket: "kp-dev-1-eu-west-1", Tagging: { TagSet: [{ Key: "kubeplane:cluster", Value: "dev" }, { Key: "customer", Value: "internal" }, { Key: "kubeplane:kept", Value: "2026-12-02T11:00:00.000Z" }] } },
    ],
    ["tagResource", { KeyId: "key-1234", Tags: [{ TagKey: "kubeplane:kept", TagValue: "2026-12-02T11:00:00.000Z" }] }],
  ]);
  // A bucket without tags answers NoSuchTagSet (S3 API reference, GetBucketTagging): only the kept tag is put.
  const untagged = aws({ getBucketTagging: () => Promise.reject(Object.assign(new Error("The TagSet does not exist"), { name: "NoSuchTagSet" })) });
  await new AwsTaggedResources("dev", "eu-west-1", { connect: untagged.connect }).markKept([{ type: "aws_s3_bucket", id: "b" }], at);
  expect(untagged.calls[1]).toEqual(["putBucketTagging", { Bucket: "b", Tagging: { TagSet: [{ Key: "kubeplane:kept", Value: "2026-12-02T11:00:00.000Z" }] } }]);
  // Any other error rejects (then destroy keeps the state and destroys nothing).
  const denied = aws({ getBucketTagging: () => Promise.reject(Object.assign(new Error("Access Denied"), { name: "AccessDenied" })) });
  await expect(new AwsTaggedResources("dev", "eu-west-1", { connect: denied.connect }).markKept([{ type: "aws_s3_bucket", id: "b" }], at)).rejects.toThrow("Access Denied");
});

test("adoptionImportId: the provider's import ids (aws provider docs, Import sections): settings by bucket name, the key by id, the alias by name", () => {
  const resources = new AwsTaggedResources("dev", "eu-west-1");
  const kept = [
    { type: "aws_s3_bucket", id: "kp-dev-1-eu-west-1", keptSince: "t" },
    { type: "aws_kms_key", id: "key-1234", keptSince: "t" },
  ];
  expect(resources.adoptionImportId("aws_s3_bucket", { bucket: "kp-dev-${data.aws_caller_identity.a.account_id}" }, kept)).toBe("kp-dev-1-eu-west-1");
  for (const t of ["versioning", "server_side_encryption_configuration", "public_access_block", "policy", "lifecycle_configuration"]) {
    expect(resources.adoptionImportId(`aws_s3_bucket_${t}`, { bucket: "${aws_s3_bucket.backups_bucket_1.id}" }, kept)).toBe("kp-dev-1-eu-west-1");
  }
  expect(resources.adoptionImportId("aws_kms_key", {}, kept)).toBe("key-1234");
  expect(resources.adoptionImportId("aws_kms_alias", { name: "alias/kubeplane/dev/backups" }, kept)).toBe("alias/kubeplane/dev/backups");
  expect(resources.adoptionImportId("aws_iam_role_policy", {}, kept)).toBeUndefined();
  // Nothing kept, or two buckets kept: nothing to import (which is which cannot be told).
  expect(resources.adoptionImportId("aws_s3_bucket", {}, [])).toBeUndefined();
  expect(resources.adoptionImportId("aws_kms_alias", { name: "alias/x" }, [])).toBeUndefined();
  expect(resources.adoptionImportId("aws_s3_bucket", {}, [...kept, { type: "aws_s3_bucket", id: "other", keptSince: "t" }])).toBeUndefined();
});
