/** Control plane, worker pool, bastion, load balancer, machine image and identities on AWS. */
import { Testing } from "cdktf";
import { AwsApiLoadBalancer } from "../../../providers/aws/aws-api-load-balancer";
import { AwsBastion } from "../../../providers/aws/aws-bastion";
import { AwsControlPlane } from "../../../providers/aws/aws-control-plane";
import { AwsWorkerPool } from "../../../providers/aws/aws-worker-pool";
import { UbuntuMachineImage } from "../../../providers/aws/ubuntu-machine-image";
import type { ControlPlaneProps } from "../../../providers";
import { all, parse, TEST_NETWORK, testIdentities } from "../../support/aws-fixtures";

const lbProps = { clusterName: "test", network: TEST_NETWORK, port: 6443, firewallGroupIds: ["sg-lb"] };

function controlPlane(count: number, overrides: Partial<ControlPlaneProps> = {}) {
  return Testing.synthScope((scope) => {
    const ids = testIdentities(scope);
    const loadBalancer = count > 1 ? new AwsApiLoadBalancer(scope, "lb", lbProps) : undefined;
    new AwsControlPlane(scope, "cp", {
      clusterName: "test",
      count,
      instanceType: "t3.medium",
      volumeSize: 50,
      imageId: "ami-12345678",
      subnetIds: TEST_NETWORK.privateSubnetIds,
      firewallGroupIds: ["sg-a"],
      identity: ids.controlPlane,
      initUserData: "#cloud-config\n# init\n",
      joinUserData: "#cloud-config\n# join\n",
      loadBalancer,
      ...overrides,
    });
  });
}

describe("AwsControlPlane", () => {
  test("HA: nodes round-robin over subnets, register with the balancer, the first one initialises", () => {
    const synth = controlPlane(3);
    const nodes = all(synth, "aws_instance");
    expect(nodes.map((n) => n.subnet_id)).toEqual(["subnet-p1", "subnet-p2", "subnet-p3"]);
    expect(nodes.map((n) => String(n.user_data).includes("# init"))).toEqual([true, false, false]);
    expect(all(synth, "aws_lb_target_group_attachment")).toHaveLength(3);
  });

  test("every node requires IMDSv2 with one hop and has an encrypted root volume; AMI and user data changes do not replace it", () => {
    for (const node of all(controlPlane(1), "aws_instance")) {
      expect(node.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
      expect(node.root_block_device).toMatchObject({ encrypted: true, volume_type: "gp3", volume_size: 50 });
      expect(node.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
      expect(node.tags).toMatchObject({ "kubeplane:role": "control-plane", "kubeplane:cluster": "test", "kubernetes.io/cluster/test": "owned" });
    }
  });

  test.each([0, 2, 4, -1])("rejects count %d, naming the prop", (count) => {
    expect(() => controlPlane(count)).toThrow(/AwsControlPlane: count must be 1 or an odd number/);
  });

  test("HA without a load balancer or join user data is rejected, naming the prop", () => {
    expect(() => controlPlane(3, { joinUserData: undefined })).toThrow(/joinUserData is required/);
    expect(() =>
      Testing.synthScope((scope) => {
        const ids = testIdentities(scope);
        new AwsControlPlane(scope, "cp", {
          clusterName: "test", count: 3, instanceType: "t3.medium", volumeSize: 50, imageId: "ami-12345678",
          subnetIds: ["s"], firewallGroupIds: [], identity: ids.controlPlane, initUserData: "", joinUserData: "",
        });
      }),
    ).toThrow(/loadBalancer is required/);
  });

  test("rejects a volume too small to boot", () => {
    expect(() => controlPlane(1, { volumeSize: 4 })).toThrow(/volumeSize must be a whole number of GiB, at least 8/);
  });
});

describe("AwsApiLoadBalancer", () => {
  test("internal in private subnets by default; public in public subnets on request", () => {
    const internal = all(Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", lbProps)), "aws_lb")[0];
    expect(internal).toMatchObject({ internal: true, subnets: TEST_NETWORK.privateSubnetIds, security_groups: ["sg-lb"], name: "test-api" });
    const external = all(Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, public: true })), "aws_lb")[0];
    expect(external).toMatchObject({ internal: false, subnets: TEST_NETWORK.publicSubnetIds });
  });

  test("rejects a balancer without a security group and names too long for AWS", () => {
    expect(() => Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, firewallGroupIds: [] }))).toThrow(/firewallGroupIds/);
    expect(() => Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, clusterName: "x".repeat(29) }))).toThrow(/clusterName must be at most 28/);
  });
});

describe("AwsWorkerPool", () => {
  const pool = (overrides: Partial<{ min: number; desired: number; max: number; subnetIds: string[] }> = {}) =>
    Testing.synthScope((scope) => {
      const ids = testIdentities(scope);
      new AwsWorkerPool(scope, "workers", {
        clusterName: "test", min: 1, desired: 2, max: 3, instanceType: "t3.large", volumeSize: 40, imageId: "ami-12345678",
        subnetIds: ["subnet-p1", "subnet-p2"], firewallGroupIds: ["sg-w"], identity: ids.workers,
        userData: '#cloud-config\nruncmd: ["echo \\"$${HOME}\\""]\n', tags: { team: "platform" }, ...overrides,
      });
    });

  test("the template carries IMDSv2, an encrypted volume, tags for instances and volumes, and base64 user data from a local", () => {
    const synth = pool();
    const [template] = all(synth, "aws_launch_template");
    expect(template.metadata_options).toMatchObject({ http_tokens: "required" });
    expect(template.block_device_mappings).toEqual([{ device_name: "/dev/sda1", ebs: { volume_type: "gp3", volume_size: 40, encrypted: "true", delete_on_termination: "true" } }]);
    expect((template.tag_specifications as { resource_type: string }[]).map((t) => t.resource_type)).toEqual(["instance", "volume"]);
    expect(template.user_data).toMatch(/^\$\{base64encode\(local\.workers_user-data_[A-Z0-9]+\)\}$/);
    expect(Object.values(parse(synth).locals ?? {})).toContain('#cloud-config\nruncmd: ["echo \\"$${HOME}\\""]\n');
  });

  test("the group spans the subnets with the latest template and propagates its tags", () => {
    const [group] = all(pool(), "aws_autoscaling_group");
    expect(group).toMatchObject({ min_size: 1, desired_capacity: 2, max_size: 3, vpc_zone_identifier: ["subnet-p1", "subnet-p2"], name: "kubeplane-test-workers" });
    expect(group.launch_template).toMatchObject({ version: "$Latest" });
    expect(group.tag).toEqual(expect.arrayContaining([{ key: "team", value: "platform", propagate_at_launch: true }, { key: "kubeplane:role", value: "worker", propagate_at_launch: true }]));
  });

  test.each([
    [{ min: 4 }, /min \(4\) must not exceed max \(3\)/],
    [{ desired: 5 }, /desired \(5\) must be within \[min, max\] = \[1, 3\]/],
    [{ min: -1 }, /min must be a whole number/],
    [{ subnetIds: [] }, /subnetIds must name at least one subnet/],
  ])("rejects %p", (overrides, message) => {
    expect(() => pool(overrides)).toThrow(message);
  });
});

describe("AwsBastion", () => {
  test("private, IMDSv2, encrypted, in the bastion role", () => {
    const synth = Testing.synthScope((scope) => {
      const ids = testIdentities(scope, true);
      new AwsBastion(scope, "bastion", { clusterName: "test", imageId: "ami-12345678", subnetId: "subnet-p1", firewallGroupIds: ["sg-b"], identity: ids.bastion! });
    });
    const [node] = all(synth, "aws_instance");
    expect(node).toMatchObject({ associate_public_ip_address: false, instance_type: "t3.micro", subnet_id: "subnet-p1" });
    expect(node.metadata_options).toMatchObject({ http_tokens: "required" });
    expect(node.root_block_device).toMatchObject({ encrypted: true });
    expect(String(node.iam_instance_profile)).toContain("bastion");
  });
});

describe("UbuntuMachineImage", () => {
  test("looks up Canonical's Ubuntu 24.04 by default", () => {
    const synth = Testing.synthScope((scope) => new UbuntuMachineImage(scope, "image"));
    const data = parse(synth).data as Record<string, Record<string, { owners: string[]; filter: { name: string; values: string[] }[] }>>;
    const [ami] = Object.values(data.aws_ami);
    expect(ami.owners).toEqual(["099720109477"]);
    expect(ami.filter.find((f) => f.name === "name")!.values[0]).toContain("ubuntu-noble-24.04-amd64");
  });

  test("an explicit AMI replaces the lookup; a malformed one is rejected", () => {
    let image: UbuntuMachineImage | undefined;
    const synth = Testing.synthScope((scope) => {
      image = new UbuntuMachineImage(scope, "image", { imageId: "ami-0abc1234" });
    });
    expect(image!.imageId).toBe("ami-0abc1234");
    expect(parse(synth).data).toBeUndefined();
    expect(() => Testing.synthScope((scope) => new UbuntuMachineImage(scope, "i", { imageId: "ubuntu" }))).toThrow(/imageId must be an AMI id/);
  });
});

describe("AwsNodeIdentities", () => {
  test("a role and profile per kind, named after the cluster, assumable by EC2 only", () => {
    const synth = Testing.synthScope((scope) => testIdentities(scope, true));
    const roles = all(synth, "aws_iam_role");
    expect(roles.map((r) => r.name).sort()).toEqual(["kubeplane-test-bastion", "kubeplane-test-control-plane", "kubeplane-test-worker"]);
    for (const role of roles) {
      expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
    expect(all(synth, "aws_iam_instance_profile")).toHaveLength(3);
  });
});
