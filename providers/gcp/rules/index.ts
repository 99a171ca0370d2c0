/**
 * The GCP rule pack: every rule kubeplane holds a GCP cluster's Terraform to, one per file, in the
 * cdk-nag style of the AWS pack (providers/aws/rules/); the engine is rules/.
 */
import type { Rule } from "../../../rules/rule";

/** Every GCP rule, in the order findings are listed. */
export const GCP_RULES: readonly Rule[] = [];
