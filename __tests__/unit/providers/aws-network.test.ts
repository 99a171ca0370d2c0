import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Testing } from "cdktf";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { all } from "../../support/aws-fixtures";
import { iamDefinitionFor } from "../rules/iam-action-data";
import { synthValidated } from "./validated-stack";

const props = {
  clusterName: "test",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
  publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
};

/** A Terraform reference to an attribute of a resource of this construct, e.g. `${aws_subnet.network_public-eu-west-1a_1A2B3C4D.id}`. */
const ref = (type: string, id: string, attribute = "id") => expect.stringMatching(new RegExp(`^\\$\\{${type}\\.network_${id}_[A-Z0-9]+\\.${attribute}\\}$`));

describe("AwsNetwork", () => {
  test("the VPC has the address space and DNS, and is tagged for the AWS cloud provider", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    expect(synth).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "test", "kubernetes.io/cluster/test": "owned" },
    });
    expect(synth).toHaveResourceWithProperties(InternetGateway, { vpc_id: ref("aws_vpc", "vpc") });
    expect(synth).toHaveResourceWithProperties(Route, { destination_cidr_block: "0.0.0.0/0", gateway_id: ref("aws_internet_gateway", "igw") });
  });

  test("one public and one private subnet per zone; public subnets give no public addresses", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    props.zones.forEach((zone, i) => {
      expect(synth).toHaveResourceWithProperties(Subnet, {
        availability_zone: zone,
        cidr_block: props.publicSubnetCidrs[i],
        map_public_ip_on_launch: false,
        vpc_id: ref("aws_vpc", "vpc"),
        tags: { Name: `test-public-${zone}`, "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/test": "owned" },
      });
      expect(synth).toHaveResourceWithProperties(Subnet, {
        availability_zone: zone,
        cidr_block: props.privateSubnetCidrs[i],
        vpc_id: ref("aws_vpc", "vpc"),
        tags: { Name: `test-private-${zone}`, "kubernetes.io/role/internal-elb": "1", "kubernetes.io/cluster/test": "owned" },
      });
    });
    expect(all(synth, "aws_subnet")).toHaveLength(6);
    expect(all(synth, "aws_subnet").every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
  });

  test("a single NAT gateway, in the first public subnet, serves every private subnet by default", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    expect(synth).toHaveResourceWithProperties(NatGateway, {
      subnet_id: ref("aws_subnet", "public-eu-west-1a"),
      allocation_id: ref("aws_eip", "nat-eu-west-1a-ip", "allocation_id"),
      depends_on: [expect.stringMatching(/^aws_internet_gateway\.network_igw_[A-Z0-9]+$/)],
    });
    expect(synth).toHaveResourceWithProperties(Eip, { domain: "vpc" });
    expect(all(synth, "aws_nat_gateway")).toHaveLength(1);
    expect(all(synth, "aws_eip")).toHaveLength(1);
    const natRoutes = all(synth, "aws_route").filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  test("perAz puts one NAT gateway in each zone, each private subnet routing through its own", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", { ...props, natGateways: "perAz" }));
    expect(all(synth, "aws_nat_gateway")).toHaveLength(3);
    for (const zone of props.zones) {
      expect(synth).toHaveResourceWithProperties(NatGateway, { subnet_id: ref("aws_subnet", `public-${zone}`) });
      expect(synth).toHaveResourceWithProperties(Route, {
        route_table_id: ref("aws_route_table", `private-${zone}-routes`),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", `nat-${zone}`),
      });
    }
  });

  test("rejects fewer than two zones, naming the prop", () => {
    expect(() =>
      Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, zones: ["eu-west-1a"], privateSubnetCidrs: ["10.0.0.0/20"], publicSubnetCidrs: ["10.0.128.0/20"] })),
    ).toThrow(/AwsNetwork: zones must name at least 2 zones/);
  });

  test("rejects a zone listed twice, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, zones: ["eu-west-1a", "eu-west-1b", "eu-west-1a"] }))).toThrow(
      /AwsNetwork: zones must not repeat a zone, got "eu-west-1a" twice/,
    );
  });

  test("rejects subnet lists that do not match the zones, naming the prop", () => {
    expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, publicSubnetCidrs: ["10.0.128.0/20"] }))).toThrow(
      /AwsNetwork: publicSubnetCidrs must have one CIDR per zone \(3\), got 1/,
    );
  });
  describe("VPC flow logs", () => {
    const policyOf = (synth: string, type: string, attribute: string) =>
      all(synth, type).map((r) => JSON.parse(String(r[attribute])) as { Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: unknown }[] });

    test("every flow of the VPC goes to a log group of its own, kept 30 days by default", () => {
      const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
      expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/kubeplane/test/vpc-flow-logs", retention_in_days: 30 });
      expect(synth).toHaveResourceWithProperties(FlowLog, {
        vpc_id: ref("aws_vpc", "vpc"),
        traffic_type: "ALL",
        log_destination_type: "cloud-watch-logs",
        log_destination: ref("aws_cloudwatch_log_group", "flow-logs", "arn"),
        iam_role_arn: ref("aws_iam_role", "flow-logs-role", "arn"),
      });
      expect(all(synth, "aws_flow_log")).toHaveLength(1);
    });

    test("the retention is the definition's", () => {
      const synth = synthValidated((scope) => new AwsNetwork(scope, "network", { ...props, flowLogs: { retentionDays: 365 } }));
      expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 365 });
    });

    test("only the flow logs service may take the role, for this account's flow logs", () => {
      const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
      expect(synth).toHaveResourceWithProperties(IamRole, { name: "kubeplane-test-vpc-flow-logs" });
      const [trust] = policyOf(synth, "aws_iam_role", "assume_role_policy");
      expect(trust.Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\.network_account_\w+\.account_id\}$/) },
            ArnLike: { "aws:SourceArn": expect.stringMatching(/^arn:\$\{data\.aws_partition\.\S+\}:ec2:\$\{data\.aws_region\.\S+\}:\$\{data\.aws_caller_identity\.\S+\}:vpc-flow-log\/\*$/) },
          },
        },
      ]);
    });

    test("the role may only deliver to its log group: resource-level permissions wherever the action takes them", () => {
      const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
      const [policy] = policyOf(synth, "aws_iam_role_policy", "policy");
      const group = "${aws_cloudwatch_log_group.network_flow-logs_";
      const statements = policy.Statement.map((s) => ({ actions: ([] as string[]).concat(s.Action), resources: ([] as string[]).concat(s.Resource ?? []) }));
      // The actions AWS documents for delivering flow logs to CloudWatch Logs
      // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html), without
      // logs:CreateLogGroup: Terraform makes the group, with its retention.
      expect(statements.flatMap((s) => s.actions).sort()).toEqual(["logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents"]);
      for (const s of statements) {
        for (const action of s.actions) {
          const takes = iamDefinitionFor(action).resourceTypes.map((r) => r.name);
          if (takes.length === 0) {
            expect({ action, resources: s.resources }).toEqual({ action, resources: ["*"] });
          } else {
            // Each resource is this log group, or its streams, matching the type the action takes.
            for (const resource of s.resources) {
              expect(resource.startsWith(group)).toBe(true);
              expect(resource.endsWith(":log-stream:*") ? "log-stream" : "log-group").toBe(takes[0]);
            }
          }
        }
      }
      expect(synth).toHaveResourceWithProperties(IamRolePolicy, { role: ref("aws_iam_role", "flow-logs-role") });
    });

    test("enabled: false makes no flow log, log group or role", () => {
      const synth = synthValidated((scope) => new AwsNetwork(scope, "network", { ...props, flowLogs: { enabled: false } }));
      for (const type of ["aws_flow_log", "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy"]) expect(all(synth, type)).toEqual([]);
    });

    test.each([0, 2, 4000, 30.5])("rejects a retention of %p days, naming the prop and the accepted values", (days) => {
      expect(() => Testing.synthScope((scope) => new AwsNetwork(scope, "n", { ...props, flowLogs: { retentionDays: days } }))).toThrow(
        /AwsNetwork: flowLogs\.retentionDays must be one of CloudWatch Logs' retention periods \(1, 3, 5, 7, 14, 30, .*3653\), got /,
      );
    });
  });

  test("the VPC's default security group is managed and closed: no ingress, no egress", () => {
    const synth = synthValidated((scope) => new AwsNetwork(scope, "network", props));
    expect(synth).toHaveResourceWithProperties(DefaultSecurityGroup, { vpc_id: ref("aws_vpc", "vpc"), ingress: [], egress: [] });
    expect(all(synth, "aws_default_security_group")).toHaveLength(1);
  });
});
