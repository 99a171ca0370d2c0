/**
 * What a cloud contributes to a definition, without definition/ knowing any cloud: the
 * defaults of the fields left to the cloud (instance types), its own block (`aws: { ... }`),
 * the fields it moves from older definitions (with a warning), and its limits. The loader asks
 * the cloud of each definition (`DefinitionRules.cloudFor`); providers/ implements them.
 */
import { DEFAULTS } from "./defaults";
import type { ClusterDefinition, NeutralDefinition } from "./schema";
import { workerPoolsOf } from "./worker-pools";

/** The clouds a definition may name in `cloud:`; each may have a block of its own (`aws: { ... }`), which only it reads. */
export const CLOUD_NAMES = ["aws", "gcp"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

/** A problem (or warning) at a field path of the definition. */
export interface FieldProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The values a cloud gives the fields a definition may leave to it. */
export interface CloudDefaults {
  readonly controlPlane: { readonly instanceType: string };
  readonly workers: { readonly instanceType: string };
  /**
   * The join-lease store of a definition that names none (`joinTokens.backend`; GCP:
   * `gcp-secret-manager`).
   * @default DEFAULTS.joinTokens.backend (`ssm`)
   */
  readonly joinTokens?: { readonly backend: ClusterDefinition["joinTokens"]["backend"] };
}

/**
 * A cloud's block of a definition (`aws:` for `cloud: aws`), as written: a mapping only the
 * cloud reads and validates.
 */
export type CloudBlock = Readonly<Record<string, unknown>>;

/** What moving a definition's old fields gives: the definition as it is written now, and what that took. */
export interface CloudMigration {
  readonly definition: NeutralDefinition;
  /** One for each old field moved: where it was and what to write instead. Never fails the load. */
  readonly warnings: readonly FieldProblem[];
  /** Old fields that cannot be moved (the new field is written too, or the old value is invalid). */
  readonly problems: readonly FieldProblem[];
}

/** A cloud's part in loading a definition. */
export interface DefinitionCloud {
  /** The cloud's name as written in definitions (`cloud: aws`). */
  readonly name: string;
  /** The values this cloud gives the fields a definition leaves out. */
  readonly definitionDefaults: CloudDefaults;
  /**
   * Moves fields of older definitions to where they are now (on AWS the top-level `ami`, into
   * `aws.ami`). A field the cloud does not move (only `ami` is one today) is an error of the
   * definition. @default nothing moves
   */
  migrateDefinition?(definition: NeutralDefinition): CloudMigration;
  /** Checks a definition with every default applied against this cloud's limits and its block. */
  validateDefinition(definition: ClusterDefinition): readonly FieldProblem[];
}

/** A check that runs on definitions that passed the schema, after the cloud's (e.g. the rule pack's suppressions). */
export type DefinitionCheck = (definition: ClusterDefinition) => readonly FieldProblem[];

/** What the loader checks a definition with, beyond the neutral schema. */
export interface DefinitionRules {
  /** The cloud of a definition (providers' `cloudFor`). */
  readonly cloudFor: (definition: { readonly cloud: CloudName }) => DefinitionCloud;
  /** Checks run after the cloud's. @default none */
  readonly checks?: readonly DefinitionCheck[];
}

/** The definition with the cloud's defaults applied to the fields it left out. */
export function applyCloudDefaults(definition: NeutralDefinition, defaults: CloudDefaults): ClusterDefinition {
  const { ami: _deprecated, ...rest } = definition;
  return {
    ...rest,
    controlPlane: { ...definition.controlPlane, instanceType: definition.controlPlane.instanceType ?? defaults.controlPlane.instanceType },
    joinTokens: { ...definition.joinTokens, backend: definition.joinTokens.backend ?? defaults.joinTokens?.backend ?? DEFAULTS.joinTokens.backend },
    workerPools: workerPoolsOf(definition.workers, defaults.workers.instanceType),
  };
}

/** The block of a definition's own cloud (`aws:` for `cloud: aws`), or undefined when it has none. */
export function cloudBlockOf(definition: Pick<ClusterDefinition, "cloud"> & Partial<Record<CloudName, CloudBlock>>): CloudBlock | undefined {
  return definition[definition.cloud];
}
