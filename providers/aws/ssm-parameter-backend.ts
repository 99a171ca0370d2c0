/**
 * The join lease in SSM Parameter Store: a KMS key for SecureString parameters under
 * `/kubeplane/<cluster>/`, the Run Command document through which a worker asks a control-plane
 * node to refresh the lease, and least-privilege grants. Terraform creates no parameter: the
 * control plane writes the lease at run time, so no token ever reaches Terraform state.
 */
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Construct } from "constructs";
import type { ParameterBackendNodeConfig } from "../../bootstrap/user-data-context";
import type { ParameterBackend, ParameterBackendProps } from "../parameter-backend";
import { asAwsIdentity } from "./aws-identity";
export { KEY_ADMINISTRATION_ACTIONS } from "./kms-key-policies";
import { awsAccountScope, joinLeaseKey } from "./join-lease-key";
import { CLUSTER_TAG, ROLE_TAG } from "./tags";

/** The parameter path of a cluster. */
export function parameterPath(clusterName: string): string {
  return `/kubeplane/${clusterName}`;
}

/**
 * Where nodes record their bootstrap status (`<path>/status/<instance-id>`) and the replacement
 * budget's slots: the one subtree of the cluster's path that workers may write.
 */
export function statusPath(clusterName: string): string {
  return `${parameterPath(clusterName)}/status`;
}

/** See ParameterBackendProps. */
export class SsmParameterBackend extends Construct implements ParameterBackend {
  readonly path: string;
  readonly workerJoinParameter: string;
  readonly nodeConfig: ParameterBackendNodeConfig;
  readonly key: KmsKey;
  readonly refreshDocument: SsmDocument;
  /** ARN of the worker join parameter (which exists once the control plane has written it). */
  readonly workerJoinParameterArn: string;

  constructor(scope: Construct, id: string, props: ParameterBackendProps) {
    super(scope, id);
    if (props.kind !== undefined && props.kind !== "ssm") {
      throw new Error(`SsmParameterBackend: kind must be "ssm" (or left out), got "${props.kind}"`);
    }
    if (!props.refreshCommand.startsWith("/")) {
      throw new Error(`SsmParameterBackend: refreshCommand must be an absolute path on the node, got "${props.refreshCommand}"`);
    }
    const name = props.clusterName;
    const controlPlane = asAwsIdentity(props.controlPlane, "SsmParameterBackend: controlPlane");
    const workers = asAwsIdentity(props.workers, "SsmParameterBackend: workers");
    this.path = parameterPath(name);
    const workerJoinParameter = `${this.path}/join/worker`;
    this.workerJoinParameter = workerJoinParameter;
    const controlPlaneJoinParameter = `${this.path}/join/control-plane`;

    const accountScope = awsAccountScope(this);
    const { partition, account, region } = accountScope;
    const ssmArn = (resource: string) => `arn:${partition}:ssm:${region}:${account}:${resource}`;
    this.workerJoinParameterArn = ssmArn(`parameter${workerJoinParameter}`);

    // Nodes use the key only through Parameter Store (`ssm put-parameter --key-id`,
    // `get-parameter --with-decryption`).
    this.key = joinLeaseKey(this, {
      clusterName: name,
      description: `kubeplane ${name}: encrypts the cluster's join lease`,
      account: accountScope,
      controlPlaneRoleArn: controlPlane.role.arn,
      workerRoleArn: workers.role.arn,
      service: "ssm",
      sidService: "Ssm",
      controlPlaneActions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
    });

    this.refreshDocument = new SsmDocument(this, "refresh-document", {
      name: `kubeplane-${name}-refresh-join-lease`,
      documentType: "Command",
      documentFormat: "JSON",
      content: JSON.stringify({
        schemaVersion: "2.2",
        description: `kubeplane ${name}: publish a fresh join lease (asked for by a worker that found none valid)`,
        mainSteps: [
          {
            action: "aws:runShellScript",
            name: "refreshJoinLease",
            inputs: { runCommand: [props.refreshCommand], timeoutSeconds: "300" },
          },
        ],
      }),
    });

    // A joiner that finds no valid lease asks a running control-plane node of this cluster to
    // refresh it: workers, and control-plane nodes joining an HA control plane (only there: the
    // single node of a control plane never joins with a lease).
    const askForRefresh = [
      { Sid: "FindControlPlane", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: ["*"] },
      { Sid: "AskForRefreshDocument", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: [this.refreshDocument.arn] },
      {
        Sid: "AskForRefreshOnControlPlane",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: [`arn:${partition}:ec2:${region}:${account}:instance/*`],
        Condition: { StringEquals: { [`ssm:resourceTag/${CLUSTER_TAG}`]: name, [`ssm:resourceTag/${ROLE_TAG}`]: "control-plane" } },
      },
    ];

    new IamRolePolicy(this, "control-plane-policy", {
      name: "kubeplane-join-lease-publish",
      role: controlPlane.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "JoinLeaseReadWrite",
            Effect: "Allow",
            Action: ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource"],
            Resource: [ssmArn(`parameter${this.path}/*`)],
          },
          {
            Sid: "JoinLeaseEncryption",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
            Resource: [this.key.arn],
          },
          ...(props.controlPlaneJoins ? askForRefresh : []),
        ],
      }),
    });

    new IamRolePolicy(this, "worker-policy", {
      name: "kubeplane-join-lease-read",
      role: workers.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "WorkerJoinLeaseRead", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [this.workerJoinParameterArn] },
          {
            Sid: "WorkerJoinLeaseDecrypt",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [this.key.arn],
            Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com` } },
          },
          ...askForRefresh,
        ],
      }),
    });

    // Workers record their bootstrap status (bootstrap/node/status.sh), a non-secret String (they
    // cannot encrypt), and take replacement slots, under status/ only: never the join subtree.
    // Creating a parameter with tags needs ssm:AddTagsToResource too, as does tagging an overwrite.
    new IamRolePolicy(this, "worker-status-policy", {
      name: "kubeplane-bootstrap-status-record",
      role: workers.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WorkerRecordsBootstrapStatus",
            Effect: "Allow",
            Action: ["ssm:PutParameter", "ssm:AddTagsToResource"],
            Resource: [ssmArn(`parameter${statusPath(name)}/*`)],
          },
        ],
      }),
    });

    this.nodeConfig = {
      kind: "ssm",
      settings: {
        KUBEPLANE_AWS_REGION: region,
        KUBEPLANE_PARAMETER_PATH: this.path,
        KUBEPLANE_WORKER_JOIN_PARAMETER: workerJoinParameter,
        KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: controlPlaneJoinParameter,
        KUBEPLANE_KMS_KEY_ID: this.key.arn,
        KUBEPLANE_REFRESH_DOCUMENT: this.refreshDocument.name,
        KUBEPLANE_CONTROL_PLANE_TAG_KEY: ROLE_TAG,
        KUBEPLANE_CONTROL_PLANE_TAG_VALUE: "control-plane",
      },
    };
  }
}
