/**
 * The roll (cli/pool-roll.ts, pool-roll-aws.ts, pool-roll-command.ts) against a recorded fake of
 * the Auto Scaling API (fake-auto-scaling.ts): outdated pools are refreshed one at a time in the
 * definition's order, each with its group's minimum healthy percentage and SkipMatching, the next
 * starting only once the previous one is Successful; a refresh that fails, is already running or
 * does not end in time stops the roll naming the pool and the next step; up-to-date pools are
 * left alone; deploy rolls only the clusters whose cluster stack it deployed.
 */
import { emptyClusterResources } from "../../support/empty-cluster-resources";
import type { ClusterDefinition } from "../../../definition";
import { AwsPoolRoller } from "../../../cli/pool-roll-aws";
import { rollPools, RollPool } from "../../../cli/pool-roll";
import { rollAfterDeploy, rollMain, rollPoolsOf } from "../../../cli/pool-roll-command";
import { ROLL_MIN_HEALTHY_TAG, workerPoolResourceName } from "../../../providers/aws/aws-worker-pool";
import { FakeAutoScaling, FakeGroup } from "./fake-auto-scaling";

const GENERAL = "kubeplane-pools-workers-general";
const BATCH = "kubeplane-pools-workers-batch";
const POOLS: RollPool[] = [
  { name: "general", group: GENERAL },
  { name: "batch", group: BATCH },
];

/** Both pools on template version 2, their instances launched from version 1. */
function outdatedGroups(): FakeGroup[] {
  return [
    { name: GENERAL, templateVersion: 2, instances: [1, 2, 3, 4].map((n) => ({ id: `i-g${n}`, version: 1 })) },
    { name: BATCH, templateVersion: 2, mixed: true, tags: { [ROLL_MIN_HEALTHY_TAG]: "50" }, instances: [1, 2].map((n) => ({ id: `i-b${n}`, version: 1 })) },
  ];
}

async function roll(fake: FakeAutoScaling, pools: readonly RollPool[] = POOLS, timeoutSeconds?: number) {
  const lines: string[] = [];
  let clock = 0;
  const outcome = await rollPools("pools", pools, new AwsPoolRoller(fake, "eu-west-1"), {
    report: (l) => lines.push(l),
    sleep: async (ms) => void (clock += ms),
    now: () => clock,
    timeoutSeconds,
  });
  return { outcome, lines };
}

test("outdated pools roll one after the other, in order, each with its group's minimum healthy percentage and SkipMatching", async () => {
  const fake = FakeAutoScaling.of(outdatedGroups());
  const { outcome, lines } = await roll(fake);
  expect(outcome).toEqual({ rolled: ["general", "batch"], upToDate: [], notRolled: [] });
  expect(fake.started).toEqual([
    { AutoScalingGroupName: GENERAL, Strategy: "Rolling", Preferences: { MinHealthyPercentage: 90, SkipMatching: true } },
    { AutoScalingGroupName: BATCH, Strategy: "Rolling", Preferences: { MinHealthyPercentage: 50, SkipMatching: true } },
  ]);
  // The second refresh starts only after the first one was seen Successful.
  const refreshEvents = fake.events.filter((e) => !e.startsWith("DescribeAutoScalingGroups"));
  expect(refreshEvents).toEqual([
    `StartInstanceRefresh ${GENERAL}`,
    `DescribeInstanceRefreshes ${GENERAL}: InProgress`,
    // 90% healthy of 4: one instance at a time.
    `DescribeInstanceRefreshes ${GENERAL}: InProgress`,
    `DescribeInstanceRefreshes ${GENERAL}: InProgress`,
    `DescribeInstanceRefreshes ${GENERAL}: InProgress`,
    `DescribeInstanceRefreshes ${GENERAL}: Successful`,
    `StartInstanceRefresh ${BATCH}`,
    `DescribeInstanceRefreshes ${BATCH}: InProgress`,
    // 50% of 2: one at a time.
    `DescribeInstanceRefreshes ${BATCH}: InProgress`,
    `DescribeInstanceRefreshes ${BATCH}: Successful`,
  ]);
  expect(fake.groups.get(GENERAL)!.instances.every((i) => i.version === 2)).toBe(true);
  expect(lines[0]).toBe(`kubeplane roll: pools: pool general (${GENERAL}): 4 of 4 instances on an outdated launch template; rolling to version 2 (instance refresh refresh-${GENERAL}-1, at least 90% in service)`);
  expect(lines).toContain(`kubeplane roll: pools: pool general (${GENERAL}): InProgress, 25% done`);
  expect(lines.filter((l) => / rolled in \d+ s$/.test(l)).map((l) => l.split(" (")[0])).toEqual(["kubeplane roll: pools: pool general", "kubeplane roll: pools: pool batch"]);
});

test("a pool whose instances all run the group's version is not refreshed; with none outdated, the roll says there is nothing to roll", async () => {
  const groups = outdatedGroups();
  groups[0].instances = groups[0].instances.map((i) => ({ ...i, version: 2 }));
  const fake = FakeAutoScaling.of(groups);
  const { outcome } = await roll(fake);
  expect(outcome).toEqual({ rolled: ["batch"], upToDate: ["general"], notRolled: [] });
  expect(fake.started.map((s) => s.AutoScalingGroupName)).toEqual([BATCH]);

  const { outcome: again, lines } = await roll(fake);
  expect(again).toEqual({ rolled: [], upToDate: ["general", "batch"], notRolled: [] });
  expect(lines).toEqual(["kubeplane roll: pools: every pool runs its launch template's version; nothing to roll"]);
  expect(fake.started).toHaveLength(1);
});

test("instances leaving the group are not counted as outdated", async () => {
  const groups = outdatedGroups();
  groups[0].instances = [{ id: "i-g1", version: 2 }, { id: "i-g2", version: 1, state: "Terminating:Wait" }];
  const fake = FakeAutoScaling.of(groups.slice(0, 1));
  expect(await new AwsPoolRoller(fake, "eu-west-1").inspect(POOLS[0])).toEqual({ instances: 1, outdated: 0, version: "2" });
});

test("a failed refresh stops the roll: the pools after it are not started, and the message names the pool, the status, where to look and the next step", async () => {
  const fake = FakeAutoScaling.of(outdatedGroups(), { [GENERAL]: { status: "Failed", reason: "(the fake's reason) instances did not become healthy" } });
  const { outcome, lines } = await roll(fake);
  expect(outcome).toEqual({ rolled: [], upToDate: [], stoppedAt: "general", notRolled: ["general", "batch"] });
  expect(fake.started.map((s) => s.AutoScalingGroupName)).toEqual([GENERAL]);
  expect(lines.slice(-2)).toEqual([
    `kubeplane roll: pools: pool general (${GENERAL}): the instance refresh refresh-${GENERAL}-1 ended Failed: (the fake's reason) instances did not become healthy`,
    `  Not rolled: general, batch. See the instance refresh with \`aws autoscaling describe-instance-refreshes --region eu-west-1 --auto-scaling-group-name ${GENERAL}\`, fix the cause, then run \`kubeplane roll pools --pool general\` and \`kubeplane roll pools\` for the pools after it.`,
  ]);
});

test("a cancelled refresh of the last pool stops the roll too, with no pools after it to name", async () => {
  const fake = FakeAutoScaling.of(outdatedGroups(), { [BATCH]: { status: "Cancelled", reason: "(the fake's reason) cancelled by an operator" } });
  const { outcome, lines } = await roll(fake);
  expect(outcome).toMatchObject({ rolled: ["general"], stoppedAt: "batch", notRolled: ["batch"] });
  expect(lines[lines.length - 1]).toMatch(/Not rolled: batch\. .*then run `kubeplane roll pools --pool batch`\.$/);
});

test("a refresh already running on the group (InstanceRefreshInProgress) stops the roll before anything starts", async () => {
  const fake = FakeAutoScaling.of(outdatedGroups());
  await fake.startInstanceRefresh({ AutoScalingGroupName: GENERAL });
  const { outcome, lines } = await roll(fake);
  expect(outcome).toMatchObject({ stoppedAt: "general", notRolled: ["general", "batch"] });
  expect(lines[0]).toBe(`kubeplane roll: pools: pool general (${GENERAL}): could not start the instance refresh: another instance refresh is in progress on ${GENERAL} (InstanceRefreshInProgress); wait for it to end`);
  expect(fake.started).toHaveLength(1);
});

test("a refresh that does not end within the timeout stops the roll (the cloud goes on with it)", async () => {
  const groups = outdatedGroups();
  // 100 instances one at a time: 100 looks, far more than 60 s of 15 s polls.
  groups[0].instances = Array.from({ length: 100 }, (_, n) => ({ id: `i-g${n}`, version: 1 }));
  groups[0].tags = { [ROLL_MIN_HEALTHY_TAG]: "99" };
  const fake = FakeAutoScaling.of(groups);
  const { outcome, lines } = await roll(fake, POOLS, 60);
  expect(outcome).toMatchObject({ stoppedAt: "general", notRolled: ["general", "batch"] });
  expect(lines).toContain(`kubeplane roll: pools: pool general (${GENERAL}): the instance refresh refresh-${GENERAL}-1 is still InProgress after 60 s; kubeplane stops waiting (the cloud goes on with it)`);
  expect(fake.started).toHaveLength(1);
});

describe("which clusters and pools", () => {
  const definition = (name: string, pools: string[], cloud = "aws") =>
    ({ name, cloud, region: "eu-west-1", workerPools: pools.map((p) => ({ name: p })) }) as unknown as ClusterDefinition;
  const clusters = [definition("pools", ["general", "batch"]), definition("dev", ["default"])];

  function deps(fake: FakeAutoScaling, lines: string[], rolledClusters: string[] = []) {
    return {
      definitions: () => clusters,
      rollerFor: async (d: ClusterDefinition) => (rolledClusters.push(d.name), { roller: new AwsPoolRoller(fake, d.region), close: () => undefined }),
      report: (l: string) => lines.push(l),
      options: { sleep: async () => undefined },
    };
  }

  test("the pools of a definition, in its order, named as the AWS groups are", () => {
    expect(rollPoolsOf(clusters[0], workerPoolResourceName)).toEqual(POOLS);
    expect(rollPoolsOf(clusters[1], workerPoolResourceName)).toEqual([{ name: "default", group: "kubeplane-dev-workers" }]);
  });

  test("kubeplane roll --pool rolls only that pool; an unknown pool or cluster is an error naming what there is", async () => {
    const fake = FakeAutoScaling.of(outdatedGroups());
    const lines: string[] = [];
    expect(await rollMain("pools", { pool: "batch" }, deps(fake, lines))).toBe(0);
    expect(fake.started.map((s) => s.AutoScalingGroupName)).toEqual([BATCH]);
    await expect(rollMain("pools", { pool: "gpu" }, deps(fake, lines))).rejects.toThrow('cluster pools has no pool "gpu"; its pools: general, batch');
    await expect(rollMain("prod", {}, deps(fake, lines))).rejects.toThrow('no cluster "prod" among the definitions KUBEPLANE_CLUSTERS selects (pools, dev)');
  });

  test("kubeplane roll exits 1 when the roll stopped", async () => {
    const fake = FakeAutoScaling.of(outdatedGroups(), { [GENERAL]: { status: "Failed", reason: "x" } });
    expect(await rollMain("pools", {}, deps(fake, []))).toBe(1);
  });

  test("deploy rolls the clusters whose cluster stack it deployed, not those of a network-only deploy", async () => {
    const fake = FakeAutoScaling.of(outdatedGroups());
    const rolled: string[] = [];
    expect(await rollAfterDeploy(["pools-network", "--auto-approve"], deps(fake, [], rolled))).toBe(0);
    expect(rolled).toEqual([]);
    expect(await rollAfterDeploy(["pools-*", "--auto-approve"], deps(fake, [], rolled))).toBe(0);
    expect(rolled).toEqual(["pools"]);
    expect(fake.started.map((s) => s.AutoScalingGroupName)).toEqual([GENERAL, BATCH]);
  });

  test("deploy exits 1 when a roll stops, and skips (saying so) a cloud kubeplane cannot roll yet", async () => {
    const fake = FakeAutoScaling.of(outdatedGroups(), { [GENERAL]: { status: "Failed", reason: "x" } });
    const lines: string[] = [];
    expect(await rollAfterDeploy(["pools-cluster"], deps(fake, lines))).toBe(1);
    const gcp = { ...deps(fake, lines), definitions: () => [definition("edge", ["default"], "gcp")] };
    expect(await rollAfterDeploy([], gcp)).toBe(0);
    expect(lines[lines.length - 1]).toBe("kubeplane deploy: edge: kubeplane does not roll worker pools on gcp yet; running instances keep their template until replaced");
  });
});

describe("the command line", () => {
  const collector = () => {
    let text = "";
    return { write: (s: string | Uint8Array) => ((text += s.toString()), true), text: () => text };
  };

  test("kubeplane roll is a subcommand with --pool and --timeout; a bad timeout is commander's error", async () => {
    const { runKubeplane } = await import("../../../cli/kubeplane");
    const stdout = collector();
    expect(await runKubeplane(["roll", "--help"], { stdout, stderr: collector() })).toBe(0);
    expect(stdout.text()).toContain("Usage: kubeplane roll [options] <cluster>");
    expect(stdout.text()).toContain("--pool <name>");
    expect(stdout.text()).toContain("$ kubeplane roll pools --pool batch");
    const stderr = collector();
    expect(await runKubeplane(["roll", "pools", "--timeout", "soon"], { stdout: collector(), stderr })).toBe(1);
    expect(stderr.text()).toContain(`kubeplane: option '--timeout <seconds>' argument 'soon' is invalid. must be a whole number of seconds > 0, got "soon"`);
  });

  test("deploy --no-roll is kubeplane's: cdktf does not get it, and nothing is rolled", async () => {
    const { runKubeplane } = await import("../../../cli/kubeplane");
    const calls: (readonly string[])[] = [];
    const stderr = collector();
    const code = await runKubeplane(["deploy", "dev-*", "--auto-approve", "--no-roll"], {
      stdout: collector(),
      stderr,
      now: () => 0,
      runCdktf: async (_subcommand, args) => (calls.push(args), 0),
      clusterResourcesFor: () => emptyClusterResources(),
    });
    expect(code).toBe(0);
    expect(calls).toEqual([["dev-*", "--auto-approve"]]);
    expect(stderr.text()).not.toContain("kubeplane roll");
  });
});
