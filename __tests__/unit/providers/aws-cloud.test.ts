import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformStack, Testing } from "cdktf";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { AwsNetwork } from "../../../providers/aws/aws-network";
import { AwsWorkerPool } from "../../../providers/aws/aws-worker-pool";
import { EC2_INSTANCE_TYPES } from "../../../providers/aws/instance-types";
import { cloudFor } from "../../../providers";
import { definitionFromYaml } from "../../support/examples";
import { applyCloudDefaults, clusterDefinitionSchema } from "../../../definition";

const cloud = new AwsCloud();
const raw = (extra: Record<string, unknown>) => applyCloudDefaults(clusterDefinitionSchema.parse({ name: "t", region: "eu-west-1", ...extra }), cloud.definitionDefaults);

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

  test("an unknown instance type is named, with the closest known one", () => {
    expect(cloud.validateDefinition(raw({ controlPlane: { instanceType: "t3.mediun" }, workers: { instanceType: "m6i.2xlage" } }))).toEqual([
      { path: ["controlPlane", "instanceType"], message: expect.stringMatching(/^"t3.mediun" is not an EC2 instance type kubeplane knows \(did you mean "t3.medium"\?\); known families: t2, t3, t3a, /) },
      { path: ["workers", "instanceType"], message: expect.stringMatching(/^"m6i.2xlage" is not an EC2 instance type kubeplane knows \(did you mean "m6i.2xlarge"\?\)/) },
    ]);
  });

  test("a control plane below kubeadm's preflight minimum (2 vCPUs, 1700 MB) is refused, naming the field and the minimum", () => {
    expect(cloud.validateDefinition(raw({ controlPlane: { instanceType: "t3.micro" } }))).toEqual([
      {
        path: ["controlPlane", "instanceType"],
        message:
          '"t3.micro" has 2 vCPUs and 1024 MiB of memory; kubeadm refuses a control-plane node with fewer than 2 vCPUs or less than 1700 MB of memory (t3.small is the smallest t3 that passes)',
      },
    ]);
    // One vCPU fails however much memory there is.
    expect(cloud.validateDefinition(raw({ controlPlane: { instanceType: "t2.small" } }))[0].message).toMatch(/^"t2.small" has 1 vCPU and 2048 MiB .* \(t2.medium is the smallest t2 that passes\)$/);
  });

  test("the smallest control plane kubeadm accepts, and larger ones, pass", () => {
    for (const instanceType of ["t3.small", "t3a.small", "t2.medium", "m5.large", "c5.large", "r7i.metal-48xl"]) {
      expect(cloud.validateDefinition(raw({ controlPlane: { instanceType } }))).toEqual([]);
    }
  });

  test("workers need only a known type: kubeadm checks CPUs and memory on control-plane nodes only", () => {
    expect(cloud.validateDefinition(raw({ workers: { instanceType: "t3.micro" } }))).toEqual([]);
    expect(cloud.validateDefinition(raw({ workers: { instanceType: "t2.nano" } }))).toEqual([]);
  });

  test("arm64 (Graviton) types are refused for either role: the machine image is Ubuntu's amd64 one", () => {
    const problems = cloud.validateDefinition(raw({ controlPlane: { instanceType: "m7g.large" }, workers: { instanceType: "t4g.medium" } }));
    expect(problems).toEqual([
      { path: ["controlPlane", "instanceType"], message: expect.stringMatching(/^"m7g.large" is an arm64 \(Graviton\) type; kubeplane's nodes boot Ubuntu's amd64 image: choose an x86_64 type such as m7i.large/) },
      { path: ["workers", "instanceType"], message: expect.stringMatching(/^"t4g.medium" is an arm64 \(Graviton\) type; .* such as t3.medium/) },
    ]);
  });

  test("the table has the families people run Kubernetes on, with AWS's figures", () => {
    for (const family of ["t3", "t3a", "m5", "m5a", "m6i", "m6a", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "r7i"]) {
      expect(EC2_INSTANCE_TYPES[`${family}.large`]).toMatchObject({ vcpus: 2, architecture: "x86_64" });
    }
    expect(EC2_INSTANCE_TYPES["t3.medium"]).toEqual({ vcpus: 2, memoryMib: 4096, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["m6i.xlarge"]).toEqual({ vcpus: 4, memoryMib: 16384, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["c5.9xlarge"]).toEqual({ vcpus: 36, memoryMib: 73728, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["r5.24xlarge"]).toEqual({ vcpus: 96, memoryMib: 786432, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["m7g.medium"]).toEqual({ vcpus: 1, memoryMib: 4096, architecture: "arm64" });
    expect(EC2_INSTANCE_TYPES["t3.nano"]).toEqual({ vcpus: 2, memoryMib: 512, architecture: "x86_64" });
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
      clusterName: "t", min: 1, desired: 1, max: 2, instanceTypes: ["t3.large"], volumeSizeGiB: 40, image,
      placements: network.nodePlacements, firewallGroupIds: ["sg-w"], identity: identities.workers, userData: "#cloud-config\n",
    });
    expect(network).toBeInstanceOf(AwsNetwork);
    expect(workers).toBeInstanceOf(AwsWorkerPool);
    const synth = Testing.synth(stack, true);
    expect(synth).toHaveResourceWithProperties(Vpc, { cidr_block: "10.0.0.0/16" });
    expect(synth).toHaveDataSourceWithProperties(DataAwsAmi, { owners: ["099720109477"] });
    expect(synth).toHaveResourceWithProperties(AutoscalingGroup, { min_size: 1, desired_capacity: 1, max_size: 2 });
  });
});
