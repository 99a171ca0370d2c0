/**
 * What both join-lease backends (SSM Parameter Store, Secrets Manager) make the same way: the
 * account and region they run in, and the lease's KMS key with its alias, held to one policy
 * standard (kms-key-policies.ts). Construct ids are the backends' own (`partition`, `account`,
 * `region`, `key`, `key-alias`), so their Terraform addresses are unchanged.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { serviceOnlyKeyPolicy } from "./kms-key-policies";

/** The partition, account and region a backend's resources live in (Terraform tokens). */
export interface AwsAccountScope {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

/** Reads the partition, account and region (data sources `partition`, `account`, `region` in `scope`). */
export function awsAccountScope(scope: Construct): AwsAccountScope {
  return {
    partition: new DataAwsPartition(scope, "partition").partition,
    account: new DataAwsCallerIdentity(scope, "account").accountId,
    region: new DataAwsRegion(scope, "region").name,
  };
}

/** How a join-lease key is made and who may use it. */
export interface JoinLeaseKeyProps {
  readonly clusterName: string;
  /** The key's description. */
  readonly description: string;
  readonly account: AwsAccountScope;
  readonly controlPlaneRoleArn: string;
  readonly workerRoleArn: string;
  /** The service nodes use the key through (`kms:ViaService`), e.g. `ssm`, `secretsmanager`. */
  readonly service: string;
  /** How the policy's Sids spell the service, e.g. `Ssm`. */
  readonly sidService: string;
  /** What the control-plane role may do with the key (through `service` only). */
  readonly controlPlaneActions: readonly string[];
}

/** The join lease's KMS key (`key`, rotated, 7-day deletion window) and its alias `alias/kubeplane/<cluster>` (`key-alias`), in `scope`. */
export function joinLeaseKey(scope: Construct, props: JoinLeaseKeyProps): KmsKey {
  const key = new KmsKey(scope, "key", {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    policy: JSON.stringify(
      serviceOnlyKeyPolicy({
        ...props.account,
        controlPlaneRoleArn: props.controlPlaneRoleArn,
        workerRoleArn: props.workerRoleArn,
        service: props.service,
        sidService: props.sidService,
        controlPlaneActions: props.controlPlaneActions,
      }),
    ),
  });
  new KmsAlias(scope, "key-alias", { name: `alias/kubeplane/${props.clusterName}`, targetKeyId: key.keyId });
  return key;
}
