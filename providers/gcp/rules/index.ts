/**
 * The GCP rule pack: every rule kubeplane holds a GCP cluster's Terraform to, one per file, in the
 * cdk-nag style of the AWS pack (providers/aws/rules/); the engine is rules/. See README.md.
 */
import type { Rule } from "../../../rules/rule";
import { conditionedProjectGrants } from "./conditioned-project-grants";
import { gcsBucketHardened } from "./gcs-bucket-hardened";
import { noDefaultServiceAccount } from "./no-default-service-account";
import { noPrimitiveRoles } from "./no-primitive-roles";
import { noPublicIpOnNodes } from "./no-public-ip-on-nodes";
import { noSecretsInMetadata } from "./no-secrets-in-metadata";
import { noSecretsInTerraform } from "./no-secrets-in-terraform";
import { noWorldIngress } from "./no-world-ingress";
import { osLoginOnly } from "./os-login-only";
import { shieldedVm } from "./shielded-vm";
import { subnetFlowLogs } from "./subnet-flow-logs";

/** Every GCP rule, in the order findings are listed. */
export const GCP_RULES: readonly Rule[] = [
  noWorldIngress,
  noPublicIpOnNodes,
  subnetFlowLogs,
  noPrimitiveRoles,
  noDefaultServiceAccount,
  conditionedProjectGrants,
  noSecretsInTerraform,
  noSecretsInMetadata,
  shieldedVm,
  osLoginOnly,
  gcsBucketHardened,
];
