/**
 * Where a cloud keeps Terraform state, and who may use it: the store every cluster's remote state
 * (`state: { backend: s3, ... }` on AWS) lives in, and the policies of the two identities that
 * run Terraform against it (a deploy role, and a plan-only CI role that reads state and takes the
 * state lock). Made by `kubeplane bootstrap` (stacks/bootstrap-stack.ts); a cloud implements it
 * with `CloudProvider.createStateStore` (AWS: an S3 bucket, providers/aws/aws-state-bucket.ts).
 */
import type { TerraformStack } from "cdktf";
import type { Suppression } from "../rules/rule-pack";

/** Properties of a state store. */
export interface StateStoreProps {
  /** The region (or location) the store lives in. */
  readonly region: string;
  /**
   * The store's name (the bucket's, on AWS).
   * @default one derived from the account and the region
   */
  readonly name?: string;
}

/** A state store and the policies to use it. */
export interface StateStore {
  /** The store's name (a token until apply when derived). */
  readonly name: string;
  /**
   * What `kubeplane bootstrap` prints and reads back: the store's name (`state_store`) and the
   * policies' identifiers, by output name.
   */
  readonly outputs: Readonly<Record<string, string | readonly string[]>>;
  /** Rule exceptions the store's own resources need, each with its reason. */
  readonly suppressions: readonly Suppression[];
  /**
   * Keeps `stack`'s state at `key` in the store named `storeName` (a literal: backends take no
   * references), locked the way the cloud's backend locks.
   */
  configureBackend(stack: TerraformStack, storeName: string, key: string): void;
}
