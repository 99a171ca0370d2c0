/**
 * Control-plane nodes on GCP: one Compute Engine instance per node, node i in placement i modulo
 * their number (one zone each, in turn), hardened as every node (gcp-node-hardening.ts: Shielded
 * VM, no external address, OS Login, no serial port, no project SSH keys), labelled with the
 * cluster and the role (etcd-cloud/gcp.sh finds its peers by them), registered with the internal
 * API balancer's group of its zone. The first node takes the init user data, the others the join.
 */
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance";
import { Construct } from "constructs";
import type { ControlPlane, ControlPlaneProps } from "../control-plane";
import { GcpApiLoadBalancer } from "./gcp-api-load-balancer";
import { GCP_BOOT_DISK_GB } from "./gcp-definition-limits";
import { asGcpIdentity } from "./gcp-identity";
import { GCP_CLUSTER_LABEL, GCP_ROLE_LABEL, gcpResourcePrefix } from "./gcp-labels";
import { BOOT_DISK_TYPE, nodeMetadata, nodeServiceAccount, SHIELDED_VM } from "./gcp-node-hardening";

/** See the file's comment. */
export class GcpControlPlane extends Construct implements ControlPlane {
  readonly instanceIds: readonly string[];
  readonly endpointHost: string;
  readonly firstNodeAddress: string;
  readonly instances: readonly ComputeInstance[];

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const where = `GcpControlPlane ${this.node.path}`;
    if (!Number.isInteger(props.count) || props.count < 1 || (props.count > 1 && (props.count < 3 || props.count % 2 === 0))) {
      throw new Error(`${where}: count must be 1, or odd and at least 3 (got ${props.count})`);
    }
    if (props.placements.length === 0) throw new Error(`${where}: placements must name at least one`);
    if (props.firewallGroupIds.length === 0) throw new Error(`${where}: firewallGroupIds (network tags) must name at least one`);
    if (!props.initUserData) throw new Error(`${where}: initUserData is empty`);
    if (props.count > 1 && !props.joinUserData) throw new Error(`${where}: joinUserData is required when count > 1`);
    if (props.count > 1 && !props.loadBalancer) throw new Error(`${where}: loadBalancer is required when count > 1`);
    if (props.loadBalancer && !(props.loadBalancer instanceof GcpApiLoadBalancer)) throw new Error(`${where}: loadBalancer must be a GcpApiLoadBalancer (a target's zone picks its group)`);
    if (props.publicLoadBalancer) throw new Error(`${where}: publicLoadBalancer: an internet-facing API balancer is not built for GCP`);
    if (!Number.isInteger(props.volumeSizeGiB) || props.volumeSizeGiB < GCP_BOOT_DISK_GB.min || props.volumeSizeGiB > GCP_BOOT_DISK_GB.max) {
      throw new Error(`${where}: volumeSizeGiB must be ${GCP_BOOT_DISK_GB.min} to ${GCP_BOOT_DISK_GB.max}, got ${props.volumeSizeGiB}`);
    }
    const identity = asGcpIdentity(props.identity, `${where}: identity`);
    const prefix = gcpResourcePrefix(props.clusterName);
    this.instances = Array.from({ length: props.count }, (_, i) => {
      const placement = props.placements[i % props.placements.length];
      const instance = new ComputeInstance(this, `node-${i}`, {
        name: `${prefix}-cp-${i}`,
        description: `kubeplane ${props.clusterName}: control-plane node ${i}`,
        zone: placement.zone,
        machineType: props.instanceType,
        bootDisk: { autoDelete: true, initializeParams: { image: props.image.imageId, size: props.volumeSizeGiB, type: BOOT_DISK_TYPE } },
        networkInterface: [{ subnetwork: placement.subnetId }],
        serviceAccount: nodeServiceAccount(identity),
        shieldedInstanceConfig: { ...SHIELDED_VM },
        metadata: nodeMetadata(i === 0 ? props.initUserData : props.joinUserData),
        labels: { [GCP_CLUSTER_LABEL]: props.clusterName, [GCP_ROLE_LABEL]: "control-plane" },
        tags: [...props.firewallGroupIds],
        allowStoppingForUpdate: true,
        // A newer Ubuntu image must not replace a running control-plane node.
        lifecycle: { ignoreChanges: ["boot_disk[0].initialize_params[0].image"] },
      });
      (props.loadBalancer as GcpApiLoadBalancer | undefined)?.addZonalTarget(placement.zone, instance.selfLink);
      return instance;
    });
    this.instanceIds = this.instances.map((n) => n.instanceId);
    this.firstNodeAddress = this.instances[0].networkInterface.get(0).networkIp;
    this.endpointHost = props.loadBalancer?.dnsName ?? this.firstNodeAddress;
  }
}
