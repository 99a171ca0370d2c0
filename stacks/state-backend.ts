/**
 * Where each stack keeps its Terraform state: a local file per stack (default) under
 * `state/<cluster>/`, or S3 with native lock files (`use_lockfile`, Terraform ≥ 1.10; set by
 * override since cdktf 0.21's S3Backend does not know it).
 */
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import * as path from "path";
import { ClusterDefinition, defaultStateKey } from "../definition";

/** Overrides the directory of local state files (default `<cwd>/state`). */
export const STATE_DIR_ENV = "KUBEPLANE_STATE_DIR";

/** The local state file of a stack. */
export function localStatePath(clusterName: string, stackName: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = path.resolve(env[STATE_DIR_ENV] ?? path.join(process.cwd(), "state"));
  return path.join(root, clusterName, `${stackName}.tfstate`);
}

/** Configures the backend of `stack` from the definition's `state`. */
export function configureStateBackend(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void {
  const state = definition.state;
  if (state.backend === "local") {
    new LocalBackend(stack, { path: localStatePath(definition.name, stackName) });
    return;
  }
  new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.key ?? defaultStateKey(definition.name)}/${stackName}.tfstate`,
    region: state.region ?? definition.region,
    encrypt: true,
  });
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
