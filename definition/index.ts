/** Cluster definitions: schema, defaults, file selection and loading. */
export { clusterDefinitionSchema } from "./schema";
export type { ClusterDefinition } from "./schema";
export { DEFAULTS, defaultStateKey } from "./defaults";
export { DefinitionError, formatProblem } from "./problems";
export type { DefinitionProblem } from "./problems";
export { CLUSTERS_ENV, resolveDefinitionFiles, selectDefinitionFiles } from "./definition-files";
export { loadDefinitions, loadSelectedDefinitions, parseDefinition } from "./definition-loader";
export type { DefinitionCheck, FieldProblem, LoadedDefinition } from "./definition-loader";
