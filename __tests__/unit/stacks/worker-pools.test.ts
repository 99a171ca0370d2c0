/**
 * Worker pools (issue 14): the definition (a mapping is the pool `default`, a list names pools),
 * and what the AWS cloud makes of each pool: its own group and template, a mixed instances policy
 * for spot or several types, the autoscaler's tags with desired_capacity left to it, instance
 * refresh on a new template, a termination hook the node completes, labels and taints at
 * registration.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { parseDefinition } from "../../../definition";
import { cloudFor } from "../../../providers";
import { DEFAULT_DRAIN_TIMEOUT_SECONDS, SPOT_ALLOCATION_STRATEGY } from "../../../providers/aws/aws-worker-pool";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";
import { exampleDefinition, resourcesOf, synthesizeCluster, TerraformJson } from "../../support/examples";

const BASE = "name: t\nregion: eu-west-1\n";
const problemsOf = (yaml: string) => parseDefinition("c.yaml", yaml, { cloudFor }).problems.map((p) => `${p.path}: ${p.message}`);

describe("workers in the definition", () => {
  test("a mapping is one pool named default, with the singular instanceType of older definitions", () => {
    const { definition } = parseDefinition("c.yaml", `${BASE}workers:\n  min: 1\n  desired: 1\n  max: 2\n  instanceType: m6i.large\n`, { cloudFor });
    expect(definition?.workerPools).toEqual([
      expect.objectContaining({ name: "default", listed: false, min: 1, desired: 1, max: 2, instanceTypes: ["m6i.large"], labels: {}, taints: [], autoscale: false }),
    ]);
  });

  test("a list names its pools; each takes the defaults", () => {
    const { definition, problems } = parseDefinition("c.yaml", `${BASE}workers:\n  - name: a\n  - name: b\n    instanceTypes: [m6i.large, m5.large]\n    spot: {}\n`, { cloudFor });
    expect(problems).toEqual([]);
    expect(definition?.workerPools.map((p) => [p.name, p.instanceTypes, p.spot, p.min, p.desired, p.max])).toEqual([
      ["a", ["t3.large"], undefined, 1, 2, 3],
      ["b", ["m6i.large", "m5.large"], { onDemandBase: 0, onDemandPercentageAboveBase: 0 }, 1, 2, 3],
    ]);
  });

  test.each([
    ["duplicate names", "  - name: a\n  - name: a\n", 'workers[1].name: "a" is the name of workers[0] too: pool names must be unique'],
    ["counts, per pool", "  - name: a\n  - name: b\n    min: 4\n    max: 2\n    desired: 3\n", "workers[1].min: must not exceed workers[1].max (4 > 2)"],
    ["a role label the kubelet may not set", "  - name: a\n    labels:\n      node-role.kubernetes.io/worker: \"\"\n", "workers[0].labels.node-role.kubernetes.io/worker:"],
    ["a label value Kubernetes refuses", "  - name: a\n    labels:\n      example.com/x: \"-bad\"\n", 'workers[0].labels.example.com/x: "-bad" must be empty or 1-63 characters'],
    ["a taint effect the Node API does not know", "  - name: a\n    taints:\n      - key: example.com/x\n        effect: NoRun\n", "workers[0].taints[0].effect:"],
    ["a zone outside network.azs", "  - name: a\n    zones: [eu-west-1c]\n", 'workers[0].zones[0]: "eu-west-1c" is not one of network.azs (eu-west-1a, eu-west-1b)'],
    ["an unknown instance type", "  - name: a\n    instanceTypes: [t3.large, m6i.larg]\n", "workers[0].instanceTypes[1]:"],
    ["a spot percentage above 100", "  - name: a\n    spot:\n      onDemandPercentageAboveBase: 101\n", "workers[0].spot.onDemandPercentageAboveBase: must be a percentage, 0 to 100"],
    ["a pool name that is no DNS label", "  - name: Big_Pool\n", "workers[0].name: must be a DNS-1123 label"],
  ])("refuses %s, naming the field", (_, pools, expected) => {
    const problems = problemsOf(`${BASE}network:\n  azs: [eu-west-1a, eu-west-1b]\nworkers:\n${pools}`);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  test("kubelet- and node.kubernetes.io labels are the ones a node may set itself", () => {
    expect(problemsOf(`${BASE}workers:\n  - name: a\n    labels:\n      node.kubernetes.io/lifecycle: spot\n      kubelet.kubernetes.io/x: y\n`)).toEqual([]);
  });

  test("the pod network must hold every pool's largest size", () => {
    expect(problemsOf(`${BASE}kubernetes:\n  podCidr: 192.168.0.0/22\nworkers:\n  - name: a\n    max: 2\n  - name: b\n    max: 2\n`)).toEqual([
      "kubernetes.podCidr: a /22 holds the pod ranges (/24 each) of 4 nodes, but the cluster may have 5 (controlPlane.count + workers.max); use a /21 or larger",
    ]);
  });
});

describe("clusters/pools.yaml on AWS", () => {
  const { clusterJson: json } = synthesizeCluster(exampleDefinition("pools"));
  const groups = json.resource.aws_autoscaling_group as Record<string, Record<string, unknown>>;
  const group = (pool: string) => Object.entries(groups).find(([id]) => id.startsWith(`workers-${pool}_group`))![1];
  const tagsOf = (g: Record<string, unknown>) => Object.fromEntries((g.tag as { key: string; value: string; propagate_at_launch: boolean }[]).map((t) => [t.key, t]));
  const templateOf = (pool: string) => Object.entries(json.resource.aws_launch_template).find(([id]) => id.startsWith(`workers-${pool}_template`))!;
  const userDataOf = (j: TerraformJson, pool: string) => {
    const local = /local\.([\w-]+)\)/.exec(String(templateOf(pool)[1].user_data))![1];
    return String(j.locals![local]);
  };

  test("each pool is a group of its own, named after it, over its zones' subnets", () => {
    expect(Object.keys(groups).sort()).toEqual([expect.stringMatching(/^workers-batch_group_/), expect.stringMatching(/^workers-general_group_/)]);
    expect(group("general")).toMatchObject({ name: "kubeplane-pools-workers-general", min_size: 2, desired_capacity: 2, max_size: 4 });
    expect(group("batch")).toMatchObject({ name: "kubeplane-pools-workers-batch", min_size: 0, desired_capacity: 1, max_size: 10 });
    expect((group("general").vpc_zone_identifier as string[]).length).toBe(3);
    expect((group("batch").vpc_zone_identifier as string[]).length).toBe(2);
  });

  test("the spot pool: a mixed instances policy, capacity-optimized spot above an on-demand base of 0, its three types", () => {
    const batch = group("batch");
    expect(batch.launch_template).toBeUndefined();
    expect(batch.mixed_instances_policy).toEqual({
      launch_template: {
        launch_template_specification: {
          launch_template_id: expect.stringMatching(/^\$\{aws_launch_template\.workers-batch_template_\w+\.id\}$/),
          version: expect.stringMatching(/^\$\{aws_launch_template\.workers-batch_template_\w+\.latest_version\}$/),
        },
        override: [{ instance_type: "m6i.large" }, { instance_type: "m5.large" }, { instance_type: "m6a.large" }],
      },
      instances_distribution: {
        on_demand_allocation_strategy: "prioritized",
        on_demand_base_capacity: 0,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: SPOT_ALLOCATION_STRATEGY,
      },
    });
    expect(SPOT_ALLOCATION_STRATEGY).toBe("capacity-optimized");
  });

  test("the autoscaled pool: discovery and node-template tags (not on instances), desired_capacity left to the autoscaler", () => {
    const tags = tagsOf(group("batch"));
    expect(tags["k8s.io/cluster-autoscaler/enabled"]).toEqual({ key: "k8s.io/cluster-autoscaler/enabled", value: "true", propagate_at_launch: false });
    expect(tags["k8s.io/cluster-autoscaler/pools"]).toMatchObject({ value: "owned", propagate_at_launch: false });
    expect(tags["k8s.io/cluster-autoscaler/node-template/label/example.com/workload"]).toMatchObject({ value: "batch" });
    expect(tags["k8s.io/cluster-autoscaler/node-template/label/node.kubernetes.io/lifecycle"]).toMatchObject({ value: "spot" });
    expect(tags["k8s.io/cluster-autoscaler/node-template/taint/example.com/spot"]).toMatchObject({ value: "true:NoSchedule" });
    expect(group("batch").lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    // The pool the autoscaler does not own: none of it.
    expect(Object.keys(tagsOf(group("general"))).filter((k) => k.startsWith("k8s.io/cluster-autoscaler"))).toEqual([]);
    expect(group("general").lifecycle).toBeUndefined();
  });

  test("a new template version rolls the pool: the group names the latest version; the roll (not Terraform) refreshes it, 90% healthy", () => {
    const general = group("general");
    expect(general.launch_template).toEqual({
      id: expect.stringMatching(/^\$\{aws_launch_template\.workers-general_template_\w+\.id\}$/),
      version: expect.stringMatching(/^\$\{aws_launch_template\.workers-general_template_\w+\.latest_version\}$/),
    });
    for (const pool of ["general", "batch"]) {
      expect(group(pool).instance_refresh).toBeUndefined();
      expect(tagsOf(group(pool))["kubeplane:roll-min-healthy-percentage"]).toMatchObject({ value: "90", propagate_at_launch: false });
    }
  });

  test("every pool holds terminating workers on a hook while they drain", () => {
    const hooks = resourcesOf(json, "aws_autoscaling_lifecycle_hook");
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) {
      expect(hook).toMatchObject({
        name: "kubeplane-drain",
        lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
        heartbeat_timeout: DEFAULT_DRAIN_TIMEOUT_SECONDS,
        default_result: "CONTINUE",
      });
    }
    expect(hooks.map((h) => h.autoscaling_group_name).sort()).toEqual([
      expect.stringMatching(/^\$\{aws_autoscaling_group\.workers-batch_group_\w+\.name\}$/),
      expect.stringMatching(/^\$\{aws_autoscaling_group\.workers-general_group_\w+\.name\}$/),
    ]);
  });

  test("the node completes the hook the pool makes (the same name on both sides)", () => {
    const module = readFileSync(path.join(NODE_SOURCE_DIR, "termination", "aws.sh"), "utf8");
    expect(module).toMatch(/^TERMINATION_HOOK_NAME=kubeplane-drain$/m);
    expect(resourcesOf(json, "aws_autoscaling_lifecycle_hook")[0].name).toBe("kubeplane-drain");
  });

  test("each pool's nodes register with its labels and taints", () => {
    expect(userDataOf(json, "batch")).toContain("KUBEPLANE_NODE_LABELS='example.com/workload=batch,node.kubernetes.io/lifecycle=spot'");
    expect(userDataOf(json, "batch")).toContain("KUBEPLANE_NODE_TAINTS='example.com/spot=true:NoSchedule'");
    expect(userDataOf(json, "general")).toContain("KUBEPLANE_NODE_LABELS='example.com/workload=general'");
    expect(userDataOf(json, "general")).not.toContain("KUBEPLANE_NODE_TAINTS='");
  });

  test("a worker may complete the drain hook only in its cluster's worker groups", () => {
    const policies = resourcesOf(json, "aws_iam_role_policy").map((p) => String(p.policy));
    const worker = policies.find((p) => p.includes("CompleteOwnDrain"))!;
    const statement = JSON.parse(worker).Statement.find((s: { Sid: string }) => s.Sid === "CompleteOwnDrain");
    expect(statement).toMatchObject({
      Action: ["autoscaling:CompleteLifecycleAction"],
      Condition: { StringEquals: { "autoscaling:ResourceTag/kubeplane:cluster": "pools", "autoscaling:ResourceTag/kubeplane:role": "worker" } },
    });
    expect(statement.Resource[0]).toMatch(/:autoScalingGroup:\*:autoScalingGroupName\/\*$/);
  });
});
