/**
 * A VPC with public and private subnets per zone, an internet gateway and NAT egress; its
 * flows logged to CloudWatch Logs, and its default security group closed.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import { planAddresses } from "./aws-address-plan";
import type { Network, NetworkProps, Placement } from "../network";
import { kubernetesClusterTag } from "./tags";

/**
 * The retention periods (days) CloudWatch Logs accepts: PutRetentionPolicy's `retentionInDays`
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
 * 0 ("never expire", Terraform's default) is left out on purpose: flow logs are kept for a period.
 */
export const CLOUDWATCH_LOGS_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** How long flow logs are kept unless the definition says otherwise. */
export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 30;

/** Why `days` is not a retention period CloudWatch Logs accepts, or undefined when it is. */
export function flowLogRetentionProblem(days: number): string | undefined {
  if ((CLOUDWATCH_LOGS_RETENTION_DAYS as readonly number[]).includes(days)) return undefined;
  return `must be one of CloudWatch Logs' retention periods (${CLOUDWATCH_LOGS_RETENTION_DAYS.join(", ")}), got ${days}`;
}

/** See NetworkProps. */
export class AwsNetwork extends Construct implements Network {
  readonly networkId: string;
  readonly cidr: string;
  readonly zones: readonly string[];
  readonly nodePlacements: readonly Placement[];
  readonly publicPlacements: readonly Placement[];
  /** Private subnet ids, parallel to `zones`. */
  readonly privateSubnetIds: readonly string[];
  /** Public subnet ids, parallel to `zones`. */
  readonly publicSubnetIds: readonly string[];
  readonly vpc: Vpc;
  readonly natGateways: readonly NatGateway[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.zones.length < 2) throw new Error(`AwsNetwork: zones must name at least 2 zones, got ${props.zones.length}`);
    const repeated = props.zones.find((zone, i) => props.zones.indexOf(zone) !== i);
    if (repeated !== undefined) throw new Error(`AwsNetwork: zones must not repeat a zone, got "${repeated}" twice`);
    for (const key of ["privateSubnetCidrs", "publicSubnetCidrs"] as const) {
      const list = props[key];
      if (list && list.length !== props.zones.length) {
        throw new Error(`AwsNetwork: ${key} must have one CIDR per zone (${props.zones.length}), got ${list.length}`);
      }
    }
    // AWS's network model: one private and one public subnet per zone (subnets are zonal).
    const plan = planAddresses(props.cidr, props.zones.length, { privateSubnets: props.privateSubnetCidrs, publicSubnets: props.publicSubnetCidrs });
    const retentionDays = props.flowLogs?.retentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS;
    const retentionProblem = flowLogRetentionProblem(retentionDays);
    if (retentionProblem) throw new Error(`AwsNetwork: flowLogs.retentionDays ${retentionProblem}`);
    const name = props.clusterName;
    const clusterTag = { [kubernetesClusterTag(name)]: "owned" };
    this.cidr = props.cidr;
    this.zones = [...props.zones];

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name, ...clusterTag },
    });
    this.networkId = this.vpc.id;

    // AWS makes every VPC a default group that admits its members and lets everything out.
    // Managed here with no rules at all, so nothing can use it by accident (Terraform removes the
    // rules it finds when it adopts the group, and a rule added later shows as drift).
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${name}-default-closed` },
    });
    if (props.flowLogs?.enabled ?? true) this.logFlows(name, retentionDays);
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: name } });

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: this.vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, "public-default-route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const publicSubnets = props.zones.map((zone, i) => {
      const subnet = new Subnet(this, `public-${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.publicSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-public-${zone}`, "kubernetes.io/role/elb": "1", ...clusterTag },
      });
      new RouteTableAssociation(this, `public-${zone}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    const natCount = (props.natGateways ?? "single") === "perAz" ? props.zones.length : 1;
    this.natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const zone = props.zones[i];
      const eip = new Eip(this, `nat-${zone}-ip`, { domain: "vpc", tags: { Name: `${name}-nat-${zone}` } });
      return new NatGateway(this, `nat-${zone}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        tags: { Name: `${name}-nat-${zone}` },
        dependsOn: [igw],
      });
    });

    this.privateSubnetIds = props.zones.map((zone, i) => {
      const subnet = new Subnet(this, `private-${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.privateSubnetCidrs[i],
        tags: { Name: `${name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
      });
      const nat = this.natGateways[i % this.natGateways.length];
      const routes = new RouteTable(this, `private-${zone}-routes`, { vpcId: this.vpc.id, tags: { Name: `${name}-private-${zone}` } });
      new Route(this, `private-${zone}-default-route`, { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-${zone}-association`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet.id;
    });
    this.nodePlacements = this.zones.map((zone, i) => ({ zone, subnetId: this.privateSubnetIds[i] }));
    this.publicPlacements = this.zones.map((zone, i) => ({ zone, subnetId: this.publicSubnetIds[i] }));
  }

  /**
   * Every flow of the VPC (accepted and rejected) to a log group of its own, through a role only
   * the flow logs service can take, for this account's flow logs, that may only write to that group.
   * Role and permissions as AWS documents them
   * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html), except
   * logs:CreateLogGroup: Terraform makes the group, with its retention, so the service never has to.
   */
  private logFlows(name: string, retentionDays: number): void {
    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = new DataAwsRegion(this, "region").name;
    const logGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/kubeplane/${name}/vpc-flow-logs`,
      retentionInDays: retentionDays,
      tags: { Name: `${name}-vpc-flow-logs` },
    });
    const role = new IamRole(this, "flow-logs-role", {
      name: `kubeplane-${name}-vpc-flow-logs`,
      description: `kubeplane ${name}: delivers the VPC's flow logs to CloudWatch Logs`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Against the confused deputy: only on behalf of this account's flow logs.
            Condition: {
              StringEquals: { "aws:SourceAccount": account },
              ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      name: "kubeplane-vpc-flow-logs-delivery",
      role: role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "WriteFlowLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroup.arn}:log-stream:*`] },
          { Sid: "DescribeFlowLogStreams", Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: [logGroup.arn] },
          // DescribeLogGroups takes no resource (no resource-level permissions): "*" is the only form.
          { Sid: "FindFlowLogGroup", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: ["*"] },
        ],
      }),
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: { Name: `${name}-vpc` },
    });
  }
}
