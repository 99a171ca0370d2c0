/**
 * The roll on AWS (cli/pool-roll.ts): a pool is its auto-scaling group, rolled by an instance
 * refresh. Amazon EC2 Auto Scaling API reference:
 *
 * - DescribeAutoScalingGroups: the group's launch template (`LaunchTemplate`, or
 *   `MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification`) and, per instance, the
 *   template and version it was launched from (`Instances[].LaunchTemplate`): an instance on
 *   another template or version than the group's is outdated.
 * - StartInstanceRefresh: Strategy `Rolling`; `Preferences.MinHealthyPercentage` (the share kept
 *   in service), `Preferences.SkipMatching` (instances already on the group's template and version
 *   are not replaced, so a roll run again after a failure replaces only what is left). Fails with
 *   `InstanceRefreshInProgress` while another refresh is active.
 * - DescribeInstanceRefreshes: `Status` Pending | InProgress | Successful | Failed | Cancelling |
 *   Cancelled | RollbackInProgress | RollbackFailed | RollbackSuccessful | Baking, `StatusReason`,
 *   `PercentageComplete`.
 *
 * The minimum healthy percentage is the group's own (its ROLL_MIN_HEALTHY_TAG, written by
 * providers/aws/aws-worker-pool.ts from the pool's props), so that a roll keeps what the pool
 * asked for. Each replaced instance is held on the pool's drain hook while it drains itself.
 */
import type {
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeInstanceRefreshesCommandInput,
  DescribeInstanceRefreshesCommandOutput,
  StartInstanceRefreshCommandInput,
  StartInstanceRefreshCommandOutput,
} from "@aws-sdk/client-auto-scaling";
import { DEFAULT_MIN_HEALTHY_PERCENTAGE, ROLL_MIN_HEALTHY_TAG } from "../providers/aws/aws-worker-pool";
import type { PoolRoller, PoolTemplateState, ReplacementStatus, RollPool } from "./pool-roll";

/** The Auto Scaling calls the roll makes (the SDK's client, or a test's fake). */
export interface AutoScalingRollCalls {
  describeAutoScalingGroups(input: DescribeAutoScalingGroupsCommandInput): Promise<DescribeAutoScalingGroupsCommandOutput>;
  startInstanceRefresh(input: StartInstanceRefreshCommandInput): Promise<StartInstanceRefreshCommandOutput>;
  describeInstanceRefreshes(input: DescribeInstanceRefreshesCommandInput): Promise<DescribeInstanceRefreshesCommandOutput>;
}

const SUCCEEDED = new Set(["Successful"]);
const FAILED = new Set(["Failed", "Cancelled", "Cancelling", "RollbackInProgress", "RollbackFailed", "RollbackSuccessful"]);
/** Instances on their way out are not counted (DescribeAutoScalingGroups, Instance.LifecycleState). */
const LEAVING = /^(Terminating|Terminated|Detaching|Detached)/;

function templateOf(group: AutoScalingGroup): { id?: string; version?: string } {
  const spec = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return { id: spec?.LaunchTemplateId, version: spec?.Version };
}

/** The instance refresh roller of one region. */
export class AwsPoolRoller implements PoolRoller {
  readonly replacementName = "instance refresh";

  constructor(
    private readonly calls: AutoScalingRollCalls,
    private readonly region: string,
  ) {}

  private async group(pool: RollPool): Promise<AutoScalingGroup> {
    const answer = await this.calls.describeAutoScalingGroups({ AutoScalingGroupNames: [pool.group] });
    const group = answer.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === pool.group);
    if (!group) throw new Error(`there is no auto-scaling group ${pool.group} in ${this.region} (is the cluster stack deployed?)`);
    return group;
  }

  async inspect(pool: RollPool): Promise<PoolTemplateState> {
    const group = await this.group(pool);
    const wanted = templateOf(group);
    const instances = (group.Instances ?? []).filter((i) => !LEAVING.test(i.LifecycleState ?? ""));
    const outdated = instances.filter((i) => i.LaunchTemplate?.LaunchTemplateId !== wanted.id || String(i.LaunchTemplate?.Version) !== String(wanted.version));
    return { instances: instances.length, outdated: outdated.length, version: String(wanted.version) };
  }

  /** The group's minimum healthy percentage (its tag), or the pools' default. */
  private minHealthy(group: AutoScalingGroup): number {
    const tagged = group.Tags?.find((t) => t.Key === ROLL_MIN_HEALTHY_TAG)?.Value;
    const value = tagged === undefined ? NaN : Number(tagged);
    return Number.isInteger(value) && value >= 0 && value <= 100 ? value : DEFAULT_MIN_HEALTHY_PERCENTAGE;
  }

  async start(pool: RollPool): Promise<{ id: string; minHealthyPercentage: number }> {
    const minHealthyPercentage = this.minHealthy(await this.group(pool));
    let answer: StartInstanceRefreshCommandOutput;
    try {
      answer = await this.calls.startInstanceRefresh({
        AutoScalingGroupName: pool.group,
        Strategy: "Rolling",
        Preferences: { MinHealthyPercentage: minHealthyPercentage, SkipMatching: true },
      });
    } catch (e) {
      if ((e as { name?: string }).name === "InstanceRefreshInProgress") {
        throw new Error(`another instance refresh is in progress on ${pool.group} (InstanceRefreshInProgress); wait for it to end`);
      }
      throw e;
    }
    if (!answer.InstanceRefreshId) throw new Error(`StartInstanceRefresh on ${pool.group} answered without an InstanceRefreshId`);
    return { id: answer.InstanceRefreshId, minHealthyPercentage };
  }

  async status(pool: RollPool, id: string): Promise<ReplacementStatus> {
    const answer = await this.calls.describeInstanceRefreshes({ AutoScalingGroupName: pool.group, InstanceRefreshIds: [id] });
    const refresh = answer.InstanceRefreshes?.find((r) => r.InstanceRefreshId === id);
    if (!refresh?.Status) throw new Error(`DescribeInstanceRefreshes on ${pool.group} does not list ${id}`);
    const state = SUCCEEDED.has(refresh.Status) ? "succeeded" : FAILED.has(refresh.Status) ? "failed" : "running";
    return { status: refresh.Status, state, reason: refresh.StatusReason || undefined, percentComplete: refresh.PercentageComplete };
  }

  inspectCommand(pool: RollPool): string {
    return `aws autoscaling describe-instance-refreshes --region ${this.region} --auto-scaling-group-name ${pool.group}`;
  }
}

/** The SDK's Auto Scaling client for `region`, loaded now (it honours AWS_ENDPOINT_URL and the usual credentials). */
export async function sdkAutoScalingRollCalls(region: string): Promise<AutoScalingRollCalls & { close(): void }> {
  const sdk = await import("@aws-sdk/client-auto-scaling");
  const client = new sdk.AutoScalingClient({ region });
  return {
    describeAutoScalingGroups: (input) => client.send(new sdk.DescribeAutoScalingGroupsCommand(input)),
    startInstanceRefresh: (input) => client.send(new sdk.StartInstanceRefreshCommand(input)),
    describeInstanceRefreshes: (input) => client.send(new sdk.DescribeInstanceRefreshesCommand(input)),
    close: () => client.destroy(),
  };
}
