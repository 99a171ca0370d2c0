/**
 * A worker pool on GCP: an instance template (the nodes as every node is hardened,
 * gcp-node-hardening.ts) and a regional managed instance group over the pool's zones, with
 * autohealing: a health check of kube-proxy's `/healthz` (0.0.0.0:10256 on every node; the
 * kubelet's own healthz listens on 127.0.0.1 only, KubeletConfiguration healthzBindAddress,
 * https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/), after an initial delay
 * long enough for the bootstrap. A changed template rolls the pool proactively, a surge of one
 * node per zone at a time and none taken out first. The drain runs as the instance's shutdown
 * script (termination/gcp.sh): a group has no lifecycle hook, so `drainHookName` names the
 * script.
 *
 * Not built for GCP: spot capacity and the cluster autoscaler (GcpCloud refuses a definition that
 * asks for either).
 */
import { ComputeHealthCheck } from "@cdktf/provider-google/lib/compute-health-check";
import { ComputeInstanceTemplate } from "@cdktf/provider-google/lib/compute-instance-template";
import { ComputeRegionInstanceGroupManager } from "@cdktf/provider-google/lib/compute-region-instance-group-manager";
import { Construct } from "constructs";
import { DRAIN_COMMAND } from "../../bootstrap/user-data";
import type { WorkerPool, WorkerPoolProps } from "../worker-pool";
import { GCP_BOOT_DISK_GB } from "./gcp-definition-limits";
import { KUBE_PROXY_HEALTH_PORT } from "./gcp-firewall";
import { asGcpIdentity } from "./gcp-identity";
import { GCP_CLUSTER_LABEL, GCP_ROLE_LABEL, gcpResourcePrefix } from "./gcp-labels";
import { BOOT_DISK_TYPE, nodeMetadata, nodeServiceAccount, SHIELDED_VM } from "./gcp-node-hardening";

/** Seconds the group waits after creating a worker before its health check counts: the bootstrap's budget. */
export const AUTOHEALING_INITIAL_DELAY_SECONDS = 900;
/** The shutdown script: the drain, bounded by termination/gcp.sh's time budget. */
export const SHUTDOWN_DRAIN = `${DRAIN_COMMAND} --now`;

/** See the file's comment. */
export class GcpWorkerPool extends Construct implements WorkerPool {
  readonly poolName: string;
  readonly drainHookName = "shutdown-script";

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const where = `GcpWorkerPool ${this.node.path}`;
    const pool = props.name ?? "default";
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(pool)) throw new Error(`${where}: name "${pool}" must be a DNS label`);
    for (const [key, n] of Object.entries({ min: props.min, desired: props.desired, max: props.max })) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`${where}: ${key} must be a whole number, got ${n}`);
    }
    if (props.min > props.desired || props.desired > props.max) throw new Error(`${where}: need min <= desired <= max, got ${props.min}/${props.desired}/${props.max}`);
    if (props.instanceTypes.length !== 1) throw new Error(`${where}: instanceTypes must name one machine type on GCP (got ${props.instanceTypes.length})`);
    if (props.spot) throw new Error(`${where}: spot is not built for GCP`);
    if (props.autoscale) throw new Error(`${where}: autoscale is not built for GCP`);
    if (props.placements.length === 0) throw new Error(`${where}: placements must name at least one`);
    if (props.firewallGroupIds.length === 0) throw new Error(`${where}: firewallGroupIds (network tags) must name at least one`);
    if (!props.userData) throw new Error(`${where}: userData is empty`);
    if (!Number.isInteger(props.volumeSizeGiB) || props.volumeSizeGiB < GCP_BOOT_DISK_GB.min || props.volumeSizeGiB > GCP_BOOT_DISK_GB.max) {
      throw new Error(`${where}: volumeSizeGiB must be ${GCP_BOOT_DISK_GB.min} to ${GCP_BOOT_DISK_GB.max}, got ${props.volumeSizeGiB}`);
    }
    const identity = asGcpIdentity(props.identity, `${where}: identity`);
    const name = `${gcpResourcePrefix(props.clusterName)}-${pool === "default" ? "workers" : `pool-${pool}`}`;
    const zones = [...new Set(props.placements.map((p) => p.zone))];
    const template = new ComputeInstanceTemplate(this, "template", {
      namePrefix: `${name}-`,
      description: `kubeplane ${props.clusterName}: workers of the pool ${pool}`,
      machineType: props.instanceTypes[0],
      disk: [{ boot: true, autoDelete: true, sourceImage: props.image.imageId, diskSizeGb: props.volumeSizeGiB, diskType: BOOT_DISK_TYPE }],
      networkInterface: [{ subnetwork: props.placements[0].subnetId }],
      serviceAccount: nodeServiceAccount(identity),
      shieldedInstanceConfig: { ...SHIELDED_VM },
      metadata: nodeMetadata(props.userData, { "shutdown-script": SHUTDOWN_DRAIN }),
      labels: { ...(props.tags ?? {}), [GCP_CLUSTER_LABEL]: props.clusterName, [GCP_ROLE_LABEL]: "worker" },
      tags: [...props.firewallGroupIds],
      // The group moves to the new template before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });
    const healthCheck = new ComputeHealthCheck(this, "autohealing", {
      name: `${name}-health`,
      description: `kubeplane ${props.clusterName}: kube-proxy's health on the workers of ${pool}`,
      checkIntervalSec: 10,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 6,
      httpHealthCheck: { port: KUBE_PROXY_HEALTH_PORT, requestPath: "/healthz" },
    });
    const group = new ComputeRegionInstanceGroupManager(this, "group", {
      name,
      description: `kubeplane ${props.clusterName}: the workers of the pool ${pool}`,
      baseInstanceName: name,
      distributionPolicyZones: zones,
      version: [{ name: "primary", instanceTemplate: template.selfLinkUnique }],
      targetSize: props.desired,
      autoHealingPolicies: { healthCheck: healthCheck.id, initialDelaySec: AUTOHEALING_INITIAL_DELAY_SECONDS },
      updatePolicy: {
        type: "PROACTIVE",
        minimalAction: "REPLACE",
        // A regional group surges at least one instance per zone, or none.
        maxSurgeFixed: zones.length,
        maxUnavailableFixed: 0,
      },
      waitForInstances: false,
    });
    this.poolName = group.name;
  }
}
