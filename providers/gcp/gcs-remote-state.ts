/**
 * Remote state in Cloud Storage (`state: { backend: gcs, bucket, prefix }`): each stack's state is
 * `<prefix>/<stack>/default.tfstate` in the (existing) bucket, locked natively by Terraform's gcs
 * backend with a lock object beside it
 * (https://developer.hashicorp.com/terraform/language/backend/gcs: "This backend supports state
 * locking").
 */
import { GcsBackend, TerraformStack } from "cdktf";
import { defaultStateKey, type ClusterDefinition } from "../../definition";

/** Keeps `stack`'s state in the definition's GCS bucket. */
export function configureGcsState(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void {
  const state = definition.state;
  if (state.backend !== "gcs") throw new Error(`cluster ${definition.name}: state.backend "${state.backend}" is not GCS`);
  new GcsBackend(stack, { bucket: state.bucket, prefix: `${state.prefix ?? defaultStateKey(definition.name)}/${stackName}` });
}
