/**
 * Where each stack keeps its Terraform state: a local file per stack (default) under
 * `state/<cluster>/`, or the cloud's own remote state (S3 on AWS), which the cloud configures.
 */
import { LocalBackend, TerraformStack } from "cdktf";
import * as path from "path";
import type { ClusterDefinition } from "../definition";
import type { CloudProvider } from "../providers";

/** Overrides the directory of local state files (default `<cwd>/state`). */
export const STATE_DIR_ENV = "KUBEPLANE_STATE_DIR";

/** The local state file of a stack. */
export function localStatePath(clusterName: string, stackName: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = path.resolve(env[STATE_DIR_ENV] ?? path.join(process.cwd(), "state"));
  return path.join(root, clusterName, `${stackName}.tfstate`);
}

/** Configures the backend of `stack` from the definition's `state`. */
export function configureStateBackend(stack: TerraformStack, definition: ClusterDefinition, stackName: string, cloud: CloudProvider): void {
  if (definition.state.backend === "local") {
    new LocalBackend(stack, { path: localStatePath(definition.name, stackName) });
    return;
  }
  cloud.configureRemoteState(stack, definition, stackName);
}
