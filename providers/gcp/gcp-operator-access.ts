/**
 * How operators reach a GCP cluster, Session Manager's counterpart: OS Login over IAP TCP
 * forwarding (https://cloud.google.com/iap/docs/using-tcp-forwarding), no SSH key in any metadata.
 * The operator identity is a service account of the cluster's own, `kp-<cluster>-ops`, which the
 * people and pipelines that run kubeplane's operator commands impersonate (an administrator
 * grants them roles/iam.serviceAccountTokenCreator on it). It may:
 * - open IAP tunnels to SSH and the API port only (`roles/iap.tunnelResourceAccessor`, condition
 *   on `destination.port`, https://cloud.google.com/iap/docs/using-tcp-forwarding#grant-permission);
 * - log in with sudo on the cluster's control-plane instances only (`roles/compute.osAdminLogin`,
 *   condition on the instances' names), acting as their service account
 *   (`roles/iam.serviceAccountUser` on that account alone, which OS Login requires for instances
 *   that run as a service account: https://cloud.google.com/compute/docs/oslogin/set-up-oslogin);
 * - list the cluster's instances and groups (`roles/compute.viewer`);
 * - read and remove the kubeconfig hand-backs the node leaves under `<path>/access/`
 *   (`roles/secretmanager.admin` on those secrets only).
 * The mint command is run on a control-plane node over that SSH: `sudo <mintCommand>`.
 */
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { Construct } from "constructs";
import type { OperatorAccess, OperatorAccessProps } from "../operator-access";
import { KUBE_API_SERVER_PORT } from "../well-known-ports";
import { asGcpIdentity } from "./gcp-identity";
import { gcpResourcePrefix } from "./gcp-labels";
import { gcpProjectOf } from "./gcp-project";
import { gcpSecretId } from "./gcp-secret-manager-parameter-backend";

/** See the file's comment. */
export class GcpOperatorAccess extends Construct implements OperatorAccess {
  readonly mintCommandName: string;
  readonly operatorPolicyName: string;
  /** The operator service account's email (a reference until apply). */
  readonly operatorEmail: string;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const where = `GcpOperatorAccess ${this.node.path}`;
    if (!props.mintCommand.startsWith("/")) throw new Error(`${where}: mintCommand must be an absolute path, got "${props.mintCommand}"`);
    if (!props.parameterPath.startsWith("/")) throw new Error(`${where}: parameterPath must start with "/", got "${props.parameterPath}"`);
    const controlPlane = asGcpIdentity(props.controlPlane, `${where}: controlPlane`);
    const prefix = gcpResourcePrefix(props.clusterName);
    const project = gcpProjectOf(this);
    const operator = new ServiceAccount(this, "operator", {
      accountId: `${prefix}-ops`,
      displayName: `kubeplane ${props.clusterName} operator`,
      description: `kubeplane ${props.clusterName}: what kubeconfig, tunnel and validate may do (impersonate it)`,
    });
    const member = `serviceAccount:${operator.email}`;
    const grant = (grantId: string, role: string, condition?: { title: string; description: string; expression: string }) =>
      new ProjectIamMember(this, grantId, { project: project.projectId, role, member, condition });
    grant("iap-tunnels", "roles/iap.tunnelResourceAccessor", {
      title: `${prefix}-operator-tunnels`,
      description: "IAP tunnels to SSH (OS Login) and the Kubernetes API only",
      expression: `destination.port == 22 || destination.port == ${KUBE_API_SERVER_PORT}`,
    });
    grant("control-plane-login", "roles/compute.osAdminLogin", {
      title: `${prefix}-operator-login`,
      description: "OS Login with sudo on the cluster's control-plane instances only",
      expression: `resource.type == "compute.googleapis.com/Instance" && resource.name.extract("instances/{name}").startsWith("${prefix}-cp-")`,
    });
    grant("inventory", "roles/compute.viewer");
    grant("hand-backs", "roles/secretmanager.admin", {
      title: `${prefix}-operator-hand-backs`,
      description: "read and remove the kubeconfig hand-backs only",
      expression: `resource.name.startsWith("projects/${project.number}/secrets/${gcpSecretId(`${props.parameterPath}/access`)}_")`,
    });
    new ServiceAccountIamMember(this, "acts-as-control-plane", { serviceAccountId: `projects/${project.projectId}/serviceAccounts/${controlPlane.email}`, role: "roles/iam.serviceAccountUser", member });
    this.mintCommandName = `sudo ${props.mintCommand}`;
    this.operatorPolicyName = `${prefix}-ops`;
    this.operatorEmail = operator.email;
  }
}
