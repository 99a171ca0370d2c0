import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformStack, Testing } from "cdktf";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { AwsWorkerPool } from "../../../providers/aws/aws-worker-pool";
import { cloudFor } from "../../../providers";
import { definitionFromYaml } from "../../support/examples";
import { clusterDefinitionSchema } from "../../../definition";

const cloud = new AwsCloud();
const raw = (extra: Record<string, unknown>) => clusterDefinitionSchema.parse({ name: "t", region: "eu-west-1", ...extra });

describe("AwsCloud definition rules", () => {
  test("a known region and zone count pass", () => {
    expect(cloud.validateDefinition(raw({ network: { azs: 3 } }))).toEqual([]);
  });

  test("an unknown region is named with the known ones", () => {
    const [problem] = cloud.validateDefinition(raw({ region: "eu-nowhere-1" }));
    expect(problem.path).toEqual(["region"]);
    expect(problem.message).toMatch(/"eu-nowhere-1" is not an AWS region kubeplane knows; known: .*eu-west-1/);
  });

  test("more zones than the region has", () => {
    expect(cloud.validateDefinition(raw({ network: { azs: 4 } }))).toEqual([
      { path: ["network", "azs"], message: "eu-west-1 has 3 availability zones (eu-west-1a, eu-west-1b, eu-west-1c); asked for 4" },
    ]);
  });

  test("listed zones must belong to the region and appear once", () => {
    const problems = cloud.validateDefinition(raw({ network: { azs: ["eu-west-1a", "us-east-1b", "eu-west-1a"] } }));
    expect(problems).toEqual([
      { path: ["network", "azs", 1], message: '"us-east-1b" is not a zone of eu-west-1; its zones: eu-west-1a, eu-west-1b, eu-west-1c' },
      { path: ["network", "azs", 2], message: '"eu-west-1a" is listed twice' },
    ]);
  });

  test("instance types must look like EC2 types", () => {
    expect(cloud.validateDefinition(raw({ workers: { instanceType: "large" } }))).toEqual([
      { path: ["workers", "instanceType"], message: '"large" is not an EC2 instance type like t3.medium' },
    ]);
  });

  test("zones: the first N of the region, or the list as given", () => {
    expect(cloud.zonesFor(raw({ network: { azs: 2 } }))).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect(cloud.zonesFor(raw({ network: { azs: ["eu-west-1c", "eu-west-1a"] } }))).toEqual(["eu-west-1c", "eu-west-1a"]);
  });

  test("the registry picks AWS for cloud: aws", () => {
    expect(cloudFor(definitionFromYaml("name: a\nregion: eu-west-1\ncloud: aws\n")).name).toBe("aws");
  });
});

describe("AwsCloud building blocks", () => {
  const definition = raw({ tags: { team: "platform" } });

  test("configureStack sets the region and tags everything with the cluster and the definition's tags", () => {
    const stack = new TerraformStack(Testing.app(), "t-cluster");
    cloud.configureStack(stack, definition);
    expect(Testing.synth(stack, true)).toHaveProviderWithProperties(AwsProvider, {
      region: "eu-west-1",
      default_tags: [{ tags: { "kubeplane:cluster": "t", team: "platform" } }],
    });
  });

  test("its factories make the AWS constructs, and a stack configured by it passes cdktf's validations", () => {
    const stack = new TerraformStack(Testing.app(), "t-cluster");
    cloud.configureStack(stack, definition);
    const network = cloud.createNetwork(stack, "network", {
      clusterName: "t",
      cidr: "10.0.0.0/16",
      zones: cloud.zonesFor(definition),
      privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20"],
      publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"],
    });
    const identities = cloud.createNodeIdentities(stack, "identities", { clusterName: "t" });
    const image = cloud.createMachineImage(stack, "image", {});
    const workers = cloud.createWorkerPool(stack, "workers", {
      clusterName: "t", min: 1, desired: 1, max: 2, instanceType: "t3.large", volumeSize: 40, imageId: image.imageId,
      subnetIds: network.privateSubnetIds, firewallGroupIds: ["sg-w"], identity: identities.workers, userData: "#cloud-config\n",
    });
    expect(network).toBeInstanceOf(AwsNetwork);
    expect(workers).toBeInstanceOf(AwsWorkerPool);
    const synth = Testing.synth(stack, true);
    expect(synth).toHaveResourceWithProperties(Vpc, { cidr_block: "10.0.0.0/16" });
    expect(synth).toHaveDataSourceWithProperties(DataAwsAmi, { owners: ["099720109477"] });
    expect(synth).toHaveResourceWithProperties(AutoscalingGroup, { min_size: 1, desired_capacity: 1, max_size: 2 });
  });
});
