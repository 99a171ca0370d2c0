/**
 * A recorded stand-in for the Amazon EC2 Auto Scaling calls the roll makes, behaving as the API
 * reference describes them (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/):
 *
 * - DescribeAutoScalingGroups: `LaunchTemplate` or `MixedInstancesPolicy.LaunchTemplate
 *   .LaunchTemplateSpecification` of the group; `Instances[]` with the `LaunchTemplate` (id and
 *   version) each was launched from, and its `LifecycleState`; `Tags`.
 * - StartInstanceRefresh: `InstanceRefreshInProgress` (a 400 whose error code the SDK gives as the
 *   exception's `name`) while another refresh of the group is Pending, InProgress or Cancelling;
 *   otherwise a new refresh, Pending, and its `InstanceRefreshId`.
 * - DescribeInstanceRefreshes: the refresh moves on as time passes (here: one step per look):
 *   Pending, then InProgress replacing a batch of the instances to update each step (as many as
 *   `MinHealthyPercentage` lets go out of service at once, at least one; `SkipMatching` leaves
 *   those already on the group's template and version), `PercentageComplete` and
 *   `InstancesToUpdate` ("the number of instances remaining to update") as it goes, then
 *   Successful.
 *
 * `failAt`: a group whose refresh ends with that status (Failed, Cancelled, ...) at its first
 * InProgress step, with a reason the test gives (not an AWS message). Every call is recorded in
 * `events`, in order.
 */
import type {
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeInstanceRefreshesCommandInput,
  DescribeInstanceRefreshesCommandOutput,
  InstanceRefresh,
  StartInstanceRefreshCommandInput,
  StartInstanceRefreshCommandOutput,
} from "@aws-sdk/client-auto-scaling";
import type { AutoScalingRollCalls } from "../../../cli/pool-roll-aws";

export interface FakeGroup {
  readonly name: string;
  templateVersion: number;
  /** Each instance's launched version. */
  instances: { id: string; version: number; state?: string }[];
  tags?: Record<string, string>;
  mixed?: boolean;
}

const TEMPLATE_ID = (group: string) => `lt-${group}`;
const ACTIVE = new Set(["Pending", "InProgress", "Cancelling"]);

export class FakeAutoScaling implements AutoScalingRollCalls {
  readonly events: string[] = [];
  readonly started: StartInstanceRefreshCommandInput[] = [];
  readonly refreshes = new Map<string, InstanceRefresh[]>();
  private launched = 0;

  constructor(
    readonly groups: Map<string, FakeGroup>,
    readonly failAt: Record<string, { status: string; reason: string }> = {},
  ) {}

  static of(groups: FakeGroup[], failAt: Record<string, { status: string; reason: string }> = {}): FakeAutoScaling {
    return new FakeAutoScaling(new Map(groups.map((g) => [g.name, g])), failAt);
  }

  private asAws(g: FakeGroup): AutoScalingGroup {
    const spec = { LaunchTemplateId: TEMPLATE_ID(g.name), LaunchTemplateName: g.name, Version: String(g.templateVersion) };
    return {
      AutoScalingGroupName: g.name,
      ...(g.mixed ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec } } } : { LaunchTemplate: spec }),
      Instances: g.instances.map((i) => ({
        InstanceId: i.id,
        LifecycleState: (i.state ?? "InService") as "InService",
        HealthStatus: "Healthy",
        AvailabilityZone: "eu-west-1a",
        ProtectedFromScaleIn: false,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID(g.name), LaunchTemplateName: g.name, Version: String(i.version) },
      })),
      Tags: Object.entries(g.tags ?? {}).map(([Key, Value]) => ({ Key, Value, ResourceId: g.name, ResourceType: "auto-scaling-group", PropagateAtLaunch: false })),
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: g.instances.length,
      DefaultCooldown: 300,
      AvailabilityZones: ["eu-west-1a"],
      HealthCheckType: "EC2",
      CreatedTime: new Date(0),
    };
  }

  async describeAutoScalingGroups(input: DescribeAutoScalingGroupsCommandInput): Promise<DescribeAutoScalingGroupsCommandOutput> {
    this.events.push(`DescribeAutoScalingGroups ${input.AutoScalingGroupNames?.join(",")}`);
    const groups = [...this.groups.values()].filter((g) => !input.AutoScalingGroupNames || input.AutoScalingGroupNames.includes(g.name));
    return { AutoScalingGroups: groups.map((g) => this.asAws(g)), $metadata: {} };
  }

  async startInstanceRefresh(input: StartInstanceRefreshCommandInput): Promise<StartInstanceRefreshCommandOutput> {
    const name = input.AutoScalingGroupName!;
    const history = this.refreshes.get(name) ?? [];
    if (history.some((r) => ACTIVE.has(r.Status!))) {
      this.events.push(`StartInstanceRefresh ${name}: InstanceRefreshInProgress`);
      throw Object.assign(new Error("An Instance Refresh is already in progress and blocks the execution of this Instance Refresh."), { name: "InstanceRefreshInProgress" });
    }
    if (!this.groups.has(name)) throw Object.assign(new Error(`AutoScalingGroup name not found - ${name}`), { name: "ValidationError" });
    this.started.push(input);
    const id = `refresh-${name}-${history.length + 1}`;
    history.unshift({ InstanceRefreshId: id, AutoScalingGroupName: name, Status: "Pending", PercentageComplete: 0, Preferences: input.Preferences });
    this.refreshes.set(name, history);
    this.events.push(`StartInstanceRefresh ${name}`);
    return { InstanceRefreshId: id, $metadata: {} };
  }

  /** One step of a refresh: Pending → InProgress, a batch replaced per step, → Successful. */
  private step(refresh: InstanceRefresh): void {
    const group = this.groups.get(refresh.AutoScalingGroupName!)!;
    if (refresh.Status === "Pending") {
      refresh.Status = "InProgress";
      return;
    }
    if (refresh.Status !== "InProgress") return;
    const fail = this.failAt[group.name];
    if (fail) {
      refresh.Status = fail.status as InstanceRefresh["Status"];
      refresh.StatusReason = fail.reason;
      return;
    }
    const skip = refresh.Preferences?.SkipMatching === true;
    const toUpdate = group.instances.filter((i) => !skip || i.version !== group.templateVersion);
    const minHealthy = refresh.Preferences?.MinHealthyPercentage ?? 90;
    const batch = Math.max(1, Math.floor((group.instances.length * (100 - minHealthy)) / 100));
    for (const instance of toUpdate.slice(0, batch)) {
      this.launched += 1;
      group.instances = group.instances.map((i) => (i === instance ? { id: `i-new${this.launched}`, version: group.templateVersion } : i));
    }
    const left = group.instances.filter((i) => i.version !== group.templateVersion).length;
    refresh.InstancesToUpdate = left;
    refresh.PercentageComplete = Math.round((100 * (group.instances.length - left)) / Math.max(group.instances.length, 1));
    if (left === 0) refresh.Status = "Successful";
  }

  async describeInstanceRefreshes(input: DescribeInstanceRefreshesCommandInput): Promise<DescribeInstanceRefreshesCommandOutput> {
    const history = this.refreshes.get(input.AutoScalingGroupName!) ?? [];
    const listed = history.filter((r) => !input.InstanceRefreshIds || input.InstanceRefreshIds.includes(r.InstanceRefreshId!));
    for (const refresh of listed) this.step(refresh);
    this.events.push(`DescribeInstanceRefreshes ${input.AutoScalingGroupName}: ${listed.map((r) => r.Status).join(",")}`);
    return { InstanceRefreshes: listed.map((r) => ({ ...r })), $metadata: {} };
  }
}
