/**
 * AWS's remote state: each stack's state in the definition's S3 bucket, with Terraform's native
 * lock file beside it (`use_lockfile`, Terraform ≥ 1.10; set by override since cdktf 0.21's
 * S3Backend does not know it).
 */
import { S3Backend, TerraformStack } from "cdktf";
import { ClusterDefinition, defaultStateKey } from "../../definition";

/** Where in the bucket a stack's state lives: `<key>/<stack>.tfstate`. */
export function s3StateKey(definition: ClusterDefinition, stackName: string): string {
  const key = definition.state.backend === "s3" ? definition.state.key : undefined;
  return `${key ?? defaultStateKey(definition.name)}/${stackName}.tfstate`;
}

/** Configures `stack`'s state in S3; the definition's `state.backend` must be `s3`. */
export function configureS3State(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void {
  const state = definition.state;
  if (state.backend !== "s3") throw new Error(`${stack.node.path}: state.backend "${state.backend}" is not a remote state AWS keeps (use s3)`);
  new S3Backend(stack, {
    bucket: state.bucket,
    key: s3StateKey(definition, stackName),
    region: state.region ?? definition.region,
    encrypt: true,
  });
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
