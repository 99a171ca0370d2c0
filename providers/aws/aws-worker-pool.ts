/**
 * A worker pool: a launch template (IMDSv2, the encrypted root volume mapped under the image's
 * root device name, the pool's user data) and an auto-scaling group over the private subnets. The
 * group tags itself and its instances (`default_tags` does not reach ASG-launched instances).
 *
 * - Several instance types or spot: a mixed instances policy (spot capacity-optimized, the
 *   on-demand base and percentage above it).
 * - The group names the template's latest version, not `$Latest`: instances launched from an older
 *   version are then outdated, and the roll (cli/pool-roll.ts: `kubeplane deploy` after the apply,
 *   or `kubeplane roll`) replaces them by an instance refresh, one pool at a time, keeping the
 *   minimum healthy percentage the group's ROLL_MIN_HEALTHY_TAG carries. No `instance_refresh`
 *   block: the provider would start every changed pool's refresh at once in one apply and not wait
 *   for any (terraform-provider-aws website/docs/r/autoscaling_group.html.markdown, instance_refresh).
 * - Every termination (scale-in, refresh, spot interruption rebalancing) waits on a lifecycle
 *   hook while the node drains itself; the node completes the action (kubeplane-drain).
 * - `autoscale`: the cluster autoscaler's discovery and node-template tags (its AWS README,
 *   "Auto-Discovery Setup" and "Scaling a node group to 0"), and `desired_capacity` ignored after
 *   creation, so that neither a deploy nor an audit undoes or reports the autoscaler's sizing.
 */
import { AutoscalingGroup, AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import type { WorkerPool, WorkerPoolProps } from "../worker-pool";
import { asAwsIdentity } from "./aws-identity";
import { encryptedRootVolume, IMDSV2_ONLY } from "./node-hardening";
import { nodeTags } from "./tags";

/** The launch template API spells the volume's booleans as strings. */
function launchTemplateVolume(volume: ReturnType<typeof encryptedRootVolume>) {
  return { ...volume, encrypted: String(volume.encrypted), deleteOnTermination: String(volume.deleteOnTermination) };
}

/** The pool a single `workers:` mapping stands for: its resources keep the names they always had. */
export const DEFAULT_WORKER_POOL = "default";
/** The on-demand strategy of a mixed pool: the order of its instance types. */
const ON_DEMAND_ALLOCATION = "prioritized";
/** Spot from the pools with the most spare capacity: fewest interruptions (EC2 Auto Scaling user guide, "Allocation strategies"). */
export const SPOT_ALLOCATION_STRATEGY = "capacity-optimized";
/** How long a terminating worker is held to drain, by default (within the hook's 30 s to 7200 s). */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 600;
export const DEFAULT_MIN_HEALTHY_PERCENTAGE = 90;
/** The autoscaler's auto-discovery tags (cluster-autoscaler cloudprovider/aws/README.md). */
export const AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const autoscalerClusterTag = (clusterName: string): string => `k8s.io/cluster-autoscaler/${clusterName}`;
const AUTOSCALER_NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template";

/** The names of a pool's resources: `kubeplane-<cluster>-workers`, or `...-workers-<pool>`. */
export function workerPoolResourceName(clusterName: string, pool: string): string {
  return pool === DEFAULT_WORKER_POOL ? `kubeplane-${clusterName}-workers` : `kubeplane-${clusterName}-workers-${pool}`;
}

/** See WorkerPoolProps. */
export class AwsWorkerPool extends Construct implements WorkerPool {
  readonly poolName: string;
  readonly drainHookName: string;
  readonly launchTemplate: LaunchTemplate;
  readonly group: AutoscalingGroup;
  readonly drainHook: AutoscalingLifecycleHook;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { min, desired, max } = props;
    for (const [prop, value] of Object.entries({ min, desired, max })) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`AwsWorkerPool: ${prop} must be a whole number ≥ 0, got ${value}`);
    }
    if (min > max) throw new Error(`AwsWorkerPool: min (${min}) must not exceed max (${max})`);
    if (desired < min || desired > max) throw new Error(`AwsWorkerPool: desired (${desired}) must be within [min, max] = [${min}, ${max}]`);
    if (props.placements.length === 0) throw new Error("AwsWorkerPool: placements must name at least one placement");
    // Without a group, EC2 attaches the VPC's default security group.
    if (props.firewallGroupIds.length === 0) throw new Error("AwsWorkerPool: firewallGroupIds must name at least one security group");
    const rootVolume = encryptedRootVolume(props.volumeSizeGiB, "AwsWorkerPool");
    const rootDeviceName = props.image.rootDeviceName;
    if (!Token.isUnresolved(rootDeviceName) && !/^\/dev\/[a-z0-9]+$/.test(rootDeviceName)) {
      throw new Error(`AwsWorkerPool: rootDeviceName must be a device name like /dev/sda1 or /dev/xvda, got "${rootDeviceName}"`);
    }
    const identity = asAwsIdentity(props.identity, "AwsWorkerPool: identity");
    const pool = props.name ?? DEFAULT_WORKER_POOL;
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(pool)) throw new Error(`AwsWorkerPool: name must be a DNS label like "spot", got "${pool}"`);
    const types = props.instanceTypes;
    if (types.length === 0) throw new Error("AwsWorkerPool: instanceTypes must name at least one instance type");
    if (new Set(types).size !== types.length) throw new Error(`AwsWorkerPool: instanceTypes lists a type twice: ${types.join(", ")}`);
    const drainTimeout = props.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS;
    // PutLifecycleHook: HeartbeatTimeout 30 to 7200 seconds.
    if (!Number.isInteger(drainTimeout) || drainTimeout < 30 || drainTimeout > 7200) {
      throw new Error(`AwsWorkerPool: drainTimeoutSeconds must be a whole number from 30 to 7200 (a lifecycle hook's heartbeat timeout), got ${drainTimeout}`);
    }
    const minHealthy = props.minHealthyPercentage ?? DEFAULT_MIN_HEALTHY_PERCENTAGE;
    if (!Number.isInteger(minHealthy) || minHealthy < 0 || minHealthy > 100) {
      throw new Error(`AwsWorkerPool: minHealthyPercentage must be a whole percentage, 0 to 100, got ${minHealthy}`);
    }
    const spot = props.spot;
    if (spot && (!Number.isInteger(spot.onDemandBase) || spot.onDemandBase < 0)) {
      throw new Error(`AwsWorkerPool: spot.onDemandBase must be a whole number ≥ 0, got ${spot.onDemandBase}`);
    }
    if (spot && (!Number.isInteger(spot.onDemandPercentageAboveBase) || spot.onDemandPercentageAboveBase < 0 || spot.onDemandPercentageAboveBase > 100)) {
      throw new Error(`AwsWorkerPool: spot.onDemandPercentageAboveBase must be a whole percentage, 0 to 100, got ${spot.onDemandPercentageAboveBase}`);
    }
    const name = workerPoolResourceName(props.clusterName, pool);
    const tags = { ...(props.tags ?? {}), ...nodeTags(props.clusterName, "worker"), ...(pool === DEFAULT_WORKER_POOL ? {} : { [POOL_TAG]: pool }) };

    this.launchTemplate = new LaunchTemplate(this, "template", {
      name,
      description: pool === DEFAULT_WORKER_POOL ? `kubeplane ${props.clusterName}: workers` : `kubeplane ${props.clusterName}: workers (${pool})`,
      imageId: props.image.imageId,
      instanceType: types[0],
      iamInstanceProfile: { arn: identity.instanceProfile.arn },
      vpcSecurityGroupIds: [...props.firewallGroupIds],
      // Through a local: user data may hold references (tokens) and quotes, which a function
      // argument cannot take literally.
      // gzip-compressed (cloud-init decompresses it): EC2 takes 16 KiB of user data.
      userData: Fn.base64gzip(new TerraformLocal(this, "user-data", props.userData).asString),
      metadataOptions: { ...IMDSV2_ONLY },
      blockDeviceMappings: [{ deviceName: rootDeviceName, ebs: launchTemplateVolume(rootVolume) }],
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      updateDefaultVersion: true,
    });

    // The version Terraform made: a new one changes the group, which starts the refresh.
    const templateSpec = { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) };
    const mixed = spot !== undefined || types.length > 1;
    const placement: Pick<AutoscalingGroupConfig, "launchTemplate" | "mixedInstancesPolicy"> = mixed
      ? {
          mixedInstancesPolicy: {
            launchTemplate: {
              launchTemplateSpecification: { launchTemplateId: templateSpec.id, version: templateSpec.version },
              override: types.map((instanceType) => ({ instanceType })),
            },
            instancesDistribution: {
              onDemandAllocationStrategy: ON_DEMAND_ALLOCATION,
              onDemandBaseCapacity: spot?.onDemandBase ?? 0,
              // Without spot, every instance is on demand.
              onDemandPercentageAboveBaseCapacity: spot?.onDemandPercentageAboveBase ?? 100,
              spotAllocationStrategy: SPOT_ALLOCATION_STRATEGY,
            },
          },
        }
      : { launchTemplate: templateSpec };
    const autoscalerTags = props.autoscale ? autoscalerDiscoveryTags(props.clusterName, props.labels ?? {}, props.taints ?? []) : {};

    this.group = new AutoscalingGroup(this, "group", {
      name,
      minSize: min,
      desiredCapacity: desired,
      maxSize: max,
      // One subnet per zone on AWS; placements that share a subnet name it once.
      vpcZoneIdentifier: [...new Set(props.placements.map((p) => p.subnetId))],
      healthCheckType: "EC2",
      // A worker whose bootstrap failed marks itself unhealthy (SetInstanceHealth, which works with
      // the EC2 check type) without waiting out this grace period (--no-should-respect-grace-period);
      // the period only keeps the group's own EC2 checks off instances still booting.
      healthCheckGracePeriod: 300,
      ...placement,
      tag: [
        ...Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        // For the roll (cli/pool-roll-aws.ts), which refreshes the group with it.
        { key: ROLL_MIN_HEALTHY_TAG, value: String(minHealthy), propagateAtLaunch: false },
        // For the autoscaler only: instances need not carry them.
        ...Object.entries(autoscalerTags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      ],
      // The autoscaler sizes the pool: Terraform sets the size at creation only.
      ...(props.autoscale ? { lifecycle: { ignoreChanges: ["desired_capacity"] } } : {}),
    });
    this.poolName = this.group.name;

    // Terminations wait for the node to drain itself (it completes the action; CONTINUE after the timeout).
    this.drainHookName = "kubeplane-drain";
    this.drainHook = new AutoscalingLifecycleHook(this, "drain-hook", {
      name: this.drainHookName,
      autoscalingGroupName: this.group.name,
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeatTimeout: drainTimeout,
      defaultResult: "CONTINUE",
    });
  }
}

/** On instances of a named pool (not `default`): which pool started them. */
export const POOL_TAG = "kubeplane:pool";
/** On the group: the percentage of its instances that stay in service while a roll replaces them. */
export const ROLL_MIN_HEALTHY_TAG = "kubeplane:roll-min-healthy-percentage";

/**
 * The cluster autoscaler's tags for a pool: auto-discovery
 * (`--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`)
 * and the node template of a pool at zero (`.../node-template/label/<key>`: value;
 * `.../node-template/taint/<key>`: `<value>:<effect>`), as cluster-autoscaler's
 * cloudprovider/aws/README.md documents them.
 */
export function autoscalerDiscoveryTags(
  clusterName: string,
  labels: Readonly<Record<string, string>>,
  taints: readonly { readonly key: string; readonly value?: string; readonly effect: string }[],
): Record<string, string> {
  return {
    [AUTOSCALER_ENABLED_TAG]: "true",
    [autoscalerClusterTag(clusterName)]: "owned",
    ...Object.fromEntries(Object.entries(labels).map(([key, value]) => [`${AUTOSCALER_NODE_TEMPLATE}/label/${key}`, value])),
    ...Object.fromEntries(taints.map((t) => [`${AUTOSCALER_NODE_TEMPLATE}/taint/${t.key}`, `${t.value ?? ""}:${t.effect}`])),
  };
}
