/**
 * An AWS cluster's tagged resources (cluster-resources.ts): the EC2 resources that carry
 * `kubeplane:cluster=<name>` (the provider's default tag), found with EC2's describe calls and a
 * `tag:` filter, and removed in dependency order: instances, NAT gateways, Elastic IPs (released),
 * internet gateways (detached), launch templates, subnets, route tables, security groups, and
 * VPCs last.
 *
 * Per-service describe calls rather than the Resource Groups Tagging API's GetResources: moto
 * 5.2.1 leaves Elastic IPs out of GetResources (it lists VPCs and subnets), and the EC2 calls are
 * the ones the removal needs anyway. What is listed is EC2 only: the network and the nodes, which
 * is what an interrupted apply leaves behind (issue 12: a VPC and two Elastic IPs).
 *
 * `@aws-sdk/client-ec2` is loaded only when `list` or `remove` runs; the client takes its region
 * from the cluster and everything else (AWS_ENDPOINT_URL, AWS_PROFILE, credentials) from the
 * environment.
 */
import type { ClusterResourceRemoval, ClusterResources, TaggedResource } from "../cluster-resources";
import { CLUSTER_TAG } from "./tags";

/** Types in the order they are removed: what uses others first, VPCs last. */
export const REMOVAL_ORDER = [
  "aws_instance",
  "aws_nat_gateway",
  "aws_eip",
  "aws_internet_gateway",
  "aws_launch_template",
  "aws_subnet",
  "aws_route_table",
  "aws_security_group",
  "aws_vpc",
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

/** A tagged AWS resource, with what its removal needs to know. */
export interface AwsTaggedResource extends TaggedResource {
  readonly type: AwsTaggedType;
  /** Elastic IP: its association; internet gateway: attached VPCs; route table: non-main associations. */
  readonly associations?: readonly string[];
}

/** Options of AwsTaggedResources. */
export interface AwsTaggedResourcesOptions {
  /** Makes the EC2 calls. @default an SDK client for the region */
  readonly connect?: (region: string) => Promise<Ec2Calls & { close(): void }>;
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
    this.filter = [{ Name: `tag:${CLUSTER_TAG}`, Values: [clusterName] }];
    this.location = `EC2 resources tagged ${CLUSTER_TAG}=${clusterName} in ${region}`;
  }

  private connect(): Promise<Ec2Calls & { close(): void }> {
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
      return found;
    } finally {
      ec2.close();
    }
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

  private async removeOne(ec2: Ec2Calls, resource: AwsTaggedResource): Promise<void> {
    const id = resource.id;
    switch (resource.type) {
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

  manualRemoval(resources: readonly TaggedResource[]): string[] {
    const r = `--region ${this.region}`;
    return inRemovalOrder(resources).flatMap((resource) => {
      const id = resource.id;
      switch (resource.type) {
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

/** EC2 calls through `@aws-sdk/client-ec2`, loaded now (not when this module is). */
async function sdkCalls(region: string): Promise<Ec2Calls & { close(): void }> {
  const sdk = await import("@aws-sdk/client-ec2");
  const client = new sdk.EC2Client({ region });
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const send = (command: any) => client.send(command) as Promise<any>;
  return {
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
    close: () => client.destroy(),
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}
