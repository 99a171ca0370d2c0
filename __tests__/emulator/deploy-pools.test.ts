/**
 * The deploy loop with two worker pools (issue 14), against the emulator: the pools example
 * (clusters/pools.yaml: an on-demand pool `general` and a spot, autoscaled pool `batch`) deployed
 * once in beforeAll; the groups, their mixed instances policy, tags and drain hooks as the
 * emulator's Auto Scaling API reports them; the autoscaled pool scaled outside Terraform as the
 * cluster autoscaler does it (SetDesiredCapacity), which `audit` does not call drift and `deploy`
 * does not undo; a launch-template change to both pools, which `deploy` rolls one pool at a time
 * (instance refresh with the minimum healthy percentage); then destroy.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { Emulator, startEmulator } from "../support/emulator";
import { clusterExpectations } from "../support/deploy/cluster-expectations";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { deployUntilConverged, destroyUntilGone } from "../support/deploy/emulator-quirks";
import { describeResult, KubeplaneWorkspace } from "../support/deploy/kubeplane-workspace";
import { PROJECT_ROOT } from "../../cli/terraform-environment";
import { DEFAULT_DRAIN_TIMEOUT_SECONDS, DEFAULT_MIN_HEALTHY_PERCENTAGE, SPOT_ALLOCATION_STRATEGY, workerPoolResourceName } from "../../providers/aws/aws-worker-pool";

jest.setTimeout(15 * 60_000);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const example = parse(readFileSync(path.join(PROJECT_ROOT, "clusters", "pools.yaml"), "utf8"));

let emulator: Emulator;
let workspace: KubeplaneWorkspace;
let inventory: EmulatorInventory;
let autoscaling: AutoScalingClient;
let definitionFile: string;
const timings: Record<string, number> = {};
/** Refreshes per pool before the launch-template change (the converging deploy's). */
const baselineRefreshes: Record<string, number> = {};
const started = Date.now();

const definitionOf = (d: Json) => ({ ...d, backups: { ...d.backups, keepOnDestroy: false } });
const expected = () => clusterExpectations(definitionFile);
const groupName = (pool: string) => workerPoolResourceName(example.name, pool);
const tagsOf = (group: Json) => Object.fromEntries(group.Tags.map((t: Json) => [t.Key, { value: t.Value, propagate: t.PropagateAtLaunch }]));

/** What the roll said during a deploy. */
const rollLines = (run: { stderr: string }) => run.stderr.split("\n").filter((l) => l.startsWith("kubeplane roll: "));

async function group(pool: string): Promise<Json> {
  const answer = await inventory.aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", groupName(pool));
  return answer.AutoScalingGroups[0];
}

beforeAll(async () => {
  emulator = await startEmulator();
  workspace = new KubeplaneWorkspace(emulator.env, "");
  definitionFile = path.join(workspace.directory, "pools.yaml");
  // The whole cluster goes at the end: keeping the backup store is deploy-s3-state's subject.
  writeFileSync(definitionFile, stringify(definitionOf(example)));
  workspace.env.KUBEPLANE_CLUSTERS = definitionFile;
  inventory = new EmulatorInventory(emulator.env, example.region);
  autoscaling = new AutoScalingClient({
    region: example.region,
    endpoint: emulator.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" },
  });
  const deployed = await deployUntilConverged(workspace, [`${example.name}-*`]);
  timings.firstDeploy = deployed.first.seconds;
  timings.deploys = deployed.runs.length;
});

afterAll(async () => {
  autoscaling?.destroy();
  workspace?.dispose();
  await emulator?.stop();
  timings.suite = (Date.now() - started) / 1000;
  process.stdout.write(`deploy loop timings (two pools), seconds: ${JSON.stringify(timings)}\n`);
});

test("each pool is an auto-scaling group of its own, with the definition's sizes, in its zones' private subnets", async () => {
  const { definition, zones, privateSubnetCidrs } = expected();
  expect((await inventory.autoScalingGroups(example.name)).map((g) => g.AutoScalingGroupName).sort()).toEqual(
    definition.workerPools.map((p) => groupName(p.name)).sort(),
  );
  const subnets = await inventory.subnets(example.name);
  for (const pool of definition.workerPools) {
    const g = await group(pool.name);
    expect([pool.name, g.MinSize, g.DesiredCapacity, g.MaxSize, g.Instances.length]).toEqual([pool.name, pool.min, pool.desired, pool.max, pool.desired]);
    const poolZones = pool.zones ?? zones;
    const wanted = poolZones.map((z) => privateSubnetCidrs[zones.indexOf(z)]).sort();
    const used = g.VPCZoneIdentifier.split(",").map((id: string) => subnets.find((s) => s.SubnetId === id)?.CidrBlock).sort();
    expect([pool.name, used]).toEqual([pool.name, wanted]);
    expect([pool.name, g.HealthCheckType, g.HealthCheckGracePeriod]).toEqual([pool.name, "EC2", 300]);
  }
});

test("the spot pool launches through a mixed instances policy (its types, capacity-optimized spot above the on-demand base); the on-demand pool through its template", async () => {
  const { definition } = expected();
  const batch = definition.workerPools.find((p) => p.name === "batch")!;
  const general = definition.workerPools.find((p) => p.name === "general")!;
  const spot = await group("batch");
  expect(spot.LaunchTemplate).toBeUndefined();
  const [template] = (await inventory.launchTemplates(example.name)).filter((t) => t.LaunchTemplateName === groupName("batch"));
  expect(spot.MixedInstancesPolicy).toMatchObject({
    LaunchTemplate: {
      LaunchTemplateSpecification: { LaunchTemplateId: template.LaunchTemplateId },
      Overrides: batch.instanceTypes.map((InstanceType) => ({ InstanceType })),
    },
    InstancesDistribution: {
      OnDemandBaseCapacity: batch.spot!.onDemandBase,
      OnDemandPercentageAboveBaseCapacity: batch.spot!.onDemandPercentageAboveBase,
      SpotAllocationStrategy: SPOT_ALLOCATION_STRATEGY,
    },
  });
  const onDemand = await group("general");
  expect(onDemand.MixedInstancesPolicy).toBeUndefined();
  expect(onDemand.LaunchTemplate.LaunchTemplateName).toBe(groupName("general"));
  const version = (await inventory.launchTemplateDefaultVersion(onDemand.LaunchTemplate.LaunchTemplateId)).LaunchTemplateData;
  expect(version.InstanceType).toBe(general.instanceTypes[0]);
});

test("the autoscaled pool carries the cluster autoscaler's discovery and node-template tags (not propagated), the other pool none; both name their pool", async () => {
  const batch = tagsOf(await group("batch"));
  expect(batch).toMatchObject({
    "k8s.io/cluster-autoscaler/enabled": { value: "true", propagate: false },
    [`k8s.io/cluster-autoscaler/${example.name}`]: { value: "owned", propagate: false },
    "k8s.io/cluster-autoscaler/node-template/label/example.com/workload": { value: "batch", propagate: false },
    "k8s.io/cluster-autoscaler/node-template/label/node.kubernetes.io/lifecycle": { value: "spot", propagate: false },
    "k8s.io/cluster-autoscaler/node-template/taint/example.com/spot": { value: "true:NoSchedule", propagate: false },
    "kubeplane:pool": { value: "batch", propagate: true },
    "kubeplane:cluster": { value: example.name, propagate: true },
  });
  const general = tagsOf(await group("general"));
  expect(Object.keys(general).filter((k) => k.startsWith("k8s.io/cluster-autoscaler/"))).toEqual([]);
  expect(general["kubeplane:pool"]).toEqual({ value: "general", propagate: true });
});

test("every pool holds its terminating instances on the drain hook (CONTINUE after the drain timeout); every instance runs its group's template version", async () => {
  for (const pool of ["general", "batch"]) {
    const hooks = (await inventory.aws("autoscaling", "describe-lifecycle-hooks", "--auto-scaling-group-name", groupName(pool))).LifecycleHooks;
    expect(hooks).toEqual([
      expect.objectContaining({
        LifecycleHookName: "kubeplane-drain",
        AutoScalingGroupName: groupName(pool),
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        HeartbeatTimeout: DEFAULT_DRAIN_TIMEOUT_SECONDS,
        DefaultResult: "CONTINUE",
      }),
    ]);
    expect(hooks[0].RoleARN).toBeUndefined();
    // Nothing is on an outdated version (a deploy that converged in two applies rolled it), and no refresh runs.
    const refreshes = (await inventory.aws("autoscaling", "describe-instance-refreshes", "--auto-scaling-group-name", groupName(pool))).InstanceRefreshes;
    baselineRefreshes[pool] = refreshes.length;
    expect([pool, refreshes.filter((r: Json) => r.Status !== "Successful")]).toEqual([pool, []]);
    const g = await group(pool);
    const spec = g.LaunchTemplate ?? g.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification;
    expect([pool, g.Instances.map((i: Json) => i.LaunchTemplate.Version)]).toEqual([pool, g.Instances.map(() => spec.Version)]);
  }
});

describe("the autoscaled pool scaled outside Terraform, as the cluster autoscaler does", () => {
  let scaledTo: number;

  beforeAll(async () => {
    const batch = expected().definition.workerPools.find((p) => p.name === "batch")!;
    scaledTo = batch.desired + 2;
    expect(scaledTo).toBeLessThanOrEqual(batch.max);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName("batch"), DesiredCapacity: scaledTo, HonorCooldown: false }));
  });

  test("audit stays clean", async () => {
    const audit = await workspace.run("audit");
    timings.auditAfterScaling = audit.seconds;
    expect({ code: audit.code, output: audit.code === 0 ? "" : describeResult("audit", audit) }).toEqual({ code: 0, output: "" });
  });

  test("deploy does not undo it", async () => {
    const deploy = await workspace.run("deploy", [`${example.name}-*`, "--auto-approve"]);
    timings.deployAfterScaling = deploy.seconds;
    expect({ code: deploy.code, output: deploy.code === 0 ? "" : describeResult("deploy", deploy) }).toEqual({ code: 0, output: "" });
    // New instances of the scaled pool come from the group's template version: nothing to roll.
    expect(rollLines(deploy)).toEqual([`kubeplane roll: ${example.name}: every pool runs its launch template's version; nothing to roll`]);
    const answer = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName("batch")] }));
    expect(answer.AutoScalingGroups?.[0].DesiredCapacity).toBe(scaledTo);
    expect(answer.AutoScalingGroups?.[0].Instances).toHaveLength(scaledTo);
  });
});

describe("a launch-template change to both pools", () => {
  let before: Record<string, Json>;
  let deploy: Awaited<ReturnType<KubeplaneWorkspace["run"]>>;

  beforeAll(async () => {
    before = { general: await group("general"), batch: await group("batch") };
    // A new root volume size changes both launch templates (a new version each).
    writeFileSync(definitionFile, stringify(definitionOf({ ...example, workers: example.workers.map((p: Json) => ({ ...p, volumeSize: (p.volumeSize ?? 30) + 10 })) })));
    deploy = await workspace.run("deploy", [`${example.name}-*`, "--auto-approve"]);
    timings.rollingDeploy = deploy.seconds;
  });

  test("deploy rolls the pools one after the other, each with the minimum healthy percentage, replacing only outdated instances", async () => {
    expect({ code: deploy.code, output: deploy.code === 0 ? "" : describeResult("deploy", deploy) }).toEqual({ code: 0, output: "" });
    // Each pool once, general first.
    const starts = rollLines(deploy).filter((l) => /on an outdated launch template; rolling/.test(l));
    expect({ starts: starts.map((l) => /pool (\w+)/.exec(l)?.[1]), said: rollLines(deploy) }).toEqual({ starts: ["general", "batch"], said: expect.any(Array) });
    const refreshes: Record<string, Json> = {};
    for (const pool of ["general", "batch"]) {
      const listed = (await inventory.aws("autoscaling", "describe-instance-refreshes", "--auto-scaling-group-name", groupName(pool))).InstanceRefreshes;
      expect([pool, listed.length]).toEqual([pool, baselineRefreshes[pool] + 1]);
      refreshes[pool] = listed[0];
      expect(refreshes[pool]).toMatchObject({
        Status: "Successful",
        InstancesToUpdate: 0,
        Preferences: { MinHealthyPercentage: DEFAULT_MIN_HEALTHY_PERCENTAGE, SkipMatching: true },
      });
    }
    // In the definition's order: the second starts after the first has ended.
    expect(Date.parse(refreshes.batch.StartTime)).toBeGreaterThanOrEqual(Date.parse(refreshes.general.EndTime));
    expect(deploy.stderr).toMatch(/kubeplane roll: pools: pool general \(kubeplane-pools-workers-general\): \d+ of \d+ instances? on an outdated launch template; rolling/);
    expect(deploy.stderr.indexOf("pool general")).toBeLessThan(deploy.stderr.indexOf("pool batch"));
    for (const pool of ["general", "batch"]) {
      const after = await group(pool);
      const spec = after.LaunchTemplate ?? after.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification;
      const was = before[pool].LaunchTemplate ?? before[pool].MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification;
      expect(Number(spec.Version)).toBe(Number(was.Version) + 1);
      // Every instance now runs the new version; the same number of them.
      expect([pool, after.Instances.map((i: Json) => i.LaunchTemplate.Version)]).toEqual([pool, after.Instances.map(() => spec.Version)]);
      expect(after.Instances).toHaveLength(before[pool].Instances.length);
    }
  });

  test("a second deploy, with nothing outdated, rolls nothing; kubeplane roll says so too", async () => {
    const again = await workspace.run("deploy", [`${example.name}-*`, "--auto-approve"]);
    expect(again.code).toBe(0);
    const roll = await workspace.run("kubeplane", ["roll", example.name]);
    expect({ code: roll.code, err: roll.stderr }).toEqual({ code: 0, err: expect.stringContaining(`kubeplane roll: ${example.name}: every pool runs its launch template's version; nothing to roll`) });
    for (const pool of ["general", "batch"]) {
      const listed = (await inventory.aws("autoscaling", "describe-instance-refreshes", "--auto-scaling-group-name", groupName(pool))).InstanceRefreshes;
      expect([pool, listed.length]).toEqual([pool, baselineRefreshes[pool] + 1]);
    }
  });
});

test("destroy removes both pools and everything else of the cluster", async () => {
  const destroyed = await destroyUntilGone(workspace, [`${example.name}-*`]);
  timings.destroy = destroyed.seconds;
  expect(await inventory.leftovers(example.name)).toEqual({});
});
