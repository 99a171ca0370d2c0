/**
 * The join lease in SSM Parameter Store: a KMS key for SecureString parameters under
 * `/kubeplane/<cluster>/`, the Run Command document through which a worker asks a control-plane
 * node to refresh the lease, and least-privilege grants. Terraform creates no parameter: the
 * control plane writes the lease at run time, so no token ever reaches Terraform state.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Construct } from "constructs";
import type { ParameterBackendNodeConfig } from "../../bootstrap/user-data-context";
import type { ParameterBackend, ParameterBackendProps } from "../parameter-backend";
import { asAwsIdentity } from "./aws-identity";
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

/**
 * What the account may do with the join-lease key: administer it, never use it. Spelled out (no
 * `kms:*`, no globs, no kms:CreateGrant) so that no IAM policy in the account can grant itself
 * the lease's plaintext. It keeps the key manageable by whoever Terraform runs as (given IAM
 * permissions): KMS refuses a policy that would lock the caller out of PutKeyPolicy (the lockout
 * safety check, https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html), and
 * a key whose policy names no administrator becomes unmanageable ("Allows access to the AWS
 * account and enables IAM policies", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:PutKeyPolicy",
  "kms:ListKeyPolicies",
  "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:ListKeyRotations",
  "kms:RotateKeyOnDemand",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:UpdateKeyDescription",
  "kms:ListResourceTags",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:ListGrants",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/**
 * The join-lease key's policy (instead of the default one, which hands `kms:*` to the account and
 * so defers everything to IAM): administration for the account, use only for the cluster's
 * node roles and only through Parameter Store, where nodes use the key (`ssm put-parameter
 * --key-id`, `get-parameter --with-decryption`).
 */
function joinLeaseKeyPolicy(p: { partition: string; account: string; region: string; controlPlaneRoleArn: string; workerRoleArn: string }) {
  return serviceOnlyKeyPolicy({ ...p, service: "ssm", sidService: "Ssm", controlPlaneActions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] });
}

/**
 * A join-lease key policy: administration for the account; use for the control-plane role
 * (`controlPlaneActions`) and decryption for the worker role, each only through `service`
 * (`kms:ViaService` = `<service>.<region>.amazonaws.com`). Shared by the SSM and the Secrets
 * Manager backends, whose keys are held to the same standard.
 */
export function serviceOnlyKeyPolicy(p: {
  partition: string;
  account: string;
  region: string;
  controlPlaneRoleArn: string;
  workerRoleArn: string;
  /** The service's endpoint prefix, e.g. `ssm`, `secretsmanager`. */
  service: string;
  /** How the Sids spell the service, e.g. `Ssm` (ControlPlaneUsesKeyThroughSsm). */
  sidService: string;
  controlPlaneActions: readonly string[];
}) {
  const via = { StringEquals: { "kms:ViaService": `${p.service}.${p.region}.amazonaws.com` } };
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: `arn:${p.partition}:iam::${p.account}:root` }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" },
      {
        Sid: `ControlPlaneUsesKeyThrough${p.sidService}`,
        Effect: "Allow",
        Principal: { AWS: p.controlPlaneRoleArn },
        Action: [...p.controlPlaneActions],
        Resource: "*",
        Condition: via,
      },
      { Sid: `WorkersDecryptThrough${p.sidService}`, Effect: "Allow", Principal: { AWS: p.workerRoleArn }, Action: ["kms:Decrypt"], Resource: "*", Condition: via },
    ],
  };
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

    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = new DataAwsRegion(this, "region").name;
    const ssmArn = (resource: string) => `arn:${partition}:ssm:${region}:${account}:${resource}`;
    this.workerJoinParameterArn = ssmArn(`parameter${workerJoinParameter}`);

    this.key = new KmsKey(this, "key", {
      description: `kubeplane ${name}: encrypts the cluster's join lease`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: JSON.stringify(joinLeaseKeyPolicy({ partition, account, region, controlPlaneRoleArn: controlPlane.role.arn, workerRoleArn: workers.role.arn })),
    });
    new KmsAlias(this, "key-alias", { name: `alias/kubeplane/${name}`, targetKeyId: this.key.keyId });

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
