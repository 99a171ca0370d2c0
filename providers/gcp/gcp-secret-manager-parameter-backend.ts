/**
 * The join lease in Google Cloud Secret Manager (`joinTokens.backend: gcp-secret-manager`, GCP's
 * default), the counterpart of the AWS backends, read and written on the node by
 * bootstrap/node/backends/gcp-secret-manager.sh. Names: a parameter path `/kubeplane/<cluster>/a/b`
 * is the secret id `kubeplane_<cluster>_a_b` (gcpSecretId; the node script's gsm_id maps them the
 * same way).
 *
 * Terraform makes the lease secrets (worker, and control-plane for an HA control plane) with no
 * version: the control plane adds the versions at run time, so no token ever reaches Terraform
 * state. Everything else (claim, locks, status, refresh requests, hand-backs) the nodes create as
 * records at run time; `destroy` removes them (GcpSecretManagerRuntimeSecrets). Encryption: Secret
 * Manager encrypts every version at rest with Google-managed keys
 * (https://cloud.google.com/secret-manager/docs/encryption).
 *
 * Grants (IAM conditions on the secrets' names: resource.name is
 * `projects/<number>/secrets/<id>`, https://cloud.google.com/secret-manager/docs/access-control#conditions):
 * - control plane: `roles/secretmanager.admin` on the cluster's secrets only
 *   (`kubeplane_<cluster>_*`), plus that role's project-level permissions (creating and listing
 *   secrets, checked on the project: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create);
 * - workers: `roles/secretmanager.secretAccessor` on the worker lease secret only (a binding on
 *   that secret), and `roles/secretmanager.admin` on their own records only (`..._status_*`, the
 *   refresh request) with the same project-level create; never the control-plane lease, the
 *   claim or the locks. Creating a secret of another name gives them nothing: they cannot add a
 *   version to, read or change any secret outside their records.
 */
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { Construct } from "constructs";
import type { ParameterBackend, ParameterBackendProps } from "../parameter-backend";
import { GCP_JOIN_LEASE_BACKEND } from "./gcp-definition";
import { asGcpIdentity } from "./gcp-identity";
import { GCP_CLUSTER_LABEL } from "./gcp-labels";
import { gcpProjectOf } from "./gcp-project";

/** The cluster's parameter path: `/kubeplane/<cluster>`. */
export function gcpParameterPath(clusterName: string): string {
  return `/kubeplane/${clusterName}`;
}

/** A parameter path's Secret Manager secret id: no leading `/`, every `/` a `_` (as backends/gcp-secret-manager.sh: gsm_id). */
export function gcpSecretId(name: string): string {
  const id = name.replace(/^\//, "");
  if (!/^[A-Za-z0-9/-]+$/.test(id) || id.length > 255) throw new Error(`"${name}" has no Secret Manager secret id (letters, digits, '-' and '/', 255 at most)`);
  return id.replace(/\//g, "_");
}

/** The IAM condition "the secret's id starts with `idPrefix`", in the project `projectNumber` (a reference). */
function secretsStartingWith(idPrefixes: readonly string[], projectNumber: string, withProject: boolean): string {
  const names = idPrefixes.map((p) => `resource.name.startsWith("projects/${projectNumber}/secrets/${p}")`);
  return [...names, ...(withProject ? ['resource.type == "cloudresourcemanager.googleapis.com/Project"'] : [])].join(" || ");
}

/** See the file's comment. */
export class GcpSecretManagerParameterBackend extends Construct implements ParameterBackend {
  readonly path: string;
  readonly workerJoinParameter: string;
  readonly nodeConfig: ParameterBackend["nodeConfig"];
  readonly workerSecret: SecretManagerSecret;
  readonly controlPlaneSecret?: SecretManagerSecret;

  constructor(scope: Construct, id: string, props: ParameterBackendProps) {
    super(scope, id);
    const where = `GcpSecretManagerParameterBackend ${this.node.path}`;
    const kind = props.kind ?? GCP_JOIN_LEASE_BACKEND;
    if (kind !== GCP_JOIN_LEASE_BACKEND) throw new Error(`${where}: kind "${kind}" is not a store GCP offers (${GCP_JOIN_LEASE_BACKEND})`);
    const name = props.clusterName;
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`${where}: clusterName "${name}" must be a DNS label (it is part of secret ids)`);
    if (!props.refreshCommand.startsWith("/")) throw new Error(`${where}: refreshCommand must be an absolute path on the node, got "${props.refreshCommand}"`);
    const controlPlane = asGcpIdentity(props.controlPlane, `${where}: controlPlane`);
    const workers = asGcpIdentity(props.workers, `${where}: workers`);
    this.path = gcpParameterPath(name);
    this.workerJoinParameter = `${this.path}/join/worker`;
    const controlPlaneJoinParameter = `${this.path}/join/control-plane`;
    const project = gcpProjectOf(this);

    const leaseSecret = (secretConstructId: string, parameter: string) =>
      new SecretManagerSecret(this, secretConstructId, {
        secretId: gcpSecretId(parameter),
        replication: { auto: {} },
        labels: { [GCP_CLUSTER_LABEL]: name },
        annotations: { "kubeplane-name": parameter },
      });
    this.workerSecret = leaseSecret("worker-secret", this.workerJoinParameter);
    if (props.controlPlaneJoins) this.controlPlaneSecret = leaseSecret("control-plane-secret", controlPlaneJoinParameter);

    const clusterPrefix = `${gcpSecretId(this.path)}_`;
    new ProjectIamMember(this, "control-plane-secrets", {
      project: project.projectId,
      role: "roles/secretmanager.admin",
      member: controlPlane.member,
      condition: {
        title: `kubeplane-${name}-control-plane-secrets`,
        description: `kubeplane ${name}: the control plane manages the cluster's secrets (${clusterPrefix}*) only`,
        expression: secretsStartingWith([clusterPrefix], project.number, true),
      },
    });
    new SecretManagerSecretIamMember(this, "worker-reads-worker-lease", {
      secretId: this.workerSecret.id,
      role: "roles/secretmanager.secretAccessor",
      member: workers.member,
    });
    new ProjectIamMember(this, "worker-records", {
      project: project.projectId,
      role: "roles/secretmanager.admin",
      member: workers.member,
      condition: {
        title: `kubeplane-${name}-worker-records`,
        description: `kubeplane ${name}: workers create and update their status records and refresh requests only`,
        expression: secretsStartingWith([`${clusterPrefix}status_`, gcpSecretId(`${this.path}/refresh/request`)], project.number, true),
      },
    });

    this.nodeConfig = {
      kind: GCP_JOIN_LEASE_BACKEND,
      settings: {
        KUBEPLANE_GCP_PROJECT: project.projectId,
        KUBEPLANE_CLUSTER_LABEL_KEY: GCP_CLUSTER_LABEL,
        KUBEPLANE_PARAMETER_PATH: this.path,
        KUBEPLANE_WORKER_JOIN_PARAMETER: this.workerJoinParameter,
        KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: controlPlaneJoinParameter,
      },
    };
  }
}
