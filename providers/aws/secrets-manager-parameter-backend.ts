/**
 * The join lease in AWS Secrets Manager (`joinTokens.backend: secretsmanager`): a KMS key for
 * the lease secrets `kubeplane/<cluster>/join/worker` and `.../join/control-plane`, created
 * EMPTY by Terraform (an `aws_secretsmanager_secret` without an `aws_secretsmanager_secret_version`,
 * so no value ever reaches Terraform state) and filled by the control plane at run time
 * (PutSecretValue); least-privilege grants; and no SSM Run Command: a joiner asks for a fresh lease
 * with a request record (`kubeplane/<cluster>/refresh/request`) that the control plane's request
 * timer answers within seconds (bootstrap/node/refresh-join-lease.sh --if-requested).
 *
 * Why Terraform makes the lease secrets (and not the control plane, at run time): the worker's
 * grant then names the one secret by its full ARN, random suffix included, instead of a
 * `join/worker-??????` pattern; the key is fixed at creation, by Terraform, so no node may choose
 * it (nodes get no CreateSecret on join/); and `destroy` removes the two secrets with the stack.
 * The records nodes make at run time (claim, locks, status, requests: non-secret) are created by
 * the nodes, under Secrets Manager's own key `aws/secretsmanager` (workers cannot use the lease
 * key to encrypt), and removed by `destroy` afterwards (secrets-manager-runtime-secrets.ts).
 */
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import type { ParameterBackendNodeConfig } from "../../bootstrap/user-data-context";
import type { ParameterBackend, ParameterBackendProps } from "../parameter-backend";
import { asAwsIdentity } from "./aws-identity";
import { awsAccountScope, joinLeaseKey } from "./join-lease-key";

/** The secret-name prefix of a cluster (Secrets Manager names take no leading `/`). */
export function secretPath(clusterName: string): string {
  return `kubeplane/${clusterName}`;
}

/**
 * What Secrets Manager asks of the key on the caller's behalf: GenerateDataKey to encrypt a new
 * secret value, Decrypt to read one (and to write one: PutSecretValue and CreateSecret with a
 * customer managed key need both, "Required permissions", PutSecretValue and CreateSecret in the
 * Secrets Manager API reference; "Secret encryption and decryption in AWS Secrets Manager",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
const CONTROL_PLANE_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

/** See ParameterBackendProps. */
export class SecretsManagerParameterBackend extends Construct implements ParameterBackend {
  readonly path: string;
  readonly workerJoinParameter: string;
  readonly nodeConfig: ParameterBackendNodeConfig;
  readonly key: KmsKey;
  /** The worker lease secret (empty until the control plane writes the lease). */
  readonly workerSecret: SecretsmanagerSecret;
  /** The control-plane lease secret, when further control-plane nodes join (HA). */
  readonly controlPlaneSecret?: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: ParameterBackendProps) {
    super(scope, id);
    if (props.kind !== undefined && props.kind !== "secretsmanager") {
      throw new Error(`SecretsManagerParameterBackend: kind must be "secretsmanager" (or left out), got "${props.kind}"`);
    }
    if (!props.refreshCommand.startsWith("/")) {
      throw new Error(`SecretsManagerParameterBackend: refreshCommand must be an absolute path on the node, got "${props.refreshCommand}"`);
    }
    const name = props.clusterName;
    if (!/^[A-Za-z0-9_+=.@-]+$/.test(name)) {
      throw new Error(`SecretsManagerParameterBackend: clusterName may hold only letters, digits and _ + = . @ - (it is part of secret names), got "${name}"`);
    }
    const controlPlane = asAwsIdentity(props.controlPlane, "SecretsManagerParameterBackend: controlPlane");
    const workers = asAwsIdentity(props.workers, "SecretsManagerParameterBackend: workers");
    this.path = secretPath(name);
    this.workerJoinParameter = `${this.path}/join/worker`;
    const controlPlaneJoinParameter = `${this.path}/join/control-plane`;

    const accountScope = awsAccountScope(this);
    const { partition, account, region } = accountScope;
    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>
    // (Service Authorization Reference, AWS Secrets Manager resource types).
    const secretArn = (pattern: string) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${pattern}`;

    this.key = joinLeaseKey(this, {
      clusterName: name,
      description: `kubeplane ${name}: encrypts the cluster's join lease secrets`,
      account: accountScope,
      controlPlaneRoleArn: controlPlane.role.arn,
      workerRoleArn: workers.role.arn,
      service: "secretsmanager",
      sidService: "SecretsManager",
      controlPlaneActions: CONTROL_PLANE_KEY_ACTIONS,
    });

    // No recovery window: a cluster destroyed and made again under the same name gets its
    // secrets back at once (a secret scheduled for deletion blocks its name for 7 to 30 days).
    const leaseSecret = (id: string, secretName: string, what: string) =>
      new SecretsmanagerSecret(this, id, {
        name: secretName,
        description: `kubeplane ${name}: the ${what} join lease, written by the control plane at run time`,
        kmsKeyId: this.key.arn,
        recoveryWindowInDays: 0,
      });
    this.workerSecret = leaseSecret("worker-secret", this.workerJoinParameter, "worker");
    if (props.controlPlaneJoins) this.controlPlaneSecret = leaseSecret("control-plane-secret", controlPlaneJoinParameter, "control-plane");

    new IamRolePolicy(this, "control-plane-policy", {
      name: "kubeplane-join-lease-publish",
      role: controlPlane.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "JoinLeaseReadWrite",
            Effect: "Allow",
            Action: [
              "secretsmanager:GetSecretValue",
              "secretsmanager:PutSecretValue",
              "secretsmanager:CreateSecret",
              "secretsmanager:DeleteSecret",
              "secretsmanager:TagResource",
            ],
            Resource: [secretArn(`${this.path}/*`)],
          },
          { Sid: "JoinLeaseEncryption", Effect: "Allow", Action: CONTROL_PLANE_KEY_ACTIONS, Resource: [this.key.arn] },
        ],
      }),
    });

    new IamRolePolicy(this, "worker-policy", {
      name: "kubeplane-join-lease-read",
      role: workers.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "WorkerJoinLeaseRead", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [this.workerSecret.arn] },
          {
            Sid: "WorkerJoinLeaseDecrypt",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [this.key.arn],
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
          },
          // The request record (bootstrap/node/backends/secretsmanager.sh, backend_request_refresh):
          // created only, tagged; the control plane reads and removes it.
          {
            Sid: "AskForRefresh",
            Effect: "Allow",
            Action: ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
            Resource: [secretArn(`${this.path}/refresh/request-??????`)],
          },
        ],
      }),
    });

    // Workers record their bootstrap status and take replacement slots under status/ only (never
    // join/), in secrets under Secrets Manager's own key: creating a tagged secret needs
    // secretsmanager:TagResource too (CreateSecret, "Required permissions").
    new IamRolePolicy(this, "worker-status-policy", {
      name: "kubeplane-bootstrap-status-record",
      role: workers.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WorkerRecordsBootstrapStatus",
            Effect: "Allow",
            Action: ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:TagResource"],
            Resource: [secretArn(`${this.path}/status/*`)],
          },
        ],
      }),
    });

    this.nodeConfig = {
      kind: "secretsmanager",
      settings: {
        KUBEPLANE_AWS_REGION: region,
        KUBEPLANE_PARAMETER_PATH: this.path,
        KUBEPLANE_WORKER_JOIN_PARAMETER: this.workerJoinParameter,
        KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: controlPlaneJoinParameter,
      },
    };
  }
}
