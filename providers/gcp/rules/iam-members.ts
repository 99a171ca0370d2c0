/** The IAM grants of a GCP stack, as the rules read them: every `*_iam_member` / `*_iam_binding` resource's role and condition. */
import { blocks } from "../../../rules/rule";
import type { ResourceView } from "../../../rules/stack-view";

/** Resource types that grant a role (members or bindings) on what a cluster's Terraform may touch. */
export const IAM_GRANT_TYPES: readonly string[] = ["project", "folder", "organization", "secret_manager_secret", "storage_bucket", "service_account", "compute_instance"].flatMap((on) => [
  `google_${on}_iam_member`,
  `google_${on}_iam_binding`,
]);

/** A grant's role and its condition's expression (undefined without one). */
export function grantOf(resource: ResourceView): { role: string; condition?: string } {
  const condition = blocks(resource.config.condition)[0];
  return { role: String(resource.config.role ?? ""), condition: condition ? String(condition.expression ?? "") : undefined };
}
