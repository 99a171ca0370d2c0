/**
 * The standard kubeplane holds its KMS keys to: the account may administer a key but never use
 * it, and only the cluster's roles use it, only through the service that needs it. Shared by the
 * join-lease keys (SSM, Secrets Manager) and the backup bucket's key.
 */

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
