/**
 * An AWS cluster's tagged resources (cluster-resources.ts): every resource type kubeplane creates
 * that carries `kubeplane:cluster=<name>` (the provider's default tag), found by the tag and
 * removed in dependency order (REMOVAL_ORDER): auto-scaling groups and instances first, load
 * balancers and target groups, flow logs, NAT gateways, Elastic IPs (released), internet gateways
 * (detached), launch templates, subnets, route tables, security groups, VPCs; then Route53 zones
 * (their records first), IAM instance profiles, roles (their policies detached) and policies,
 * log groups, S3 buckets (emptied, every version), secrets, parameters, SSM documents, and KMS keys last
 * (scheduled for deletion, the shortest window: 7 days).
 *
 * How each is found:
 * - EC2 (instances, NAT gateways, Elastic IPs, internet gateways, launch templates, subnets,
 *   route tables, security groups, VPCs): EC2's describe calls with a `tag:` filter, as the
 *   removal needs them anyway, and moto 5.2.1 leaves Elastic IPs and launch templates out of
 *   the Tagging API's GetResources (moto/resourcegroupstaggingapi/models.py, get_resources_generator).
 * - S3 buckets, KMS keys, CloudWatch log groups, ELBv2 load balancers and target groups, Route53
 *   hosted zones, SSM parameters and documents, Secrets Manager secrets, VPC flow logs: the Resource Groups Tagging API's
 *   GetResources with a tag filter (AWS supports these services:
 *   https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html;
 *   moto 5.2.1 implements all of them but Route53). A KMS key pending deletion is gone for
 *   kubeplane (destroy schedules it): DescribeKey leaves those out.
 * - Auto Scaling groups: Auto Scaling's DescribeAutoScalingGroups with a `tag:` filter (Auto
 *   Scaling is not in the Tagging API).
 * - IAM roles, instance profiles and customer-managed policies: IAM is global and has no tag
 *   filter; ListRoles / ListInstanceProfiles / ListPolicies (Scope=Local), then the tags of those
 *   whose name starts with `kubeplane-` (every IAM name kubeplane gives does).
 *
 * Kept, not orphans: a destroyed cluster's backup bucket and key that the destroy kept carry
 * `kubeplane:kept=<time>` (tags.ts KEPT_TAG; markKept puts it); GetResources returns each
 * resource's tags, and `keptSince` says so. adoptionImportId gives a deploy their import ids.
 *
 * Not orphans by design: the SSM parameters under `/kubeplane/<cluster>/` and the secrets under
 * `kubeplane/<cluster>/` that the nodes write at run time (no state has them; `destroy` removes
 * them with the cluster, runtime-data.ts); an auto-scaling group's instances (the group is in a
 * state); a VPC's main route table and default security group.
 *
 * The SDK clients are loaded only when `list` or `remove` runs; they take their region from the
 * cluster (IAM and Route53 are global) and everything else (AWS_ENDPOINT_URL, AWS_PROFILE,
 * credentials) from the environment.
 */
import type { ClusterResourceRemoval, ClusterResources, TaggedResource } from "../cluster-resources";
import { CLUSTER_TAG, KEPT_TAG } from "./tags";

/** Types in the order they are removed: what uses others first, the network, then IAM, data and keys last. */
export const REMOVAL_ORDER = [
  "aws_autoscaling_group",
  "aws_instance",
  "aws_lb",
  "aws_lb_target_group",
  "aws_flow_log",
  "aws_nat_gateway",
  "aws_eip",
  "aws_internet_gateway",
  "aws_launch_template",
  "aws_subnet",
  "aws_route_table",
  "aws_security_group",
  "aws_vpc",
  "aws_route53_zone",
  "aws_iam_instance_profile",
  "aws_iam_role",
  "aws_iam_policy",
  "aws_cloudwatch_log_group",
  "aws_s3_bucket",
  "aws_secretsmanager_secret",
  "aws_ssm_parameter",
  "aws_ssm_document",
  "aws_kms_key",
] as const;
export type AwsTaggedType = (typeof REMOVAL_ORDER)[number];

type Filter = { Name: string; Values: string[] };

/** The tag EC2 Auto Scaling puts on the instances it launches (AWS sets it; so does moto). */
export const AUTO_SCALING_GROUP_TAG = "aws:autoscaling:groupName";

/**
 * The EC2 calls made, shaped as the SDK's inputs and outputs (DescribeVpcsCommand, ...), so that
 * tests can stand in for EC2. Only the fields read here are typed.
 */
export interface Ec2Calls {
  describeInstances(input: { Filters: Filter[] }): Promise<{ Reservations?: { Instances?: { InstanceId?: string; Tags?: { Key?: string; Value?: string }[] }[] }[] }>;
  describeNatGateways(input: { Filter: Filter[] } | { NatGatewayIds: string[] }): Promise<{ NatGateways?: { NatGatewayId?: string; State?: string }[] }>;
  describeAddresses(input: { Filters: Filter[] }): Promise<{ Addresses?: { AllocationId?: string; AssociationId?: string }[] }>;
  describeInternetGateways(input: { Filters: Filter[] }): Promise<{ InternetGateways?: { InternetGatewayId?: string; Attachments?: { VpcId?: string }[] }[] }>;
  describeLaunchTemplates(input: { Filters: Filter[] }): Promise<{ LaunchTemplates?: { LaunchTemplateId?: string }[] }>;
  describeSubnets(input: { Filters: Filter[] }): Promise<{ Subnets?: { SubnetId?: string }[] }>;
  describeRouteTables(input: { Filters: Filter[] }): Promise<{ RouteTables?: { RouteTableId?: string; Associations?: { RouteTableAssociationId?: string; Main?: boolean }[] }[] }>;
  describeSecurityGroups(input: { Filters: Filter[] }): Promise<{ SecurityGroups?: { GroupId?: string; GroupName?: string }[] }>;
  describeVpcs(input: { Filters: Filter[] }): Promise<{ Vpcs?: { VpcId?: string }[] }>;
  terminateInstances(input: { InstanceIds: string[] }): Promise<unknown>;
  deleteNatGateway(input: { NatGatewayId: string }): Promise<unknown>;
  disassociateAddress(input: { AssociationId: string }): Promise<unknown>;
  releaseAddress(input: { AllocationId: string }): Promise<unknown>;
  detachInternetGateway(input: { InternetGatewayId: string; VpcId: string }): Promise<unknown>;
  deleteInternetGateway(input: { InternetGatewayId: string }): Promise<unknown>;
  deleteLaunchTemplate(input: { LaunchTemplateId: string }): Promise<unknown>;
  deleteSubnet(input: { SubnetId: string }): Promise<unknown>;
  disassociateRouteTable(input: { AssociationId: string }): Promise<unknown>;
  deleteRouteTable(input: { RouteTableId: string }): Promise<unknown>;
  deleteSecurityGroup(input: { GroupId: string }): Promise<unknown>;
  deleteVpc(input: { VpcId: string }): Promise<unknown>;
}

type Tag = { Key?: string; Value?: string };
type Page<K extends string, T> = { [P in K]?: T[] } & { IsTruncated?: boolean; Marker?: string };

/**
 * The calls beyond EC2, shaped as the SDK's inputs and outputs (GetResourcesCommand,
 * DescribeAutoScalingGroupsCommand, ListRolesCommand, ...), so that tests can stand in for AWS.
 * Only the fields read here are typed.
 */
export interface ServiceCalls {
  getResources(input: { TagFilters: { Key: string; Values: string[] }[]; PaginationToken?: string }): Promise<{ ResourceTagMappingList?: { ResourceARN?: string; Tags?: Tag[] }[]; PaginationToken?: string }>;
  getBucketTagging(input: { Bucket: string }): Promise<{ TagSet?: Tag[] }>;
  putBucketTagging(input: { Bucket: string; Tagging: { TagSet: { Key: string; Value: string }[] } }): Promise<unknown>;
  tagResource(input: { KeyId: string; Tags: { TagKey: string; TagValue: string }[] }): Promise<unknown>;
  describeAutoScalingGroups(input: { Filters: Filter[]; NextToken?: string }): Promise<{ AutoScalingGroups?: { AutoScalingGroupName?: string }[]; NextToken?: string }>;
  deleteAutoScalingGroup(input: { AutoScalingGroupName: string; ForceDelete: boolean }): Promise<unknown>;
  describeKey(input: { KeyId: string }): Promise<{ KeyMetadata?: { KeyState?: string } }>;
  scheduleKeyDeletion(input: { KeyId: string; PendingWindowInDays: number }): Promise<unknown>;
  listRoles(input: { Marker?: string }): Promise<Page<"Roles", { RoleName?: string }>>;
  listRoleTags(input: { RoleName: string }): Promise<{ Tags?: Tag[] }>;
  listInstanceProfiles(input: { Marker?: string }): Promise<Page<"InstanceProfiles", { InstanceProfileName?: string; Roles?: { RoleName?: string }[] }>>;
  listInstanceProfileTags(input: { InstanceProfileName: string }): Promise<{ Tags?: Tag[] }>;
  listPolicies(input: { Scope: "Local"; Marker?: string }): Promise<Page<"Policies", { PolicyName?: string; Arn?: string }>>;
  listPolicyTags(input: { PolicyArn: string }): Promise<{ Tags?: Tag[] }>;
  removeRoleFromInstanceProfile(input: { InstanceProfileName: string; RoleName: string }): Promise<unknown>;
  deleteInstanceProfile(input: { InstanceProfileName: string }): Promise<unknown>;
  listInstanceProfilesForRole(input: { RoleName: string }): Promise<{ InstanceProfiles?: { InstanceProfileName?: string }[] }>;
  listAttachedRolePolicies(input: { RoleName: string }): Promise<{ AttachedPolicies?: { PolicyArn?: string }[] }>;
  detachRolePolicy(input: { RoleName: string; PolicyArn: string }): Promise<unknown>;
  listRolePolicies(input: { RoleName: string }): Promise<{ PolicyNames?: string[] }>;
  deleteRolePolicy(input: { RoleName: string; PolicyName: string }): Promise<unknown>;
  deleteRole(input: { RoleName: string }): Promise<unknown>;
  listEntitiesForPolicy(input: { PolicyArn: string }): Promise<{ PolicyRoles?: { RoleName?: string }[]; PolicyUsers?: { UserName?: string }[]; PolicyGroups?: { GroupName?: string }[] }>;
  detachUserPolicy(input: { UserName: string; PolicyArn: string }): Promise<unknown>;
  detachGroupPolicy(input: { GroupName: string; PolicyArn: string }): Promise<unknown>;
  listPolicyVersions(input: { PolicyArn: string }): Promise<{ Versions?: { VersionId?: string; IsDefaultVersion?: boolean }[] }>;
  deletePolicyVersion(input: { PolicyArn: string; VersionId: string }): Promise<unknown>;
  deletePolicy(input: { PolicyArn: string }): Promise<unknown>;
  deleteLogGroup(input: { logGroupName: string }): Promise<unknown>;
  listObjectVersions(input: { Bucket: string; KeyMarker?: string; VersionIdMarker?: string }): Promise<{
    Versions?: { Key?: string; VersionId?: string }[];
    DeleteMarkers?: { Key?: string; VersionId?: string }[];
    IsTruncated?: boolean;
    NextKeyMarker?: string;
    NextVersionIdMarker?: string;
  }>;
  deleteObjects(input: { Bucket: string; Delete: { Objects: { Key: string; VersionId?: string }[]; Quiet: boolean } }): Promise<unknown>;
  deleteBucket(input: { Bucket: string }): Promise<unknown>;
  deleteSecret(input: { SecretId: string; ForceDeleteWithoutRecovery: boolean }): Promise<unknown>;
  deleteParameter(input: { Name: string }): Promise<unknown>;
  deleteDocument(input: { Name: string }): Promise<unknown>;
  deleteFlowLogs(input: { FlowLogIds: string[] }): Promise<unknown>;
  deleteLoadBalancer(input: { LoadBalancerArn: string }): Promise<unknown>;
  deleteTargetGroup(input: { TargetGroupArn: string }): Promise<unknown>;
  listResourceRecordSets(input: { HostedZoneId: string; StartRecordName?: string; StartRecordType?: string }): Promise<{
    ResourceRecordSets?: Record<string, unknown>[];
    IsTruncated?: boolean;
    NextRecordName?: string;
    NextRecordType?: string;
  }>;
  changeResourceRecordSets(input: { HostedZoneId: string; ChangeBatch: { Changes: { Action: "DELETE"; ResourceRecordSet: Record<string, unknown> }[] } }): Promise<unknown>;
  deleteHostedZone(input: { Id: string }): Promise<unknown>;
}

/** Every call this module makes. */
export type AwsCalls = Ec2Calls & ServiceCalls;

/** The name prefix of every IAM role, instance profile and policy kubeplane creates. */
export const IAM_NAME_PREFIX = "kubeplane-";

/**
 * The Terraform type and id of a resource from its ARN as GetResources answers, for the types
 * found that way (others, EC2's among them, are undefined: EC2 is asked directly).
 */
export function resourceFromArn(arn: string): { type: AwsTaggedType; id: string } | undefined {
  const m = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.*)$/.exec(arn);
  if (!m) return undefined;
  const [, service, resource] = m;
  switch (service) {
    case "s3":
      return resource.includes("/") ? undefined : { type: "aws_s3_bucket", id: resource };
    case "kms":
      return resource.startsWith("key/") ? { type: "aws_kms_key", id: resource.slice(4) } : undefined;
    case "logs":
      return resource.startsWith("log-group:") ? { type: "aws_cloudwatch_log_group", id: resource.slice("log-group:".length).replace(/:\*$/, "") } : undefined;
    case "elasticloadbalancing":
      if (resource.startsWith("loadbalancer/")) return { type: "aws_lb", id: arn };
      return resource.startsWith("targetgroup/") ? { type: "aws_lb_target_group", id: arn } : undefined;
    case "route53":
      return resource.startsWith("hostedzone/") ? { type: "aws_route53_zone", id: resource.slice("hostedzone/".length) } : undefined;
    case "secretsmanager":
      // Terraform's id of an aws_secretsmanager_secret is its ARN.
      return resource.startsWith("secret:") ? { type: "aws_secretsmanager_secret", id: arn } : undefined;
    case "ssm":
      if (resource.startsWith("document/")) return { type: "aws_ssm_document", id: resource.slice("document/".length) };
      // parameter/kubeplane/dev/x is the parameter /kubeplane/dev/x (a name without a leading / keeps none).
      return resource.startsWith("parameter/") ? { type: "aws_ssm_parameter", id: resource.slice("parameter".length) } : undefined;
    case "ec2": {
      // Flow logs only (EC2's other types are asked for directly): AWS names them vpc-flow-log/,
      // moto 5.2.1 flow-logs/ (resourcegroupstaggingapi/models.py).
      const flow = /^(vpc-flow-log|flow-logs)\/(fl-[0-9a-z]+)$/.exec(resource);
      return flow ? { type: "aws_flow_log", id: flow[2] } : undefined;
    }
    default:
      return undefined;
  }
}

/** A tagged AWS resource, with what its removal needs to know. */
export interface AwsTaggedResource extends TaggedResource {
  readonly type: AwsTaggedType;
  /** Elastic IP: its association; internet gateway: attached VPCs; route table: non-main associations. */
  readonly associations?: readonly string[];
}

/** Options of AwsTaggedResources. */
export interface AwsTaggedResourcesOptions {
  /** Makes the calls. @default SDK clients for the region */
  readonly connect?: (region: string) => Promise<AwsCalls & { close(): void }>;
  /** Waits between polls of a NAT gateway being deleted. @default 2 s */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How many polls a NAT gateway's deletion may take. @default 90 (3 minutes) */
  readonly natGatewayPolls?: number;
}

const message = (e: unknown) => (e instanceof Error ? `${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}` : String(e));
const ids = <T>(items: readonly T[] | undefined, id: (item: T) => string | undefined) => (items ?? []).map(id).filter((v): v is string => Boolean(v));

/** The tagged EC2 resources of one cluster, in its region. */
export class AwsTaggedResources implements ClusterResources {
  readonly location: string;
  private readonly filter: Filter[];
  private readonly clusterName: string;

  /**
   * @param clusterName the value of the `kubeplane:cluster` tag
   * @param region the cluster's region
   */
  constructor(
    clusterName: string,
    private readonly region: string,
    private readonly options: AwsTaggedResourcesOptions = {},
  ) {
    if (!clusterName) throw new Error("AwsTaggedResources: clusterName is empty");
    if (!region) throw new Error(`AwsTaggedResources: region is empty (cluster "${clusterName}")`);
    this.clusterName = clusterName;
    this.filter = [{ Name: `tag:${CLUSTER_TAG}`, Values: [clusterName] }];
    this.location = `resources tagged ${CLUSTER_TAG}=${clusterName} in ${region} and IAM`;
  }

  private connect(): Promise<AwsCalls & { close(): void }> {
    return (this.options.connect ?? sdkCalls)(this.region);
  }

  async list(): Promise<AwsTaggedResource[]> {
    const ec2 = await this.connect();
    try {
      const Filters = this.filter;
      const [instances, nats, addresses, gateways, templates, subnets, tables, groups, vpcs] = await Promise.all([
        ec2.describeInstances({ Filters: [...Filters, { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }] }),
        ec2.describeNatGateways({ Filter: [...Filters, { Name: "state", Values: ["pending", "available", "failed"] }] }),
        ec2.describeAddresses({ Filters }),
        ec2.describeInternetGateways({ Filters }),
        ec2.describeLaunchTemplates({ Filters }),
        ec2.describeSubnets({ Filters }),
        ec2.describeRouteTables({ Filters }),
        ec2.describeSecurityGroups({ Filters }),
        ec2.describeVpcs({ Filters }),
      ]);
      const found: AwsTaggedResource[] = [
        // An auto-scaling group's instances are its own (the group is in a state): not orphans.
        ...ids(
          (instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => !(i.Tags ?? []).some((t) => t.Key === AUTO_SCALING_GROUP_TAG)),
          (i) => i.InstanceId,
        ).map((id) => ({ type: "aws_instance" as const, id })),
        ...ids(nats.NatGateways, (n) => n.NatGatewayId).map((id) => ({ type: "aws_nat_gateway" as const, id })),
        ...(addresses.Addresses ?? [])
          .filter((a) => a.AllocationId)
          .map((a) => ({ type: "aws_eip" as const, id: a.AllocationId!, associations: a.AssociationId ? [a.AssociationId] : [] })),
        ...(gateways.InternetGateways ?? [])
          .filter((g) => g.InternetGatewayId)
          .map((g) => ({ type: "aws_internet_gateway" as const, id: g.InternetGatewayId!, associations: ids(g.Attachments, (a) => a.VpcId) })),
        ...ids(templates.LaunchTemplates, (t) => t.LaunchTemplateId).map((id) => ({ type: "aws_launch_template" as const, id })),
        ...ids(subnets.Subnets, (s) => s.SubnetId).map((id) => ({ type: "aws_subnet" as const, id })),
        ...(tables.RouteTables ?? [])
          // A VPC's main route table goes with the VPC; it cannot be deleted on its own.
          .filter((t) => t.RouteTableId && !(t.Associations ?? []).some((a) => a.Main))
          .map((t) => ({ type: "aws_route_table" as const, id: t.RouteTableId!, associations: ids(t.Associations, (a) => a.RouteTableAssociationId) })),
        // A VPC's default group goes with the VPC; it cannot be deleted on its own.
        ...ids((groups.SecurityGroups ?? []).filter((g) => g.GroupName !== "default"), (g) => g.GroupId).map((id) => ({ type: "aws_security_group" as const, id })),
        ...ids(vpcs.Vpcs, (v) => v.VpcId).map((id) => ({ type: "aws_vpc" as const, id })),
      ];
      const [tagged, groupsOfAsg, iam] = await Promise.all([this.taggedByArn(ec2), this.autoScalingGroups(ec2), this.iamResources(ec2)]);
      return [...found, ...groupsOfAsg, ...tagged, ...iam];
    } finally {
      ec2.close();
    }
  }

  /**
   * The kept bucket and key: only GetResources (the kept tag is on no type found another way),
   * not EC2, Auto Scaling or IAM, since deploy asks this every time.
   */
  async listKept(): Promise<AwsTaggedResource[]> {
    const calls = await this.connect();
    try {
      return (await this.taggedByArn(calls)).filter((r) => r.keptSince !== undefined);
    } finally {
      calls.close();
    }
  }

  /** What GetResources finds with the tag, less the nodes' run-time data and keys pending deletion. */
  private async taggedByArn(calls: AwsCalls): Promise<AwsTaggedResource[]> {
    const found: AwsTaggedResource[] = [];
    let token: string | undefined;
    do {
      const page = await calls.getResources({ TagFilters: [{ Key: CLUSTER_TAG, Values: [this.clusterName] }], ...(token ? { PaginationToken: token } : {}) });
      for (const mapping of page.ResourceTagMappingList ?? []) {
        const resource = mapping.ResourceARN ? resourceFromArn(mapping.ResourceARN) : undefined;
        const keptSince = (mapping.Tags ?? []).find((t) => t.Key === KEPT_TAG)?.Value;
        if (resource) found.push(keptSince === undefined ? resource : { ...resource, keptSince });
      }
      token = page.PaginationToken || undefined;
    } while (token);
    const runtimeParameters = `/kubeplane/${this.clusterName}/`;
    const runtimeSecrets = `:secret:kubeplane/${this.clusterName}/`;
    const kept: AwsTaggedResource[] = [];
    for (const r of found) {
      if (r.type === "aws_ssm_parameter" && r.id.startsWith(runtimeParameters)) continue;
      if (r.type === "aws_secretsmanager_secret" && r.id.includes(runtimeSecrets)) continue;
      if (r.type === "aws_kms_key") {
        const state = (await calls.describeKey({ KeyId: r.id })).KeyMetadata?.KeyState;
        if (state === "PendingDeletion" || state === "PendingReplicaDeletion") continue;
      }
      kept.push(r);
    }
    return kept;
  }

  private async autoScalingGroups(calls: AwsCalls): Promise<AwsTaggedResource[]> {
    const found: AwsTaggedResource[] = [];
    let token: string | undefined;
    do {
      const page = await calls.describeAutoScalingGroups({ Filters: this.filter, ...(token ? { NextToken: token } : {}) });
      for (const id of ids(page.AutoScalingGroups, (g) => g.AutoScalingGroupName)) found.push({ type: "aws_autoscaling_group", id });
      token = page.NextToken || undefined;
    } while (token);
    return found;
  }

  /** IAM roles, instance profiles and local policies named `kubeplane-...` that carry the tag. */
  private async iamResources(calls: AwsCalls): Promise<AwsTaggedResource[]> {
    const tagged = (tags: Tag[] | undefined) => (tags ?? []).some((t) => t.Key === CLUSTER_TAG && t.Value === this.clusterName);
    const all = async <T>(list: (marker?: string) => Promise<{ IsTruncated?: boolean; Marker?: string } & Record<string, unknown>>, key: string): Promise<T[]> => {
      const items: T[] = [];
      let marker: string | undefined;
      do {
        const page = await list(marker);
        items.push(...((page[key] as T[] | undefined) ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return items;
    };
    const ours = (name: string | undefined): name is string => Boolean(name?.startsWith(IAM_NAME_PREFIX));
    const [roles, profiles, policies] = await Promise.all([
      all<{ RoleName?: string }>((Marker) => calls.listRoles({ ...(Marker ? { Marker } : {}) }), "Roles"),
      all<{ InstanceProfileName?: string; Roles?: { RoleName?: string }[] }>((Marker) => calls.listInstanceProfiles({ ...(Marker ? { Marker } : {}) }), "InstanceProfiles"),
      all<{ PolicyName?: string; Arn?: string }>((Marker) => calls.listPolicies({ Scope: "Local", ...(Marker ? { Marker } : {}) }), "Policies"),
    ]);
    const found: AwsTaggedResource[] = [];
    for (const p of profiles) {
      if (ours(p.InstanceProfileName) && tagged((await calls.listInstanceProfileTags({ InstanceProfileName: p.InstanceProfileName })).Tags)) {
        found.push({ type: "aws_iam_instance_profile", id: p.InstanceProfileName, associations: ids(p.Roles, (r) => r.RoleName) });
      }
    }
    for (const r of roles) {
      if (ours(r.RoleName) && tagged((await calls.listRoleTags({ RoleName: r.RoleName })).Tags)) found.push({ type: "aws_iam_role", id: r.RoleName });
    }
    for (const p of policies) {
      // Terraform's id of an aws_iam_policy is its ARN.
      if (ours(p.PolicyName) && p.Arn && tagged((await calls.listPolicyTags({ PolicyArn: p.Arn })).Tags)) found.push({ type: "aws_iam_policy", id: p.Arn });
    }
    return found;
  }

  async remove(resources: readonly TaggedResource[]): Promise<ClusterResourceRemoval> {
    const ordered = inRemovalOrder(resources);
    const removed: TaggedResource[] = [];
    const failed: { resource: TaggedResource; error: string }[] = [];
    if (ordered.length === 0) return { removed, failed };
    const ec2 = await this.connect();
    try {
      for (const resource of ordered) {
        try {
          await this.removeOne(ec2, resource);
          removed.push(resource);
        } catch (e) {
          failed.push({ resource, error: message(e) });
        }
      }
    } finally {
      ec2.close();
    }
    return { removed, failed };
  }

  private async removeOne(ec2: AwsCalls, resource: AwsTaggedResource): Promise<void> {
    const id = resource.id;
    switch (resource.type) {
      case "aws_autoscaling_group":
        // ForceDelete terminates the group's instances with it.
        return void (await ec2.deleteAutoScalingGroup({ AutoScalingGroupName: id, ForceDelete: true }));
      case "aws_lb":
        return void (await ec2.deleteLoadBalancer({ LoadBalancerArn: id }));
      case "aws_lb_target_group":
        return void (await ec2.deleteTargetGroup({ TargetGroupArn: id }));
      case "aws_route53_zone":
        return removeHostedZone(ec2, id);
      case "aws_iam_instance_profile":
        for (const role of resource.associations ?? []) await ec2.removeRoleFromInstanceProfile({ InstanceProfileName: id, RoleName: role });
        return void (await ec2.deleteInstanceProfile({ InstanceProfileName: id }));
      case "aws_iam_role":
        return removeRole(ec2, id);
      case "aws_iam_policy":
        return removePolicy(ec2, id);
      case "aws_cloudwatch_log_group":
        return void (await ec2.deleteLogGroup({ logGroupName: id }));
      case "aws_s3_bucket":
        return removeBucket(ec2, id);
      case "aws_secretsmanager_secret":
        return void (await ec2.deleteSecret({ SecretId: id, ForceDeleteWithoutRecovery: true }));
      case "aws_ssm_parameter":
        return void (await ec2.deleteParameter({ Name: id }));
      case "aws_ssm_document":
        return void (await ec2.deleteDocument({ Name: id }));
      case "aws_flow_log":
        return void (await ec2.deleteFlowLogs({ FlowLogIds: [id] }));
      case "aws_kms_key":
        return void (await ec2.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 }));
      case "aws_instance":
        return void (await ec2.terminateInstances({ InstanceIds: [id] }));
      case "aws_nat_gateway":
        await ec2.deleteNatGateway({ NatGatewayId: id });
        return this.natGatewayDeleted(ec2, id);
      case "aws_eip":
        for (const association of resource.associations ?? []) await ec2.disassociateAddress({ AssociationId: association });
        return void (await ec2.releaseAddress({ AllocationId: id }));
      case "aws_internet_gateway":
        for (const vpc of resource.associations ?? []) await ec2.detachInternetGateway({ InternetGatewayId: id, VpcId: vpc });
        return void (await ec2.deleteInternetGateway({ InternetGatewayId: id }));
      case "aws_launch_template":
        return void (await ec2.deleteLaunchTemplate({ LaunchTemplateId: id }));
      case "aws_subnet":
        return void (await ec2.deleteSubnet({ SubnetId: id }));
      case "aws_route_table":
        for (const association of resource.associations ?? []) await ec2.disassociateRouteTable({ AssociationId: association });
        return void (await ec2.deleteRouteTable({ RouteTableId: id }));
      case "aws_security_group":
        return void (await ec2.deleteSecurityGroup({ GroupId: id }));
      case "aws_vpc":
        return void (await ec2.deleteVpc({ VpcId: id }));
    }
  }

  /** A NAT gateway holds its Elastic IP and subnet until it is `deleted`: wait for that. */
  private async natGatewayDeleted(ec2: Ec2Calls, id: string): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const polls = this.options.natGatewayPolls ?? 90;
    for (let i = 0; i < polls; i++) {
      const answer = await ec2.describeNatGateways({ NatGatewayIds: [id] });
      const state = answer.NatGateways?.[0]?.State;
      if (state === undefined || state === "deleted") return;
      await sleep(2000);
    }
    throw new Error(`NAT gateway ${id} was not deleted after ${polls} polls`);
  }

  /**
   * Tags the kept bucket and key `kubeplane:kept=<at>` (tags.ts KEPT_TAG): S3's PutBucketTagging
   * replaces the whole set, so the bucket's tags are read and merged first; KMS's TagResource adds.
   * A KMS alias carries no tag (it is found through its key).
   */
  async markKept(resources: readonly TaggedResource[], at: Date): Promise<void> {
    const taggable = resources.filter((r) => r.type === "aws_s3_bucket" || r.type === "aws_kms_key");
    if (taggable.length === 0) return;
    const value = at.toISOString();
    const calls = await this.connect();
    try {
      for (const r of taggable) {
        if (r.type === "aws_kms_key") {
          await calls.tagResource({ KeyId: r.id, Tags: [{ TagKey: KEPT_TAG, TagValue: value }] });
          continue;
        }
        let current: Tag[] = [];
        try {
          current = (await calls.getBucketTagging({ Bucket: r.id })).TagSet ?? [];
        } catch (e) {
          // A bucket without tags answers NoSuchTagSet (S3 API reference, GetBucketTagging).
          if (!(e instanceof Error && e.name === "NoSuchTagSet")) throw e;
        }
        const TagSet = [
          ...current.filter((t): t is { Key: string; Value: string } => Boolean(t.Key) && t.Key !== KEPT_TAG && t.Value !== undefined),
          { Key: KEPT_TAG, Value: value },
        ];
        await calls.putBucketTagging({ Bucket: r.id, Tagging: { TagSet } });
      }
    } finally {
      calls.close();
    }
  }

  /**
   * The import ids (the provider's documented `terraform import` ids) of a kept backup store's
   * resources: the bucket and its settings (versioning, encryption, public access block, policy,
   * lifecycle) by the bucket's name, the key by its id, the alias by its name. One kept bucket and
   * one kept key only: with several, which is which cannot be told, and nothing is imported.
   */
  adoptionImportId(type: string, config: Readonly<Record<string, unknown>>, kept: readonly TaggedResource[]): string | undefined {
    const only = (t: AwsTaggedType) => {
      const of = kept.filter((r) => r.type === t);
      return of.length === 1 ? of[0].id : undefined;
    };
    if (type === "aws_s3_bucket" || type.startsWith("aws_s3_bucket_")) return only("aws_s3_bucket");
    if (type === "aws_kms_key") return only("aws_kms_key");
    if (type === "aws_kms_alias") return only("aws_kms_key") && typeof config.name === "string" && !config.name.includes("${") ? config.name : undefined;
    return undefined;
  }

  manualRemoval(resources: readonly TaggedResource[]): string[] {
    const r = `--region ${this.region}`;
    return inRemovalOrder(resources).flatMap((resource) => {
      const id = resource.id;
      switch (resource.type) {
        case "aws_autoscaling_group":
          return [`aws autoscaling delete-auto-scaling-group ${r} --auto-scaling-group-name ${id} --force-delete`];
        case "aws_lb":
          return [`aws elbv2 delete-load-balancer ${r} --load-balancer-arn ${id}`];
        case "aws_lb_target_group":
          return [`aws elbv2 delete-target-group ${r} --target-group-arn ${id}`];
        case "aws_route53_zone":
          return [`# delete the zone's records other than its SOA and NS first (aws route53 change-resource-record-sets), then:`, `aws route53 delete-hosted-zone --id ${id}`];
        case "aws_iam_instance_profile":
          return [...(resource.associations ?? []).map((role) => `aws iam remove-role-from-instance-profile --instance-profile-name ${id} --role-name ${role}`), `aws iam delete-instance-profile --instance-profile-name ${id}`];
        case "aws_iam_role":
          return [`# detach its managed policies (aws iam detach-role-policy) and delete its inline ones (aws iam delete-role-policy), then:`, `aws iam delete-role --role-name ${id}`];
        case "aws_iam_policy":
          return [`# detach it from every role, user and group, and delete its non-default versions, then:`, `aws iam delete-policy --policy-arn ${id}`];
        case "aws_cloudwatch_log_group":
          return [`aws logs delete-log-group ${r} --log-group-name ${id}`];
        case "aws_s3_bucket":
          return [`# delete every object version and delete marker first, then:`, `aws s3api delete-bucket ${r} --bucket ${id}`];
        case "aws_secretsmanager_secret":
          return [`aws secretsmanager delete-secret ${r} --secret-id ${id} --force-delete-without-recovery`];
        case "aws_ssm_parameter":
          return [`aws ssm delete-parameter ${r} --name ${id}`];
        case "aws_ssm_document":
          return [`aws ssm delete-document ${r} --name ${id}`];
        case "aws_flow_log":
          return [`aws ec2 delete-flow-logs ${r} --flow-log-ids ${id}`];
        case "aws_kms_key":
          return [`aws kms schedule-key-deletion ${r} --key-id ${id} --pending-window-in-days 7`];
        case "aws_instance":
          return [`aws ec2 terminate-instances ${r} --instance-ids ${id}`];
        case "aws_nat_gateway":
          return [`aws ec2 delete-nat-gateway ${r} --nat-gateway-id ${id}`, `aws ec2 wait nat-gateway-deleted ${r} --nat-gateway-ids ${id}`];
        case "aws_eip":
          return [...(resource.associations ?? []).map((a) => `aws ec2 disassociate-address ${r} --association-id ${a}`), `aws ec2 release-address ${r} --allocation-id ${id}`];
        case "aws_internet_gateway":
          return [...(resource.associations ?? []).map((v) => `aws ec2 detach-internet-gateway ${r} --internet-gateway-id ${id} --vpc-id ${v}`), `aws ec2 delete-internet-gateway ${r} --internet-gateway-id ${id}`];
        case "aws_launch_template":
          return [`aws ec2 delete-launch-template ${r} --launch-template-id ${id}`];
        case "aws_subnet":
          return [`aws ec2 delete-subnet ${r} --subnet-id ${id}`];
        case "aws_route_table":
          return [...(resource.associations ?? []).map((a) => `aws ec2 disassociate-route-table ${r} --association-id ${a}`), `aws ec2 delete-route-table ${r} --route-table-id ${id}`];
        case "aws_security_group":
          return [`aws ec2 delete-security-group ${r} --group-id ${id}`];
        case "aws_vpc":
          return [`aws ec2 delete-vpc ${r} --vpc-id ${id}`];
      }
    });
  }
}

/** `resources` (those of types this module knows) in removal order; the order within a type is kept. */
export function inRemovalOrder(resources: readonly TaggedResource[]): AwsTaggedResource[] {
  const rank = (t: string) => (REMOVAL_ORDER as readonly string[]).indexOf(t);
  return resources
    .filter((r): r is AwsTaggedResource => rank(r.type) >= 0)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.type) - rank(b.r.type) || a.i - b.i)
    .map(({ r }) => r);
}

/** A role's managed policies detached, inline ones deleted, instance profiles left; then the role. */
async function removeRole(calls: AwsCalls, role: string): Promise<void> {
  for (const p of ids((await calls.listInstanceProfilesForRole({ RoleName: role })).InstanceProfiles, (x) => x.InstanceProfileName)) {
    await calls.removeRoleFromInstanceProfile({ InstanceProfileName: p, RoleName: role });
  }
  for (const arn of ids((await calls.listAttachedRolePolicies({ RoleName: role })).AttachedPolicies, (x) => x.PolicyArn)) await calls.detachRolePolicy({ RoleName: role, PolicyArn: arn });
  for (const name of (await calls.listRolePolicies({ RoleName: role })).PolicyNames ?? []) await calls.deleteRolePolicy({ RoleName: role, PolicyName: name });
  await calls.deleteRole({ RoleName: role });
}

/** A policy detached from everything, its non-default versions deleted; then the policy. */
async function removePolicy(calls: AwsCalls, arn: string): Promise<void> {
  const entities = await calls.listEntitiesForPolicy({ PolicyArn: arn });
  for (const role of ids(entities.PolicyRoles, (x) => x.RoleName)) await calls.detachRolePolicy({ RoleName: role, PolicyArn: arn });
  for (const user of ids(entities.PolicyUsers, (x) => x.UserName)) await calls.detachUserPolicy({ UserName: user, PolicyArn: arn });
  for (const group of ids(entities.PolicyGroups, (x) => x.GroupName)) await calls.detachGroupPolicy({ GroupName: group, PolicyArn: arn });
  for (const v of (await calls.listPolicyVersions({ PolicyArn: arn })).Versions ?? []) {
    if (v.VersionId && !v.IsDefaultVersion) await calls.deletePolicyVersion({ PolicyArn: arn, VersionId: v.VersionId });
  }
  await calls.deletePolicy({ PolicyArn: arn });
}

/** A bucket emptied of every object version and delete marker (DeleteObjects takes 1000 at a time); then the bucket. */
async function removeBucket(calls: AwsCalls, bucket: string): Promise<void> {
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await calls.listObjectVersions({ Bucket: bucket, ...markers });
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((o): o is { Key: string; VersionId?: string } => Boolean(o.Key))
      .map((o) => ({ Key: o.Key, ...(o.VersionId ? { VersionId: o.VersionId } : {}) }));
    for (let i = 0; i < objects.length; i += 1000) await calls.deleteObjects({ Bucket: bucket, Delete: { Objects: objects.slice(i, i + 1000), Quiet: true } });
    if (!page.IsTruncated) break;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  await calls.deleteBucket({ Bucket: bucket });
}

/** A hosted zone's records deleted (all but the zone's own SOA and NS, which go with it); then the zone. */
async function removeHostedZone(calls: AwsCalls, zone: string): Promise<void> {
  const records: Record<string, unknown>[] = [];
  let start: { StartRecordName?: string; StartRecordType?: string } = {};
  let apex: string | undefined;
  for (;;) {
    const page = await calls.listResourceRecordSets({ HostedZoneId: zone, ...start });
    for (const record of page.ResourceRecordSets ?? []) {
      if (record.Type === "SOA") apex = record.Name as string;
      records.push(record);
    }
    if (!page.IsTruncated) break;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
  const deletable = records.filter((r) => !(r.Type === "SOA" || (r.Type === "NS" && r.Name === apex)));
  if (deletable.length > 0) await calls.changeResourceRecordSets({ HostedZoneId: zone, ChangeBatch: { Changes: deletable.map((r) => ({ Action: "DELETE" as const, ResourceRecordSet: r })) } });
  await calls.deleteHostedZone({ Id: zone });
}

/** The calls through the SDK's clients, loaded now (not when this module is). */
async function sdkCalls(region: string): Promise<AwsCalls & { close(): void }> {
  const [sdk, asg, iam, kms, logs, s3, sm, ssm, elb, r53, tagging] = await Promise.all([
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-auto-scaling"),
    import("@aws-sdk/client-iam"),
    import("@aws-sdk/client-kms"),
    import("@aws-sdk/client-cloudwatch-logs"),
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-secrets-manager"),
    import("@aws-sdk/client-ssm"),
    import("@aws-sdk/client-elastic-load-balancing-v2"),
    import("@aws-sdk/client-route-53"),
    import("@aws-sdk/client-resource-groups-tagging-api"),
  ]);
  const client = new sdk.EC2Client({ region });
  const clients = {
    asg: new asg.AutoScalingClient({ region }),
    // IAM and Route53 are global; their SDK clients sign for us-east-1 whatever the region.
    iam: new iam.IAMClient({ region }),
    kms: new kms.KMSClient({ region }),
    logs: new logs.CloudWatchLogsClient({ region }),
    s3: new s3.S3Client({ region }),
    sm: new sm.SecretsManagerClient({ region }),
    ssm: new ssm.SSMClient({ region }),
    elb: new elb.ElasticLoadBalancingV2Client({ region }),
    r53: new r53.Route53Client({ region }),
    tagging: new tagging.ResourceGroupsTaggingAPIClient({ region }),
  };
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const send = (command: any) => client.send(command) as Promise<any>;
  const via = (c: { send: (command: any) => Promise<any> }) => (command: any) => c.send(command) as Promise<any>;
  const [a, i, k, l, b, m, p, e, z, t] = [clients.asg, clients.iam, clients.kms, clients.logs, clients.s3, clients.sm, clients.ssm, clients.elb, clients.r53, clients.tagging].map(via);
  return {
    getResources: (x) => t(new tagging.GetResourcesCommand(x)),
    describeAutoScalingGroups: (x) => a(new asg.DescribeAutoScalingGroupsCommand(x)),
    deleteAutoScalingGroup: (x) => a(new asg.DeleteAutoScalingGroupCommand(x)),
    describeKey: (x) => k(new kms.DescribeKeyCommand(x)),
    scheduleKeyDeletion: (x) => k(new kms.ScheduleKeyDeletionCommand(x)),
    listRoles: (x) => i(new iam.ListRolesCommand(x)),
    listRoleTags: (x) => i(new iam.ListRoleTagsCommand(x)),
    listInstanceProfiles: (x) => i(new iam.ListInstanceProfilesCommand(x)),
    listInstanceProfileTags: (x) => i(new iam.ListInstanceProfileTagsCommand(x)),
    listPolicies: (x) => i(new iam.ListPoliciesCommand(x)),
    listPolicyTags: (x) => i(new iam.ListPolicyTagsCommand(x)),
    removeRoleFromInstanceProfile: (x) => i(new iam.RemoveRoleFromInstanceProfileCommand(x)),
    deleteInstanceProfile: (x) => i(new iam.DeleteInstanceProfileCommand(x)),
    listInstanceProfilesForRole: (x) => i(new iam.ListInstanceProfilesForRoleCommand(x)),
    listAttachedRolePolicies: (x) => i(new iam.ListAttachedRolePoliciesCommand(x)),
    detachRolePolicy: (x) => i(new iam.DetachRolePolicyCommand(x)),
    listRolePolicies: (x) => i(new iam.ListRolePoliciesCommand(x)),
    deleteRolePolicy: (x) => i(new iam.DeleteRolePolicyCommand(x)),
    deleteRole: (x) => i(new iam.DeleteRoleCommand(x)),
    listEntitiesForPolicy: (x) => i(new iam.ListEntitiesForPolicyCommand(x)),
    detachUserPolicy: (x) => i(new iam.DetachUserPolicyCommand(x)),
    detachGroupPolicy: (x) => i(new iam.DetachGroupPolicyCommand(x)),
    listPolicyVersions: (x) => i(new iam.ListPolicyVersionsCommand(x)),
    deletePolicyVersion: (x) => i(new iam.DeletePolicyVersionCommand(x)),
    deletePolicy: (x) => i(new iam.DeletePolicyCommand(x)),
    deleteLogGroup: (x) => l(new logs.DeleteLogGroupCommand(x)),
    listObjectVersions: (x) => b(new s3.ListObjectVersionsCommand(x)),
    deleteObjects: (x) => b(new s3.DeleteObjectsCommand(x)),
    deleteBucket: (x) => b(new s3.DeleteBucketCommand(x)),
    getBucketTagging: (x) => b(new s3.GetBucketTaggingCommand(x)),
    putBucketTagging: (x) => b(new s3.PutBucketTaggingCommand(x)),
    tagResource: (x) => k(new kms.TagResourceCommand(x)),
    deleteSecret: (x) => m(new sm.DeleteSecretCommand(x)),
    deleteParameter: (x) => p(new ssm.DeleteParameterCommand(x)),
    deleteDocument: (x) => p(new ssm.DeleteDocumentCommand(x)),
    deleteFlowLogs: (x) => send(new sdk.DeleteFlowLogsCommand(x)),
    deleteLoadBalancer: (x) => e(new elb.DeleteLoadBalancerCommand(x)),
    deleteTargetGroup: (x) => e(new elb.DeleteTargetGroupCommand(x)),
    listResourceRecordSets: (x) => z(new r53.ListResourceRecordSetsCommand(x as any)),
    changeResourceRecordSets: (x) => z(new r53.ChangeResourceRecordSetsCommand(x as any)),
    deleteHostedZone: (x) => z(new r53.DeleteHostedZoneCommand(x)),
    describeInstances: (i) => send(new sdk.DescribeInstancesCommand(i)),
    describeNatGateways: (i) => send(new sdk.DescribeNatGatewaysCommand(i)),
    describeAddresses: (i) => send(new sdk.DescribeAddressesCommand(i)),
    describeInternetGateways: (i) => send(new sdk.DescribeInternetGatewaysCommand(i)),
    describeLaunchTemplates: (i) => send(new sdk.DescribeLaunchTemplatesCommand(i)),
    describeSubnets: (i) => send(new sdk.DescribeSubnetsCommand(i)),
    describeRouteTables: (i) => send(new sdk.DescribeRouteTablesCommand(i)),
    describeSecurityGroups: (i) => send(new sdk.DescribeSecurityGroupsCommand(i)),
    describeVpcs: (i) => send(new sdk.DescribeVpcsCommand(i)),
    terminateInstances: (i) => send(new sdk.TerminateInstancesCommand(i)),
    deleteNatGateway: (i) => send(new sdk.DeleteNatGatewayCommand(i)),
    disassociateAddress: (i) => send(new sdk.DisassociateAddressCommand(i)),
    releaseAddress: (i) => send(new sdk.ReleaseAddressCommand(i)),
    detachInternetGateway: (i) => send(new sdk.DetachInternetGatewayCommand(i)),
    deleteInternetGateway: (i) => send(new sdk.DeleteInternetGatewayCommand(i)),
    deleteLaunchTemplate: (i) => send(new sdk.DeleteLaunchTemplateCommand(i)),
    deleteSubnet: (i) => send(new sdk.DeleteSubnetCommand(i)),
    disassociateRouteTable: (i) => send(new sdk.DisassociateRouteTableCommand(i)),
    deleteRouteTable: (i) => send(new sdk.DeleteRouteTableCommand(i)),
    deleteSecurityGroup: (i) => send(new sdk.DeleteSecurityGroupCommand(i)),
    deleteVpc: (i) => send(new sdk.DeleteVpcCommand(i)),
    close: () => {
      client.destroy();
      for (const c of Object.values(clients)) c.destroy();
    },
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}
