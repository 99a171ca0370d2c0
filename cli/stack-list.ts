/**
 * `kubeplane stacks`: the stacks the other commands would act on — the clusters
 * KUBEPLANE_CLUSTERS selects (default `clusters/`), narrowed by stack names or globs as for
 * deploy and audit — with each stack's cluster, definition file, state location and
 * dependencies. Read from the definitions alone (no synthesis, no cloud calls), so a CI system
 * can plan its jobs from it: `kubeplane stacks --json` in a first job, one job per cluster after.
 */
import * as path from "path";
import type { ClusterDefinition } from "../definition";
import { matchesStackPattern } from "./synthesized-app";

/** Where a stack's Terraform state lives (and, for S3, its lock file). */
export type StackStateLocation =
  | {
      readonly backend: "local";
      /** The state file, relative to the project root when inside it. */
      readonly path: string;
    }
  | {
      readonly backend: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      /** The lock file Terraform's `use_lockfile` writes next to the state while it runs. */
      readonly lockKey: string;
    }
  | {
      /** GCS (providers/gcp/gcs-remote-state.ts): `<prefix>/default.tfstate`, locked natively by `<prefix>/default.tflock`. */
      readonly backend: "gcs";
      readonly bucket: string;
      readonly prefix: string;
    };

/** One stack. */
export interface ListedStack {
  readonly name: string;
  readonly cluster: string;
  /** The definition file, as the other commands name it (relative to the project root when inside). */
  readonly definition: string;
  readonly cloud: string;
  readonly region: string;
  readonly state: StackStateLocation;
  /** Stacks deployed before this one (it reads their outputs). */
  readonly dependencies: readonly string[];
}

/** One cluster, for a CI matrix: its selected stacks in the order they deploy. */
export interface ListedCluster {
  readonly cluster: string;
  readonly definition: string;
  readonly cloud: string;
  readonly region: string;
  /** `local` or `s3`: a CI runner can plan or apply only clusters with remote (s3) state. */
  readonly stateBackend: "local" | "s3" | "gcs";
  /** Its selected stacks, dependencies first (network, then cluster). */
  readonly stacks: readonly string[];
}

/** What `kubeplane stacks --json` prints. */
export interface StackList {
  /** Selected clusters, by name. */
  readonly clusters: readonly ListedCluster[];
  /** Selected stacks, by cluster, each cluster's dependencies first. */
  readonly stacks: readonly ListedStack[];
}

/** A loaded definition (definition-loader's LoadedDefinition). */
export interface DefinitionSource {
  /** The file, as loaded (absolute or relative to the project root). */
  readonly file: string;
  readonly definition: ClusterDefinition;
}

/** What stackList needs to know of the stacks of a cluster and of state, from stacks/. */
export interface StackLayout {
  /** stacks/cluster-stacks.ts's stackNames. */
  readonly stackNames: (cluster: string) => { network: string; cluster: string };
  /** stacks/state-backend.ts's localStatePath (absolute). */
  readonly localStatePath: (cluster: string, stack: string) => string;
  /** The key prefix when a definition names none (definition's defaultStateKey). */
  readonly defaultStateKey: (cluster: string) => string;
}

function relativeToRoot(file: string, root: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
}

function stateOf(definition: ClusterDefinition, stack: string, layout: StackLayout, root: string): StackStateLocation {
  const state = definition.state;
  if (state.backend === "local") return { backend: "local", path: relativeToRoot(layout.localStatePath(definition.name, stack), root) };
  if (state.backend === "gcs") return { backend: "gcs", bucket: state.bucket, prefix: `${state.prefix ?? layout.defaultStateKey(definition.name)}/${stack}` };
  // As stacks/state-backend.ts configures the S3 backend (its test compares the two).
  const key = `${state.key ?? layout.defaultStateKey(definition.name)}/${stack}.tfstate`;
  return { backend: "s3", bucket: state.bucket, key, region: state.region ?? definition.region, lockKey: `${key}.tflock` };
}

/**
 * The stacks of `definitions` that match any of `patterns` (all when none), as the other
 * commands select them. Throws naming every pattern that matches no stack.
 */
export function stackList(definitions: readonly DefinitionSource[], patterns: readonly string[], layout: StackLayout, root: string): StackList {
  const all: ListedStack[] = [];
  for (const { file, definition } of [...definitions].sort((a, b) => a.definition.name.localeCompare(b.definition.name))) {
    const names = layout.stackNames(definition.name);
    const common = { cluster: definition.name, definition: relativeToRoot(file, root), cloud: definition.cloud, region: definition.region };
    all.push({ name: names.network, ...common, state: stateOf(definition, names.network, layout, root), dependencies: [] });
    all.push({ name: names.cluster, ...common, state: stateOf(definition, names.cluster, layout, root), dependencies: [names.network] });
  }
  const unmatched = patterns.filter((p) => !all.some((s) => matchesStackPattern(s.name, p)));
  if (unmatched.length > 0) {
    throw new Error(`no stack matches ${unmatched.map((p) => `"${p}"`).join(", ")}; stacks: ${all.map((s) => s.name).join(", ")}`);
  }
  const stacks = patterns.length === 0 ? all : all.filter((s) => patterns.some((p) => matchesStackPattern(s.name, p)));
  const clusters: ListedCluster[] = [];
  for (const stack of stacks) {
    const last = clusters[clusters.length - 1];
    if (last?.cluster === stack.cluster) {
      (last.stacks as string[]).push(stack.name);
    } else {
      const { cluster, definition, cloud, region } = stack;
      clusters.push({ cluster, definition, cloud, region, stateBackend: stack.state.backend, stacks: [stack.name] });
    }
  }
  return { clusters, stacks };
}

/** The list as a table: STACK, CLUSTER, DEFINITION, STATE, DEPENDS ON. */
export function renderStackTable(list: StackList): string {
  const rows = [
    ["STACK", "CLUSTER", "DEFINITION", "STATE", "DEPENDS ON"],
    ...list.stacks.map((s) => [
      s.name,
      s.cluster,
      s.definition,
      s.state.backend === "local" ? s.state.path : s.state.backend === "gcs" ? `gs://${s.state.bucket}/${s.state.prefix}` : `s3://${s.state.bucket}/${s.state.key}`,
      s.dependencies.join(", ") || "-",
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}
