/** Control plane, worker pool, bastion, load balancer, machine image and identities on AWS. */
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { TerraformStack, Testing } from "cdktf";
import { AwsApiLoadBalancer } from "../../../providers/aws/aws-api-load-balancer";
import { AwsBastion } from "../../../providers/aws/aws-bastion";
import { AwsControlPlane } from "../../../providers/aws/aws-control-plane";
import { AwsNodeIdentities, AwsNodeIdentity } from "../../../providers/aws/aws-node-identities";
import { AwsWorkerPool } from "../../../providers/aws/aws-worker-pool";
import { CANONICAL_OWNER, UBUNTU_LTS_NAME_PATTERN, UbuntuMachineImage } from "../../../providers/aws/ubuntu-machine-image";
import type { ControlPlaneProps, NodeIdentity, Placement, WorkerPoolProps } from "../../../providers";
import { all, parse, TEST_IMAGE, TEST_NETWORK, testIdentities } from "../../support/aws-fixtures";
import { userDataOf } from "../../support/user-data-of";
import { synthValidated } from "./validated-stack";

const lbProps = { clusterName: "test", network: TEST_NETWORK, port: 6443, firewallGroupIds: ["sg-lb"] };

/** An identity that is not an AWS one (another cloud's, or a hand-made object). */
const FOREIGN_IDENTITY: NodeIdentity = { kind: "worker", name: "elsewhere" };

/** What every kubeplane machine's metadata options are (IMDSv2 only, one hop). */
const IMDSV2_ONLY = { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 };

function controlPlane(count: number, overrides: Partial<ControlPlaneProps> = {}) {
  return synthValidated((scope) => {
    const ids = testIdentities(scope);
    const loadBalancer = count > 1 ? new AwsApiLoadBalancer(scope, "lb", lbProps) : undefined;
    new AwsControlPlane(scope, "cp", {
      clusterName: "test",
      count,
      instanceType: "t3.medium",
      volumeSizeGiB: 50,
      image: TEST_IMAGE,
      placements: TEST_NETWORK.nodePlacements,
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
    expect(nodes.map((n) => userDataOf(parse(synth), n).includes("# init"))).toEqual([true, false, false]);
    // Delivered gzip-compressed (EC2 takes 16 KiB; cloud-init unpacks gzip), by reference to a local.
    for (const node of nodes) expect(node.user_data_base64).toMatch(/^\$\{base64gzip\(local\.cp_(init|join)-user-data_[A-Z0-9]+\)\}$/);
    expect(all(synth, "aws_lb_target_group_attachment")).toHaveLength(3);
    expect(synth).toHaveResourceWithProperties(LbTargetGroupAttachment, {
      target_group_arn: expect.stringMatching(/^\$\{aws_lb_target_group\.lb_api-servers_[A-Z0-9]+\.arn\}$/),
      target_id: expect.stringMatching(/^\$\{aws_instance\.cp_node-0_[A-Z0-9]+\.id\}$/),
    });
  });

  test("every node requires IMDSv2 with one hop and has an encrypted root volume; AMI and user data changes do not replace it", () => {
    const synth = controlPlane(1);
    expect(synth).toHaveResourceWithProperties(Instance, {
      ami: "ami-12345678",
      instance_type: "t3.medium",
      subnet_id: "subnet-p1",
      vpc_security_group_ids: ["sg-a"],
      metadata_options: IMDSV2_ONLY,
      root_block_device: { volume_type: "gp3", volume_size: 50, encrypted: true, delete_on_termination: true },
      lifecycle: { ignore_changes: ["ami", "user_data", "user_data_base64"] },
      tags: expect.objectContaining({ Name: "test-control-plane-0", "kubeplane:role": "control-plane", "kubeplane:cluster": "test", "kubernetes.io/cluster/test": "owned" }),
    });
    // Every node, not just one: the matcher passes when any instance matches.
    for (const node of all(controlPlane(3), "aws_instance")) {
      expect(node.metadata_options).toEqual(IMDSV2_ONLY);
      expect(node.root_block_device).toMatchObject({ encrypted: true });
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
          clusterName: "test", count: 3, instanceType: "t3.medium", volumeSizeGiB: 50, image: TEST_IMAGE,
          placements: [{ zone: "eu-west-1a", subnetId: "s" }], firewallGroupIds: ["sg-a"], identity: ids.controlPlane, initUserData: "", joinUserData: "",
        });
      }),
    ).toThrow(/loadBalancer is required/);
  });

  test("a public balancer is an additional way in: every node registers with both, and the kinds cannot be swapped", () => {
    const withPublic = (count: number) =>
      synthValidated((scope) => {
        const ids = testIdentities(scope);
        const internal = count > 1 ? new AwsApiLoadBalancer(scope, "lb", lbProps) : undefined;
        const publicLb = new AwsApiLoadBalancer(scope, "public-lb", { ...lbProps, public: true, allowedCidrs: ["203.0.113.0/24"] });
        new AwsControlPlane(scope, "cp", {
          clusterName: "test", count, instanceType: "t3.medium", volumeSizeGiB: 50, image: TEST_IMAGE, placements: TEST_NETWORK.nodePlacements,
          firewallGroupIds: ["sg-a"], identity: ids.controlPlane, initUserData: "#cloud-config\n", joinUserData: "#cloud-config\n",
          loadBalancer: internal, publicLoadBalancer: publicLb,
        });
      });
    const groupsOf = (synth: string) => all(synth, "aws_lb_target_group_attachment").map((a) => String(a.target_group_arn).replace(/_[A-Z0-9]+\.arn\}$/, "")).sort();
    expect(groupsOf(withPublic(3))).toEqual([...Array(3).fill("${aws_lb_target_group.lb_api-servers"), ...Array(3).fill("${aws_lb_target_group.public-lb_api-servers")]);
    expect(groupsOf(withPublic(1))).toEqual(["${aws_lb_target_group.public-lb_api-servers"]);
    expect(() =>
      Testing.synthScope((scope) => {
        const publicLb = new AwsApiLoadBalancer(scope, "public-lb", { ...lbProps, public: true, allowedCidrs: ["203.0.113.0/24"] });
        new AwsControlPlane(scope, "cp", {
          clusterName: "test", count: 3, instanceType: "t3.medium", volumeSizeGiB: 50, image: TEST_IMAGE, placements: [{ zone: "eu-west-1a", subnetId: "s" }],
          firewallGroupIds: ["sg-a"], identity: testIdentities(scope).controlPlane, initUserData: "x", joinUserData: "x", loadBalancer: publicLb,
        });
      }),
    ).toThrow(/AwsControlPlane: loadBalancer must be internal/);
    expect(() => controlPlane(1, { publicLoadBalancer: new AwsApiLoadBalancer(new TerraformStack(Testing.app(), "x"), "lb", lbProps) })).toThrow(
      /AwsControlPlane: publicLoadBalancer must be internet-facing/,
    );
  });

  test.each<[string, Partial<ControlPlaneProps>, RegExp]>([
    ["no placement", { placements: [] }, /AwsControlPlane: placements must name at least one placement/],
    ["no security group (EC2 would attach the VPC default)", { firewallGroupIds: [] }, /AwsControlPlane: firewallGroupIds must name at least one security group/],
    ["empty init user data", { initUserData: "" }, /AwsControlPlane: initUserData is required/],
    ["a volume too small to boot", { volumeSizeGiB: 4 }, /AwsControlPlane: volumeSize must be a whole number of GiB, at least 8 and at most 16384, got 4/],
    ["a volume larger than gp3 allows", { volumeSizeGiB: 16385 }, /AwsControlPlane: volumeSize must be .* got 16385/],
    ["another cloud's identity", { identity: FOREIGN_IDENTITY }, /AwsControlPlane: identity: expected an identity made by the AWS cloud/],
  ])("rejects %s, naming the prop", (_, overrides, message) => {
    expect(() => controlPlane(1, overrides)).toThrow(message);
  });
});

describe("AwsApiLoadBalancer", () => {
  test("internal in private subnets by default, listening on the API port and forwarding it to instances", () => {
    const synth = synthValidated((scope) => new AwsApiLoadBalancer(scope, "lb", lbProps).addTarget("n", "i-0123"));
    expect(synth).toHaveResourceWithProperties(Lb, {
      name: "test-api",
      load_balancer_type: "network",
      internal: true,
      subnets: TEST_NETWORK.nodePlacements.map((p) => p.subnetId),
      security_groups: ["sg-lb"],
      enable_cross_zone_load_balancing: true,
    });
    expect(synth).toHaveResourceWithProperties(LbListener, {
      port: 6443,
      protocol: "TCP",
      default_action: [{ type: "forward", target_group_arn: expect.stringMatching(/^\$\{aws_lb_target_group\.lb_api-servers_[A-Z0-9]+\.arn\}$/) }],
    });
    expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
      port: 6443,
      protocol: "TCP",
      vpc_id: "vpc-0123",
      target_type: "instance",
      preserve_client_ip: "false",
    });
  });

  test("API servers are health-checked with HTTPS GET /readyz on the API port, within the NLB's limits", () => {
    const synth = synthValidated((scope) => new AwsApiLoadBalancer(scope, "lb", lbProps).addTarget("n", "i-0123"));
    const [group] = all(synth, "aws_lb_target_group");
    expect(group.health_check).toEqual({ protocol: "HTTPS", port: "6443", path: "/readyz", matcher: "200", interval: 10, timeout: 6, healthy_threshold: 2, unhealthy_threshold: 2 });
    // NLB limits (docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html):
    // interval 5-300, timeout 2-120 and below the interval, thresholds 2-10, matcher within 200-599.
    const hc = group.health_check as Record<string, number>;
    expect(hc.timeout).toBeLessThan(hc.interval);
    expect(hc.interval).toBeGreaterThanOrEqual(5);
    expect(hc.timeout).toBeGreaterThanOrEqual(2);
  });

  test("internet-facing in public subnets on request, behind its own group that admits only the allow-list", () => {
    const synth = synthValidated((scope) =>
      new AwsApiLoadBalancer(scope, "lb", { ...lbProps, firewallGroupIds: undefined, public: true, allowedCidrs: ["203.0.113.0/24"] }).addTarget("n", "i-0123"),
    );
    expect(synth).toHaveResourceWithProperties(Lb, { name: "test-pub", internal: false, subnets: TEST_NETWORK.publicPlacements.map((p) => p.subnetId) });
    expect(synth).not.toHaveResourceWithProperties(Lb, { internal: true });
    const [group] = all(synth, "aws_security_group");
    expect(group.ingress).toEqual([expect.objectContaining({ protocol: "tcp", from_port: 6443, to_port: 6443, cidr_blocks: ["203.0.113.0/24"] })]);
    expect(group.egress).toEqual([expect.objectContaining({ protocol: "tcp", from_port: 6443, to_port: 6443, cidr_blocks: ["10.0.0.0/16"] })]);
    expect(all(synth, "aws_lb")[0].security_groups).toEqual([expect.stringMatching(/^\$\{aws_security_group\.lb_public-api_[A-Z0-9]+\.id\}$/)]);
    expect(all(synth, "aws_lb_target_group")[0].name).toBe("test-pub");
  });

  test("deletion protection on request, off by default", () => {
    const off = synthValidated((scope) => new AwsApiLoadBalancer(scope, "lb", lbProps).addTarget("n", "i-0123"));
    expect(all(off, "aws_lb")[0].enable_deletion_protection).toBe(false);
    const on = synthValidated((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, deletionProtection: true }).addTarget("n", "i-0123"));
    expect(all(on, "aws_lb")[0].enable_deletion_protection).toBe(true);
  });

  test("a public balancer needs an allow-list of CIDRs; an internal one takes none", () => {
    const build = (props: Partial<typeof lbProps> & { public?: boolean; allowedCidrs?: string[] }) => () =>
      Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, ...props }));
    expect(build({ public: true })).toThrow(/AwsApiLoadBalancer: allowedCidrs must name at least one CIDR for a public balancer/);
    expect(build({ public: true, allowedCidrs: [] })).toThrow(/AwsApiLoadBalancer: allowedCidrs must name at least one CIDR/);
    expect(build({ public: true, allowedCidrs: ["203.0.113.0"] })).toThrow(/AwsApiLoadBalancer: allowedCidrs entry "203\.0\.113\.0" .*not an IPv4 CIDR/);
    expect(build({ allowedCidrs: ["203.0.113.0/24"] })).toThrow(/AwsApiLoadBalancer: allowedCidrs is only for a public balancer/);
  });

  test("rejects a balancer without a security group and names too long for AWS", () => {
    expect(() => Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, firewallGroupIds: [] }))).toThrow(
      /AwsApiLoadBalancer: firewallGroupIds must name at least one security group/,
    );
    expect(() => Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, clusterName: "x".repeat(29) }))).toThrow(
      /AwsApiLoadBalancer: clusterName must be at most 28/,
    );
  });

  test.each([0, 65536, 6443.5])("rejects port %p, naming the prop", (port) => {
    expect(() => Testing.synthScope((scope) => new AwsApiLoadBalancer(scope, "lb", { ...lbProps, port }))).toThrow(/AwsApiLoadBalancer: port must be a TCP port \(1 to 65535\), got/);
  });

  test("a balancer no node registered with fails the stack's validation at synthesis", () => {
    expect(() => synthValidated((scope) => new AwsApiLoadBalancer(scope, "lb", lbProps))).toThrow(
      /\[test\/lb\] AwsApiLoadBalancer: no target registered \(addTarget was never called\)/,
    );
  });
});

/** Worker pool props of cluster `test`, without the identity. */
const workerProps = {
  clusterName: "test", min: 1, desired: 2, max: 3, instanceTypes: ["t3.large"], volumeSizeGiB: 40, image: TEST_IMAGE,
  placements: [{ zone: "eu-west-1a", subnetId: "subnet-p1" }, { zone: "eu-west-1b", subnetId: "subnet-p2" }], firewallGroupIds: ["sg-w"],
  userData: '#cloud-config\nruncmd: ["echo \\"$${HOME}\\""]\n', tags: { team: "platform" },
};
/** The encrypted root volume of a 40 GiB worker, as the launch template spells it. */
const WORKER_ROOT_EBS = { volume_type: "gp3", volume_size: 40, encrypted: "true", delete_on_termination: "true" };

describe("AwsWorkerPool", () => {
  const pool = (overrides: Partial<WorkerPoolProps> = {}) =>
    synthValidated((scope) => {
      const ids = testIdentities(scope);
      new AwsWorkerPool(scope, "workers", { ...workerProps, identity: ids.workers, ...overrides });
    });

  test("the template carries IMDSv2, an encrypted root volume, tags for instances and volumes, and base64 user data from a local", () => {
    const synth = pool();
    expect(synth).toHaveResourceWithProperties(LaunchTemplate, {
      name: "kubeplane-test-workers",
      image_id: "ami-12345678",
      instance_type: "t3.large",
      vpc_security_group_ids: ["sg-w"],
      metadata_options: IMDSV2_ONLY,
      block_device_mappings: [{ device_name: "/dev/sda1", ebs: WORKER_ROOT_EBS }],
      tag_specifications: [
        { resource_type: "instance", tags: expect.objectContaining({ team: "platform", "kubeplane:role": "worker" }) },
        { resource_type: "volume", tags: expect.objectContaining({ team: "platform", "kubeplane:role": "worker" }) },
      ],
      user_data: expect.stringMatching(/^\$\{base64gzip\(local\.workers_user-data_[A-Z0-9]+\)\}$/),
      update_default_version: true,
    });
    expect(Object.values(parse(synth).locals ?? {})).toContain('#cloud-config\nruncmd: ["echo \\"$${HOME}\\""]\n');
  });

  test("no instance_refresh block (one apply would start every changed pool's refresh at once); the roll's minimum healthy percentage is on the group", () => {
    const groups = (synth: string) => Object.values(JSON.parse(synth).resource.aws_autoscaling_group) as { instance_refresh?: unknown; tag: { key: string; value: string }[] }[];
    const [group] = groups(pool({ minHealthyPercentage: 75 }));
    expect(group.instance_refresh).toBeUndefined();
    expect(group.tag.find((t) => t.key === "kubeplane:roll-min-healthy-percentage")).toEqual({ key: "kubeplane:roll-min-healthy-percentage", value: "75", propagate_at_launch: false });
  });

  test("the group spans the subnets with the latest template and propagates its tags", () => {
    expect(pool()).toHaveResourceWithProperties(AutoscalingGroup, {
      name: "kubeplane-test-workers",
      min_size: 1,
      desired_capacity: 2,
      max_size: 3,
      vpc_zone_identifier: ["subnet-p1", "subnet-p2"],
      health_check_type: "EC2",
      health_check_grace_period: 300,
      // The version Terraform made (not $Latest): instances of an older one are outdated, and rolled.
      launch_template: {
        id: expect.stringMatching(/^\$\{aws_launch_template\.workers_template_[A-Z0-9]+\.id\}$/),
        version: expect.stringMatching(/^\$\{aws_launch_template\.workers_template_[A-Z0-9]+\.latest_version\}$/),
      },
      tag: expect.arrayContaining([
        { key: "kubeplane:roll-min-healthy-percentage", value: "90", propagate_at_launch: false },
        { key: "team", value: "platform", propagate_at_launch: true },
        { key: "kubeplane:role", value: "worker", propagate_at_launch: true },
        { key: "kubeplane:cluster", value: "test", propagate_at_launch: true },
        { key: "kubernetes.io/cluster/test", value: "owned", propagate_at_launch: true },
      ]),
    });
  });

  test.each([
    [{ min: 4 }, /min \(4\) must not exceed max \(3\)/],
    [{ desired: 5 }, /desired \(5\) must be within \[min, max\] = \[1, 3\]/],
    [{ min: -1 }, /min must be a whole number/],
    [{ placements: [] }, /AwsWorkerPool: placements must name at least one placement/],
    [{ image: { imageId: "ami-12345678", rootDeviceName: "sda1" } }, /AwsWorkerPool: rootDeviceName must be a device name like \/dev\/sda1 or \/dev\/xvda, got "sda1"/],
    [{ max: 2.5 }, /AwsWorkerPool: max must be a whole number ≥ 0, got 2.5/],
    [{ firewallGroupIds: [] }, /AwsWorkerPool: firewallGroupIds must name at least one security group/],
    [{ volumeSizeGiB: 7 }, /AwsWorkerPool: volumeSize must be a whole number of GiB, at least 8/],
    [{ identity: FOREIGN_IDENTITY }, /AwsWorkerPool: identity: expected an identity made by the AWS cloud/],
  ])("rejects %p, naming the prop", (overrides, message) => {
    expect(() => pool(overrides)).toThrow(message);
  });
});

describe("AwsBastion", () => {
  const bastion = (overrides: Partial<{ placement: Placement; firewallGroupIds: string[]; identity: NodeIdentity }>) =>
    Testing.synthScope((scope) => {
      const ids = testIdentities(scope, true);
      new AwsBastion(scope, "bastion", { clusterName: "test", image: TEST_IMAGE, placement: { zone: "eu-west-1a", subnetId: "subnet-p1" }, firewallGroupIds: ["sg-b"], identity: ids.bastion!, ...overrides });
    });

  test.each<[string, Parameters<typeof bastion>[0], RegExp]>([
    ["no subnet", { placement: { zone: "eu-west-1a", subnetId: "" } }, /AwsBastion: placement must name a subnet/],
    ["no security group (EC2 would attach the VPC default)", { firewallGroupIds: [] }, /AwsBastion: firewallGroupIds must name at least one security group/],
    ["another cloud's identity", { identity: FOREIGN_IDENTITY }, /AwsBastion: identity: expected an identity made by the AWS cloud/],
  ])("rejects %s, naming the prop", (_, overrides, message) => {
    expect(() => bastion(overrides)).toThrow(message);
  });

  test("private, IMDSv2, encrypted, in the bastion role", () => {
    const synth = synthValidated((scope) => {
      const ids = testIdentities(scope, true);
      new AwsBastion(scope, "bastion", { clusterName: "test", image: TEST_IMAGE, placement: { zone: "eu-west-1a", subnetId: "subnet-p1" }, firewallGroupIds: ["sg-b"], identity: ids.bastion! });
    });
    expect(synth).toHaveResourceWithProperties(Instance, {
      ami: "ami-12345678",
      instance_type: "t3.micro",
      subnet_id: "subnet-p1",
      vpc_security_group_ids: ["sg-b"],
      associate_public_ip_address: false,
      metadata_options: IMDSV2_ONLY,
      root_block_device: expect.objectContaining({ encrypted: true, volume_type: "gp3" }),
      iam_instance_profile: expect.stringMatching(/^\$\{aws_iam_instance_profile\.identities_bastion_profile_[A-Z0-9]+\.name\}$/),
    });
  });

  test("tagged with the cluster and its role, but not as a Kubernetes node the AWS cloud provider would treat as the cluster's", () => {
    const synth = bastion({});
    expect(synth).toHaveResourceWithProperties(Instance, { tags: { Name: "test-bastion", "kubeplane:cluster": "test", "kubeplane:role": "bastion" } });
    const [instance] = all(synth, "aws_instance");
    expect(Object.keys(instance.tags as Record<string, string>).filter((key) => key.startsWith("kubernetes.io/"))).toEqual([]);
  });
});

describe("UbuntuMachineImage", () => {
  test("looks up Canonical's Ubuntu 24.04 by default", () => {
    const synth = synthValidated((scope) => new UbuntuMachineImage(scope, "image"));
    expect(synth).toHaveDataSourceWithProperties(DataAwsAmi, {
      most_recent: true,
      owners: [CANONICAL_OWNER],
      filter: expect.arrayContaining([
        { name: "name", values: [UBUNTU_LTS_NAME_PATTERN] },
        { name: "architecture", values: ["x86_64"] },
        { name: "root-device-type", values: ["ebs"] },
      ]),
    });
    expect(CANONICAL_OWNER).toBe("099720109477");
    expect(UBUNTU_LTS_NAME_PATTERN).toContain("ubuntu-noble-24.04-amd64");
  });

  test("an explicit AMI replaces the Ubuntu lookup and is read by its id alone; a malformed one is rejected", () => {
    let image: UbuntuMachineImage | undefined;
    const synth = synthValidated((scope) => {
      image = new UbuntuMachineImage(scope, "image", { imageId: "ami-0abc1234" });
    });
    expect(image!.imageId).toBe("ami-0abc1234");
    expect(image!.rootDeviceName).toMatch(/^\$\{TfToken\[/);
    expect(synth).toHaveDataSourceWithProperties(DataAwsAmi, { filter: [{ name: "image-id", values: ["ami-0abc1234"] }] });
    // The only lookup: no Ubuntu search, and nothing that could pick another image.
    const amis = Object.values((parse(synth).data as Record<string, Record<string, Record<string, unknown>>>).aws_ami);
    expect(amis).toHaveLength(1);
    expect(amis[0]).not.toHaveProperty("owners");
    expect(amis[0]).not.toHaveProperty("most_recent");
    expect(() => Testing.synthScope((scope) => new UbuntuMachineImage(scope, "i", { imageId: "ubuntu" }))).toThrow(/imageId must be an AMI id/);
  });

  test("the workers' root volume is mapped under the Ubuntu image's root device name", () => {
    const synth = synthValidated((scope) => {
      const image = new UbuntuMachineImage(scope, "image");
      new AwsWorkerPool(scope, "workers", { ...workerProps, image, identity: testIdentities(scope).workers });
    });
    expect(synth).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: expect.stringMatching(/^\$\{data\.aws_ami\.image_ubuntu_[A-Z0-9]+\.id\}$/),
      // Exactly one mapping: the root volume, encrypted.
      block_device_mappings: [{ device_name: expect.stringMatching(/^\$\{data\.aws_ami\.image_ubuntu_[A-Z0-9]+\.root_device_name\}$/), ebs: WORKER_ROOT_EBS }],
    });
  });

  test("with an explicit AMI, the workers' root volume is mapped under that AMI's own root device name (e.g. /dev/xvda), not /dev/sda1", () => {
    const synth = synthValidated((scope) => {
      const image = new UbuntuMachineImage(scope, "image", { imageId: "ami-0abc1234" });
      new AwsWorkerPool(scope, "workers", { ...workerProps, image, identity: testIdentities(scope).workers });
    });
    expect(synth).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: "ami-0abc1234",
      block_device_mappings: [{ device_name: expect.stringMatching(/^\$\{data\.aws_ami\.image_explicit_[A-Z0-9]+\.root_device_name\}$/), ebs: WORKER_ROOT_EBS }],
    });
    expect(synth).not.toHaveResourceWithProperties(LaunchTemplate, { block_device_mappings: [expect.objectContaining({ device_name: "/dev/sda1" })] });
  });
  // Its terraform validate (the lookup by id and the mapping that uses it) is in
  // __tests__/emulator/terraform-validate.test.ts, with the other Terraform runs.
});

describe("AwsNodeIdentities", () => {
  test("a role and profile per kind, named after the cluster, assumable by EC2 only", () => {
    const synth = synthValidated((scope) => testIdentities(scope, true));
    const roles = all(synth, "aws_iam_role");
    expect(roles.map((r) => r.name).sort()).toEqual(["kubeplane-test-bastion", "kubeplane-test-control-plane", "kubeplane-test-worker"]);
    for (const role of roles) {
      expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
    expect(all(synth, "aws_iam_instance_profile")).toHaveLength(3);
    expect(synth).toHaveResourceWithProperties(IamRole, { name: "kubeplane-test-worker", description: "kubeplane test: worker nodes" });
    expect(synth).toHaveResourceWithProperties(IamInstanceProfile, {
      name: "kubeplane-test-worker",
      role: expect.stringMatching(/^\$\{aws_iam_role\.identities_worker_role_[A-Z0-9]+\.name\}$/),
    });
    expect(synth).toHaveDataSource(DataAwsCallerIdentity);
  });

  test.each([
    ["", /AwsNodeIdentities: clusterName is required/],
    ["my cluster", /AwsNodeIdentities: clusterName may hold only letters, digits and \+ = , \. @ _ - \(it is part of IAM role names\), got "my cluster"/],
    ["team/dev", /AwsNodeIdentities: clusterName may hold only/],
    ["x".repeat(41), /AwsNodeIdentities: clusterName must be at most 40 characters \(IAM role names are at most 64\), got 41/],
  ])("rejects cluster name %p, naming the prop", (clusterName, message) => {
    expect(() => Testing.synthScope((scope) => new AwsNodeIdentities(scope, "identities", { clusterName }))).toThrow(message);
  });

  test("the longest accepted cluster name makes a control-plane role name of exactly IAM's 64 characters", () => {
    const synth = synthValidated((scope) => new AwsNodeIdentities(scope, "identities", { clusterName: "x".repeat(40) }));
    expect(synth).toHaveResourceWithProperties(IamRole, { name: expect.stringMatching(/^kubeplane-x{40}-control-plane$/) });
    expect(`kubeplane-${"x".repeat(40)}-control-plane`).toHaveLength(64);
  });

  test("nodes that bootstrap may tag only their own instance, with kubeplane:bootstrap only; workers may mark themselves unhealthy in this cluster's worker groups; a bastion neither", () => {
    const synth = synthValidated((scope) => testIdentities(scope, true));
    const policies = all(synth, "aws_iam_role_policy").filter((p) => p.name === "kubeplane-bootstrap-status");
    expect(policies.map((p) => String(p.role)).sort()).toEqual([
      expect.stringMatching(/^\$\{aws_iam_role\.identities_control-plane_role_[A-Z0-9]+\.id\}$/),
      expect.stringMatching(/^\$\{aws_iam_role\.identities_worker_role_[A-Z0-9]+\.id\}$/),
    ]);
    const statementsOf = (kind: string) =>
      JSON.parse(String(policies.find((p) => String(p.role).includes(`identities_${kind}_role`))!.policy)).Statement;
    const tagOwnInstance = {
      Sid: "TagClusterInstanceBootstrapState",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      // An ARN pattern (IAM refuses a Resource that is not an ARN), narrowed to the cluster's instances and the one key.
      Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:ec2:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:instance\/\*$/)],
      Condition: {
        StringEquals: { "ec2:ResourceTag/kubeplane:cluster": "test" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["kubeplane:bootstrap"] },
        Null: { "aws:TagKeys": "false" },
      },
    };
    expect(statementsOf("control-plane")).toEqual([tagOwnInstance]);
    expect(statementsOf("worker")).toEqual([
      tagOwnInstance,
      {
        Sid: "ReplaceFailedWorker",
        Effect: "Allow",
        Action: ["autoscaling:SetInstanceHealth"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:autoscaling:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:autoScalingGroup:\*:autoScalingGroupName\/\*$/)],
        Condition: { StringEquals: { "autoscaling:ResourceTag/kubeplane:cluster": "test", "autoscaling:ResourceTag/kubeplane:role": "worker" } },
      },
      {
        Sid: "CompleteOwnDrain",
        Effect: "Allow",
        Action: ["autoscaling:CompleteLifecycleAction"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:autoscaling:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:autoScalingGroup:\*:autoScalingGroupName\/\*$/)],
        Condition: { StringEquals: { "autoscaling:ResourceTag/kubeplane:cluster": "test", "autoscaling:ResourceTag/kubeplane:role": "worker" } },
      },
      { Sid: "FindOwnGroup", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingInstances"], Resource: ["*"] },
    ]);
  });

  test("a single identity checks its own props, naming them", () => {
    const single = (props: { clusterName: string; instanceArnPattern: string }) =>
      Testing.synthScope((scope) => new AwsNodeIdentity(scope, "id", { kind: "worker", ...props }));
    expect(() => single({ clusterName: "", instanceArnPattern: "arn:aws:ec2:*:*:instance/*" })).toThrow(/AwsNodeIdentity: clusterName is required/);
    expect(() => single({ clusterName: "test", instanceArnPattern: "" })).toThrow(/AwsNodeIdentity: instanceArnPattern is required/);
  });

  test("each role gets the scoped Session Manager policy, limited to the account's instances", () => {
    const synth = synthValidated((scope) => testIdentities(scope));
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, {
      name: "kubeplane-session-manager",
      role: expect.stringMatching(/^\$\{aws_iam_role\.identities_control-plane_role_[A-Z0-9]+\.id\}$/),
      policy: expect.stringContaining('"ssm:UpdateInstanceInformation"'),
    });
    const policy = all(synth, "aws_iam_role_policy").find((p) => p.name === "kubeplane-session-manager")!;
    const registration = JSON.parse(String(policy.policy)).Statement.find((s: { Sid: string }) => s.Sid === "AgentRegistration");
    expect(registration.Resource).toEqual([expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:ec2:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:instance\/\*$/)]);
  });
});
