/**
 * An optional bastion on GCP: a small instance (e2-micro) hardened as every node, reached only
 * through IAP TCP forwarding with OS Login (`gcloud compute ssh <name> --tunnel-through-iap`),
 * the counterpart of a Session Manager session; no user data, no external address.
 */
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance";
import { Construct } from "constructs";
import type { Bastion, BastionProps } from "../bastion";
import { asGcpIdentity } from "./gcp-identity";
import { GCP_CLUSTER_LABEL, GCP_ROLE_LABEL, gcpResourcePrefix } from "./gcp-labels";
import { BOOT_DISK_TYPE, nodeMetadata, nodeServiceAccount, SHIELDED_VM } from "./gcp-node-hardening";

/** The bastion's machine type: E2's smallest. */
export const BASTION_MACHINE_TYPE = "e2-micro";

/** Props for a GcpBastion: BastionProps and the cluster's name for labels. */
export class GcpBastion extends Construct implements Bastion {
  readonly instanceId: string;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const where = `GcpBastion ${this.node.path}`;
    if (props.firewallGroupIds.length === 0) throw new Error(`${where}: firewallGroupIds (network tags) must name at least one`);
    const identity = asGcpIdentity(props.identity, `${where}: identity`);
    const instance = new ComputeInstance(this, "instance", {
      name: `${gcpResourcePrefix(props.clusterName)}-bastion`,
      description: `kubeplane ${props.clusterName}: bastion (IAP and OS Login only)`,
      zone: props.placement.zone,
      machineType: props.instanceType ?? BASTION_MACHINE_TYPE,
      bootDisk: { autoDelete: true, initializeParams: { image: props.image.imageId, size: 10, type: BOOT_DISK_TYPE } },
      networkInterface: [{ subnetwork: props.placement.subnetId }],
      serviceAccount: nodeServiceAccount(identity),
      shieldedInstanceConfig: { ...SHIELDED_VM },
      metadata: nodeMetadata(),
      labels: { [GCP_CLUSTER_LABEL]: props.clusterName, [GCP_ROLE_LABEL]: "bastion" },
      tags: [...props.firewallGroupIds],
      allowStoppingForUpdate: true,
      lifecycle: { ignoreChanges: ["boot_disk[0].initialize_params[0].image"] },
    });
    this.instanceId = instance.instanceId;
  }
}
