/**
 * One service account per kind of node (`kp-<cluster>-cp`, `-worker`, `-bastion`), never the
 * default compute service account, each with only the project roles every node of its kind needs:
 * - all: `roles/logging.logWriter` (the guest's logs);
 * - the control plane also `roles/compute.viewer`: a joining control-plane node lists the
 *   cluster's instances to remove the etcd members whose instances are gone (etcd-members.sh),
 *   as `ec2:DescribeInstances` on AWS.
 * Grants on the cluster's own resources (the join lease's secrets, the bundle and backup buckets)
 * are made by the constructs that own them, on those resources or with an IAM condition that
 * names them.
 */
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { Construct } from "constructs";
import type { NodeIdentities, NodeIdentitiesProps, NodeKind } from "../node-identity";
import { GCP_CLUSTER_NAME_MAX_LENGTH } from "./gcp-definition-limits";
import type { GcpNodeIdentity } from "./gcp-identity";

/** The project roles of each kind of node (see the file's comment). */
export const NODE_PROJECT_ROLES: Readonly<Record<NodeKind, readonly string[]>> = {
  "control-plane": ["roles/logging.logWriter", "roles/compute.viewer"],
  worker: ["roles/logging.logWriter"],
  bastion: ["roles/logging.logWriter"],
};

const SUFFIX: Readonly<Record<NodeKind, string>> = { "control-plane": "cp", worker: "worker", bastion: "bastion" };

/** See the file's comment. */
export class GcpNodeIdentities extends Construct implements NodeIdentities {
  readonly controlPlane: GcpNodeIdentity;
  readonly workers: GcpNodeIdentity;
  readonly bastion?: GcpNodeIdentity;

  constructor(scope: Construct, id: string, props: NodeIdentitiesProps) {
    super(scope, id);
    const where = `GcpNodeIdentities ${this.node.path}`;
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.clusterName) || props.clusterName.length > GCP_CLUSTER_NAME_MAX_LENGTH) {
      throw new Error(`${where}: clusterName "${props.clusterName}" must be a DNS label of at most ${GCP_CLUSTER_NAME_MAX_LENGTH} characters (service account ids take 30)`);
    }
    const make = (kind: NodeKind, constructId: string): GcpNodeIdentity => {
      const accountId = `kp-${props.clusterName}-${SUFFIX[kind]}`;
      const account = new ServiceAccount(this, constructId, {
        accountId,
        displayName: `kubeplane ${props.clusterName} ${kind}`,
        description: `kubeplane ${props.clusterName}: the identity of the cluster's ${kind} nodes`,
      });
      const member = `serviceAccount:${account.email}`;
      for (const role of NODE_PROJECT_ROLES[kind]) {
        new ProjectIamMember(this, `${constructId}-${role.replace(/^roles\//, "").replace(/\./g, "-")}`, { project: account.project, role, member });
      }
      return { kind, name: accountId, email: account.email, member };
    };
    this.controlPlane = make("control-plane", "control-plane");
    this.workers = make("worker", "workers");
    this.bastion = props.bastion ? make("bastion", "bastion") : undefined;
  }
}
