/**
 * The example clusters synthesize to everything the foundation promises: network, firewall,
 * identities, join-lease backend, control plane, workers, tags, outputs and state.
 */
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { definitionFromYaml, exampleDefinition, resourcesOf, synthesizeCluster, SynthesizedCluster } from "../../support/examples";
import { userDataOf } from "../../support/user-data-of";

const dev = synthesizeCluster(exampleDefinition("dev"));
const prod = synthesizeCluster(exampleDefinition("prod"));
const kurl = synthesizeCluster(exampleDefinition("kurl"));

type Ingress = { cidr_blocks: string[]; from_port: number; to_port: number; protocol: string; self: boolean };
const ingressOf = (sg: Record<string, unknown>) => sg.ingress as Ingress[];
const groupNamed = (s: SynthesizedCluster, suffix: string) =>
  resourcesOf(s.clusterJson, "aws_security_group").find((g) => String(g.name).endsWith(`-${suffix}`))!;
const roleOf = (instance: Record<string, unknown>) => (instance.tags as Record<string, string>)["kubeplane:role"];
const controlPlaneUserData = (s: SynthesizedCluster) =>
  resourcesOf(s.clusterJson, "aws_instance").filter((i) => roleOf(i) === "control-plane").map((i) => userDataOf(s.clusterJson, i));
/** The workers' user data: a local (the launch template base64-encodes it by reference). */
const workerUserData = (s: SynthesizedCluster) => Object.values(s.clusterJson.locals ?? {}).map(String).filter((u) => /^\s*KUBEPLANE_ROLE='worker'$/m.test(u));
/** A line of the cluster settings file (/etc/kubeplane/cluster.env) in rendered user data. */
const setting = (name: string, value: string) => new RegExp(`^\\s*${name}='${value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}'$`, "m");

describe("dev example: network stack", () => {
  test("VPC with DNS, and public and private subnets in two zones", () => {
    expect(dev.network).toHaveResourceWithProperties(Vpc, { cidr_block: "10.10.0.0/16", enable_dns_hostnames: true, enable_dns_support: true });
    const subnets = resourcesOf(dev.networkJson, "aws_subnet");
    expect(subnets.map((s) => [s.availability_zone, s.cidr_block]).sort()).toEqual([
      ["eu-west-1a", "10.10.0.0/20"],
      ["eu-west-1a", "10.10.128.0/20"],
      ["eu-west-1b", "10.10.144.0/20"],
      ["eu-west-1b", "10.10.16.0/20"],
    ]);
    expect(subnets.every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
    expect(subnets.every((s) => (s.tags as Record<string, string>)["kubernetes.io/cluster/dev"] === "owned")).toBe(true);
  });

  test("an internet gateway, one NAT gateway, and default routes through them", () => {
    expect(resourcesOf(dev.networkJson, "aws_internet_gateway")).toHaveLength(1);
    expect(resourcesOf(dev.networkJson, "aws_nat_gateway")).toHaveLength(1);
    const routes = resourcesOf(dev.networkJson, "aws_route");
    expect(routes.filter((r) => String(r.gateway_id).includes("aws_internet_gateway"))).toHaveLength(1);
    expect(routes.filter((r) => String(r.nat_gateway_id).includes("aws_nat_gateway"))).toHaveLength(2);
    expect(resourcesOf(dev.networkJson, "aws_route_table_association")).toHaveLength(4);
  });

  test("the provider tags everything with the cluster and the definition's tags", () => {
    const provider = dev.networkJson.provider!.aws[0];
    expect(provider.region).toBe("eu-west-1");
    expect(provider.default_tags).toEqual([{ tags: { "kubeplane:cluster": "dev", customer: "internal", environment: "dev" } }]);
  });
});

/** A security group's ingress rules as `protocol/from-to[/self]`, sorted. */
function portsOf(synth: typeof dev, groupSuffix: string): string[] {
  return ingressOf(groupNamed(synth, groupSuffix)).map((r) => `${r.protocol}/${r.from_port}-${r.to_port}${r.self ? "/self" : ""}`).sort();
}

describe("dev example: cluster stack", () => {
  test("no security group admits the internet", () => {
    for (const sg of resourcesOf(dev.clusterJson, "aws_security_group")) {
      for (const rule of ingressOf(sg)) expect(rule.cidr_blocks).not.toContain("0.0.0.0/0");
    }
  });

  test("security groups open only the Kubernetes ports", () => {
    const ports = (suffix: string) => portsOf(dev, suffix);
    expect(ports("control-plane")).toEqual(["tcp/10257-10257/self", "tcp/10259-10259/self", "tcp/2379-2380/self", "tcp/6443-6443"]);
    expect(ports("nodes")).toEqual(["4/0-0/self", "tcp/10250-10250/self", "tcp/179-179/self", "tcp/5473-5473/self", "udp/4789-4789/self"]);
    expect(ports("workers")).toEqual(["tcp/10256-10256", "tcp/30000-32767", "udp/30000-32767"]);
    expect(ingressOf(groupNamed(dev, "control-plane")).find((r) => r.from_port === 6443)!.cidr_blocks).toEqual(["10.10.0.0/16"]);
  });

  test("separate roles and instance profiles, each with a scoped Session Manager policy", () => {
    const roles = resourcesOf(dev.clusterJson, "aws_iam_role").map((r) => r.name).sort();
    expect(roles).toEqual(["kubeplane-dev-control-plane", "kubeplane-dev-worker"]);
    expect(resourcesOf(dev.clusterJson, "aws_iam_instance_profile")).toHaveLength(2);
    const sessionPolicies = resourcesOf(dev.clusterJson, "aws_iam_role_policy").filter((p) => p.name === "kubeplane-session-manager");
    expect(sessionPolicies).toHaveLength(2);
    for (const policy of sessionPolicies) {
      const actions = JSON.parse(String(policy.policy)).Statement.flatMap((s: { Action: string[] }) => s.Action);
      expect(actions).toEqual(expect.arrayContaining(["ssm:UpdateInstanceInformation", "ssmmessages:OpenDataChannel", "ec2messages:GetMessages"]));
      expect(actions.filter((a: string) => a.startsWith("ssm:Get"))).toEqual([]);
    }
    // No managed policy: AmazonSSMManagedInstanceCore would let workers read every parameter.
    expect(resourcesOf(dev.clusterJson, "aws_iam_role_policy_attachment")).toEqual([]);
  });

  test("the join lease has a rotating KMS key and a refresh document, and no parameter in Terraform", () => {
    expect(dev.cluster).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    // The refresh document, and operator access's mint document (kubeplane kubeconfig): neither holds a secret.
    expect(resourcesOf(dev.clusterJson, "aws_ssm_document").map((d) => d.name)).toEqual(["kubeplane-dev-refresh-join-lease", "kubeplane-dev-mint-kubeconfig"]);
    expect(resourcesOf(dev.clusterJson, "aws_ssm_parameter")).toHaveLength(0);
  });

  test("one control-plane node in a private subnet of the network stack, no load balancer", () => {
    const [node, ...others] = resourcesOf(dev.clusterJson, "aws_instance");
    expect(others).toHaveLength(0);
    expect(String(node.subnet_id)).toContain("cross-stack");
    expect(resourcesOf(dev.clusterJson, "aws_lb")).toHaveLength(0);
  });

  test("Ubuntu LTS from Canonical by default", () => {
    expect(dev.cluster).toHaveDataSourceWithProperties(DataAwsAmi, { owners: ["099720109477"], most_recent: true });
  });

  test("outputs: API endpoint, parameter path, worker pool, control-plane ids and the backup store", () => {
    expect(Object.keys(dev.clusterJson.output ?? {}).sort()).toEqual(["api_endpoint", "backup_store", "control_plane_instance_ids", "parameter_path", "worker_pool"]);
    expect(dev.clusterJson.output!.parameter_path.value).toBe("/kubeplane/dev");
    expect(dev.clusterJson.output!.api_endpoint.value).toBe("https://api.dev.kubeplane.internal:6443");
  });

  test("local state, one file per stack under state/dev/", () => {
    expect(String(dev.networkJson.terraform!.backend!.local.path)).toMatch(/state\/dev\/dev-network\.tfstate$/);
    expect(String(dev.clusterJson.terraform!.backend!.local.path)).toMatch(/state\/dev\/dev-cluster\.tfstate$/);
  });

  // "is valid Terraform" (terraform init and validate) is in __tests__/emulator/terraform-validate.test.ts.
});

describe("prod example: HA control plane", () => {
  test("three zones, one NAT gateway per zone", () => {
    expect(new Set(resourcesOf(prod.networkJson, "aws_subnet").map((s) => s.availability_zone))).toEqual(new Set(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
    expect(resourcesOf(prod.networkJson, "aws_nat_gateway")).toHaveLength(3);
  });

  test("three control-plane nodes in three subnets behind an internal NLB on 6443", () => {
    const nodes = resourcesOf(prod.clusterJson, "aws_instance").filter((i) => String(i.tags && (i.tags as Record<string, string>)["kubeplane:role"]) === "control-plane");
    expect(nodes).toHaveLength(3);
    expect(new Set(nodes.map((n) => n.subnet_id)).size).toBe(3);
    expect(prod.cluster).toHaveResourceWithProperties(Lb, { internal: true, load_balancer_type: "network" });
    expect(prod.cluster).toHaveResourceWithProperties(LbListener, { port: 6443, protocol: "TCP" });
    expect(resourcesOf(prod.clusterJson, "aws_lb_target_group")[0]).toMatchObject({ port: 6443, preserve_client_ip: "false" });
    expect(resourcesOf(prod.clusterJson, "aws_lb_target_group_attachment")).toHaveLength(3);
    expect(prod.clusterJson.output!.api_endpoint.value).toBe("https://api.prod.kubeplane.internal:6443");
  });

  test("the first node initialises, the others join, and both know the load balancer's name", () => {
    const nodes = resourcesOf(prod.clusterJson, "aws_instance").filter((i) => (i.tags as Record<string, string>)["kubeplane:role"] === "control-plane");
    const userData = nodes.map((n) => userDataOf(prod.clusterJson, n));
    expect(userData.filter((u) => setting("KUBEPLANE_ROLE", "control-plane-init").test(u))).toHaveLength(1);
    expect(userData.filter((u) => setting("KUBEPLANE_ROLE", "control-plane-join").test(u))).toHaveLength(2);
    for (const u of userData) expect(u).toContain("KUBEPLANE_CONTROL_PLANE_ENDPOINT='api.prod.kubeplane.internal'");
  });

  test("a bastion reached by Session Manager: private, no ingress at all", () => {
    const bastion = resourcesOf(prod.clusterJson, "aws_instance").find((i) => (i.tags as Record<string, string>)["kubeplane:role"] === "bastion")!;
    expect(bastion).toMatchObject({ associate_public_ip_address: false, metadata_options: expect.objectContaining({ http_tokens: "required" }) });
    // Not a Kubernetes node: the AWS cloud provider must not take it for one of the cluster's.
    expect(bastion.tags).not.toHaveProperty(["kubernetes.io/cluster/prod"]);
    expect(bastion.tags).toMatchObject({ "kubeplane:cluster": "prod" });
    expect(ingressOf(groupNamed(prod, "bastion"))).toEqual([]);
    expect(Object.keys(prod.clusterJson.output!)).toContain("bastion_instance_id");
  });

  test("S3 state with native locking, one key per stack", () => {
    expect(prod.clusterJson.terraform!.backend!.s3).toEqual({
      bucket: "acme-kubeplane-state",
      key: "kubeplane/prod/prod-cluster.tfstate",
      region: "eu-west-1",
      encrypt: true,
      use_lockfile: true,
    });
    expect(prod.networkJson.terraform!.backend!.s3.key).toBe("kubeplane/prod/prod-network.tfstate");
  });

});

/** Resources of a type in the cluster stack, by their construct path (what `terraform state` addresses are made of). */
const byPath = (s: SynthesizedCluster, type: string) =>
  Object.fromEntries(Object.values(s.clusterJson.resource[type] ?? {}).map((r) => [String((r["//"] as { metadata: { path: string } }).metadata.path).replace(/^[^/]+\//, ""), r]));

describe("the API endpoint: a private DNS name every node uses", () => {
  test("dev (one control-plane node): a private zone of the VPC, and an A record to node-0's private address; no balancer", () => {
    expect(resourcesOf(dev.clusterJson, "aws_route53_zone")).toEqual([
      expect.objectContaining({ name: "dev.kubeplane.internal", vpc: [{ vpc_id: expect.stringContaining("cross-stack") }] }),
    ]);
    const [record, ...others] = resourcesOf(dev.clusterJson, "aws_route53_record");
    expect(others).toEqual([]);
    expect(record).toMatchObject({ name: "api.dev.kubeplane.internal", type: "A", ttl: 60, records: [expect.stringMatching(/^\$\{aws_instance\.control-plane_node-0_[A-Z0-9]+\.private_ip\}$/)] });
    for (const u of [...controlPlaneUserData(dev), ...workerUserData(dev)]) expect(u).toMatch(setting("KUBEPLANE_CONTROL_PLANE_ENDPOINT", "api.dev.kubeplane.internal"));
    expect(resourcesOf(dev.clusterJson, "aws_lb")).toEqual([]);
  });

  test("prod (HA): the record aliases the internal balancer, which keeps its construct ids", () => {
    const [record] = resourcesOf(prod.clusterJson, "aws_route53_record");
    expect(record).toMatchObject({ name: "api.prod.kubeplane.internal", alias: { name: expect.stringMatching(/^\$\{aws_lb\.api-load-balancer_nlb_[A-Z0-9]+\.dns_name\}$/) } });
    expect(Object.keys(byPath(prod, "aws_lb"))).toEqual(["api-load-balancer/nlb"]);
    expect(Object.keys(byPath(prod, "aws_lb_target_group"))).toEqual(["api-load-balancer/api-servers"]);
    expect(Object.keys(byPath(prod, "aws_lb_listener"))).toEqual(["api-load-balancer/api"]);
    // The internal balancer's group admits the VPC only.
    expect(ingressOf(groupNamed(prod, "api-lb")).map((r) => r.cidr_blocks)).toEqual([["10.20.0.0/16"]]);
    expect(Object.keys(prod.clusterJson.output!)).not.toContain("public_api_endpoint");
  });

  test("the API servers are health-checked with HTTPS GET /readyz", () => {
    expect(resourcesOf(prod.clusterJson, "aws_lb_target_group")[0].health_check).toMatchObject({ protocol: "HTTPS", path: "/readyz", port: "6443", matcher: "200" });
  });

  const publicYaml = (count: number, extra: string[] = []) =>
    ["name: pub", "region: eu-west-1", "network: { azs: 3 }", "controlPlane:", `  count: ${count}`, "  publicApi: { allowedCidrs: [203.0.113.0/24] }", ...extra].join("\n");

  test.each([1, 3])("a public API (%d control-plane nodes): nodes still use the internal name; an internet-facing balancer admits only the allow-list, its name in the certificate", (count) => {
    const s = synthesizeCluster(definitionFromYaml(publicYaml(count)));
    const balancers = byPath(s, "aws_lb");
    expect(Object.keys(balancers).sort()).toEqual([...(count > 1 ? ["api-load-balancer/nlb"] : []), "public-api-load-balancer/nlb"]);
    expect(balancers["public-api-load-balancer/nlb"]).toMatchObject({ internal: false, name: "pub-pub" });
    if (count > 1) expect(balancers["api-load-balancer/nlb"]).toMatchObject({ internal: true, name: "pub-api" });
    const [record] = resourcesOf(s.clusterJson, "aws_route53_record");
    if (count > 1) expect(String((record.alias as { name: string }).name)).toMatch(/^\$\{aws_lb\.api-load-balancer_nlb_/);
    else expect(record.records).toEqual([expect.stringMatching(/^\$\{aws_instance\.control-plane_node-0_/)]);
    const publicGroup = groupNamed(s, "api-lb-public");
    expect(ingressOf(publicGroup).map((r) => r.cidr_blocks)).toEqual([["203.0.113.0/24"]]);
    for (const u of controlPlaneUserData(s)) {
      expect(u).toMatch(setting("KUBEPLANE_CONTROL_PLANE_ENDPOINT", "api.pub.kubeplane.internal"));
      expect(u).toMatch(/^\s*KUBEPLANE_API_SERVER_CERT_SANS='\$\{aws_lb\.public-api-load-balancer_nlb_[A-Z0-9]+\.dns_name\}'$/m);
    }
    expect(s.clusterJson.output!.api_endpoint.value).toBe("https://api.pub.kubeplane.internal:6443");
    expect(String(s.clusterJson.output!.public_api_endpoint.value)).toMatch(/^https:\/\/\$\{aws_lb\.public-api-load-balancer_nlb_[A-Z0-9]+\.dns_name\}:6443$/);
    // Every public balancer's target is every control-plane node.
    expect(resourcesOf(s.clusterJson, "aws_lb_target_group_attachment")).toHaveLength(count > 1 ? 2 * count : 1);
  });

  test("network.privateDnsZone names the zone; controlPlane.apiLoadBalancer.deletionProtection protects every API balancer", () => {
    const s = synthesizeCluster(
      definitionFromYaml(publicYaml(3, ["  apiLoadBalancer: { deletionProtection: true }"]).replace("network: { azs: 3 }", "network: { azs: 3, privateDnsZone: corp.example.internal }")),
    );
    expect(resourcesOf(s.clusterJson, "aws_route53_zone")[0].name).toBe("pub.corp.example.internal");
    expect(s.clusterJson.output!.api_endpoint.value).toBe("https://api.pub.corp.example.internal:6443");
    expect(resourcesOf(s.clusterJson, "aws_lb").map((lb) => lb.enable_deletion_protection)).toEqual([true, true]);
    expect(resourcesOf(prod.clusterJson, "aws_lb").map((lb) => lb.enable_deletion_protection)).toEqual([false]);
  });

  test.each([
    ["an upper-case zone", "network: { privateDnsZone: Corp.internal }", /network\.privateDnsZone: must be a DNS name like kubeplane\.internal/],
    ["a trailing dot", "network: { privateDnsZone: corp.internal. }", /network\.privateDnsZone: must be a DNS name/],
    ["a zone too long for the API's name", `network: { privateDnsZone: ${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.internal }`, /network\.privateDnsZone: must be at most 245 characters with this cluster's name/],
    ["deletion protection that is not a boolean", "controlPlane: { apiLoadBalancer: { deletionProtection: yes please } }", /controlPlane\.apiLoadBalancer\.deletionProtection/],
  ])("rejects %s, naming the field", (_, line, message) => {
    expect(() => definitionFromYaml(["name: bad", "region: eu-west-1", line].join("\n"))).toThrow(message);
  });
});

describe("kurl example", () => {
  test("the control plane installs from the pinned kURL installer; zones come from us-east-1", () => {
    const [userData, ...others] = controlPlaneUserData(kurl);
    expect(others).toHaveLength(0);
    expect(userData).toMatch(setting("KUBEPLANE_KURL_INSTALLER_URL", "https://k8s.kurl.sh/5b3a0f1"));
    expect(new Set(resourcesOf(kurl.networkJson, "aws_subnet").map((s) => s.availability_zone))).toEqual(new Set(["us-east-1a", "us-east-1b"]));
  });

  test("nodes open kURL's CNI (Flannel VXLAN), not Calico's ports", () => {
    expect(portsOf(kurl, "nodes")).toEqual(["tcp/10250-10250/self", "udp/8472-8472/self"]);
  });
});

/** What every example promises of its nodes, whatever its size or installer. */
const EXAMPLE_NODES = [
  { name: "dev", synth: dev, installer: "kubeadm", workers: { min_size: 1, desired_capacity: 2, max_size: 3 }, customer: "internal" },
  { name: "prod", synth: prod, installer: "kubeadm", workers: { min_size: 3, desired_capacity: 6, max_size: 12 }, customer: "acme" },
  { name: "kurl", synth: kurl, installer: "kurl", workers: { min_size: 1, desired_capacity: 1, max_size: 2 }, customer: "replicated-demo" },
];

describe.each(EXAMPLE_NODES)("$name example: nodes", ({ name, synth, installer, workers, customer }) => {
  test("every instance (control plane, bastion) requires IMDSv2 with one hop and has an encrypted root volume", () => {
    const instances = resourcesOf(synth.clusterJson, "aws_instance");
    expect(instances.length).toBeGreaterThan(0);
    for (const instance of instances) {
      expect(instance.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
      expect(instance.root_block_device).toMatchObject({ encrypted: true, volume_type: "gp3" });
    }
  });

  test(`the control plane's and the workers' user data are cloud-config that install with ${installer}`, () => {
    const userData = [...controlPlaneUserData(synth), ...workerUserData(synth)];
    expect(workerUserData(synth)).toHaveLength(1);
    for (const u of userData) {
      expect(u).toMatch(/^#cloud-config\n/);
      expect(u).toMatch(setting("KUBEPLANE_CLUSTER", name));
      expect(u).toMatch(setting("KUBEPLANE_INSTALLER", installer));
      expect(u).not.toMatch(setting("KUBEPLANE_INSTALLER", installer === "kurl" ? "kubeadm" : "kurl"));
    }
  });

  test("workers: a launch template with IMDSv2 and an encrypted root volume, user data by reference", () => {
    expect(synth.cluster).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 },
      // One mapping, the root volume, under the Ubuntu AMI's own root device name.
      block_device_mappings: [
        expect.objectContaining({
          device_name: expect.stringMatching(/^\$\{data\.aws_ami\.image_ubuntu_[A-Z0-9]+\.root_device_name\}$/),
          ebs: expect.objectContaining({ encrypted: "true" }),
        }),
      ],
      user_data: expect.stringMatching(/^\$\{base64gzip\(local\./),
    });
  });

  test(`workers: an ASG of ${workers.min_size}/${workers.desired_capacity}/${workers.max_size} that tags its instances with the cluster and the definition's tags`, () => {
    expect(synth.cluster).toHaveResourceWithProperties(AutoscalingGroup, {
      ...workers,
      tag: expect.arrayContaining([
        { key: "kubeplane:cluster", value: name, propagate_at_launch: true },
        { key: "kubeplane:role", value: "worker", propagate_at_launch: true },
        { key: `kubernetes.io/cluster/${name}`, value: "owned", propagate_at_launch: true },
        { key: "customer", value: customer, propagate_at_launch: true },
      ]),
    });
  });
});

describe("clusters are separated", () => {
  test("each cluster has its own stacks, state files, names and parameter path", () => {
    const byCluster = [dev, prod, kurl].map((s) => JSON.stringify(s.clusterJson) + JSON.stringify(s.networkJson));
    expect(byCluster[0]).not.toMatch(/\bprod\b|kurl/);
    expect(byCluster[2]).not.toMatch(/kubeplane-dev|\/kubeplane\/dev|kubeplane-prod|\/kubeplane\/prod/);
    const remote = dev.clusterJson.data!.terraform_remote_state;
    expect(Object.keys(remote)).toEqual(["cross-stack-reference-input-dev-network"]);
  });
});

describe("network hardening from the definition", () => {
  const egressOfGroup = (s: SynthesizedCluster, suffix: string) =>
    (groupNamed(s, suffix).egress as Ingress[]).map((r) => `${r.protocol}/${r.from_port}-${r.to_port}:${r.cidr_blocks.join(",")}`);

  test.each([
    ["dev", dev],
    ["prod", prod],
    ["kurl", kurl],
  ])("%s: the VPC's flows are logged 30 days, its default group is closed, nodes reach the internet on 443/80 only, the key has a policy", (_, s) => {
    const [group] = resourcesOf(s.networkJson, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ retention_in_days: 30 });
    expect(resourcesOf(s.networkJson, "aws_flow_log")).toEqual([expect.objectContaining({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" })]);
    expect(resourcesOf(s.networkJson, "aws_default_security_group")).toEqual([expect.objectContaining({ ingress: [], egress: [] })]);
    const vpc = String(resourcesOf(s.networkJson, "aws_vpc")[0].cidr_block);
    expect(egressOfGroup(s, "nodes")).toEqual(["tcp/443-443:0.0.0.0/0", "tcp/80-80:0.0.0.0/0", `-1/0-0:${vpc}`]);
    expect(resourcesOf(s.clusterJson, "aws_kms_key").every((k) => typeof k.policy === "string")).toBe(true);
  });

  test("the definition's retention and extra egress reach the stacks, and the rule pack accepts the egress it asked for", () => {
    const s = synthesizeCluster(
      definitionFromYaml(
        [
          "name: egress",
          "region: eu-west-1",
          "network:",
          "  flowLogs: { retentionDays: 365 }",
          "  extraEgress:",
          "    - { description: PostgreSQL at the partner, protocol: tcp, fromPort: 5432, toPort: 5432, cidrs: [203.0.113.0/24] }",
          "    - { description: everything - agreed in SEC-7, protocol: all, cidrs: [0.0.0.0/0] }",
        ].join("\n"),
      ),
    );
    expect(resourcesOf(s.networkJson, "aws_cloudwatch_log_group")).toEqual([expect.objectContaining({ retention_in_days: 365 })]);
    expect(egressOfGroup(s, "nodes").slice(3)).toEqual(["tcp/5432-5432:203.0.113.0/24", "-1/0-0:0.0.0.0/0"]);
  });

  test("flowLogs.enabled: false is reported by KP-VPC-1 until a suppression accepts it", () => {
    const yaml = ["name: nologs", "region: eu-west-1", "network:", "  flowLogs: { enabled: false }"];
    expect(() => synthesizeCluster(definitionFromYaml(yaml.join("\n")))).toThrow(/KP-VPC-1 vpc-flow-logs .*has no flow log/);
    const suppressed = [...yaml, "suppressions:", "  - { rule: KP-VPC-1, resource: network/vpc, reason: flows are logged by the transit gateway (SEC-42) }"];
    const s = synthesizeCluster(definitionFromYaml(suppressed.join("\n")));
    expect(resourcesOf(s.networkJson, "aws_flow_log")).toEqual([]);
  });

  test.each([
    ["a retention CloudWatch Logs does not accept", "  flowLogs: { retentionDays: 2 }", /network\.flowLogs\.retentionDays: must be one of CloudWatch Logs' retention periods/],
    ["an unknown flowLogs field", "  flowLogs: { retention: 30 }", /network\.flowLogs/],
    ["extra egress without ports", "  extraEgress: [{ description: x, protocol: tcp, cidrs: [10.1.0.0/16] }]", /network\.extraEgress\[0\]\.fromPort: is required/],
    ["extra egress with a reversed range", "  extraEgress: [{ description: x, protocol: udp, fromPort: 9, toPort: 1, cidrs: [10.1.0.0/16] }]", /network\.extraEgress\[0\]\.toPort: must not be before fromPort/],
    ["extra egress with ports on all traffic", "  extraEgress: [{ description: x, protocol: all, fromPort: 1, toPort: 2, cidrs: [10.1.0.0/16] }]", /network\.extraEgress\[0\]\.fromPort: unknown field/],
    ["extra egress with an unknown protocol", "  extraEgress: [{ description: x, protocol: icmp, cidrs: [10.1.0.0/16] }]", /network\.extraEgress\[0\]\.protocol: must be one of: all, tcp, udp/],
    ["extra egress without a destination", "  extraEgress: [{ description: x, protocol: all, cidrs: [] }]", /network\.extraEgress\[0\]\.cidrs: name at least one destination/],
    ["extra egress with a description EC2 refuses", "  extraEgress: [{ description: \"Ubuntu's\", protocol: all, cidrs: [10.1.0.0/16] }]", /network\.extraEgress\[0\]\.description: must be 1-255 characters/],
  ])("rejects %s, naming the field", (_, line, message) => {
    expect(() => definitionFromYaml(["name: bad", "region: eu-west-1", "network:", line].join("\n"))).toThrow(message);
  });
});
