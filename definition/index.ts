/** Cluster definitions: schema, defaults, the cloud's part, file selection and loading. */
export { clusterDefinitionSchema } from "./schema";
export type { ClusterDefinition, NeutralDefinition } from "./schema";
export { DEFAULTS, defaultStateKey } from "./defaults";
export { applyCloudDefaults, cloudBlockOf, CLOUD_NAMES } from "./cloud-definition";
export type { CloudBlock, CloudDefaults, CloudMigration, CloudName, DefinitionCloud } from "./cloud-definition";
export { DefinitionError, formatProblem } from "./problems";
export type { DefinitionProblem } from "./problems";
export { CLUSTERS_ENV, resolveDefinitionFiles, selectDefinitionFiles } from "./definition-files";
export { loadDefinitions, loadSelectedDefinitions, parseDefinition } from "./definition-loader";
export type { DefinitionCheck, DefinitionRules, FieldProblem, LoadedDefinition } from "./definition-loader";
