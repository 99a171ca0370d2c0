/**
 * `kubeplane roll <cluster> [--pool NAME]` and the roll `kubeplane deploy` runs after Terraform's
 * apply (cli/pool-roll.ts): which clusters and pools, in which cloud, and the exit code.
 */
import type { ClusterDefinition } from "../definition";
import { stackNames } from "../stacks/cluster-stacks";
import { stackPatterns } from "./destroy-command";
import { DEFAULT_ROLL_TIMEOUT_SECONDS, PoolRoller, rollPools, RollOptions, RollPool } from "./pool-roll";
import { matchesStackPattern } from "./synthesized-app";

/** kubeplane's own option of deploy: apply without rolling the pools. */
export const NO_ROLL_OPTION = "--no-roll";

/** What the roll needs from its surroundings (tests stand in for the cloud). */
export interface RollDependencies {
  /** The definitions KUBEPLANE_CLUSTERS selects; throws on bad ones. */
  readonly definitions: () => readonly ClusterDefinition[];
  /** The roller of a cluster's cloud and region, and how to let it go. */
  readonly rollerFor: (definition: ClusterDefinition) => Promise<{ readonly roller: PoolRoller; close(): void }>;
  readonly report: (line: string) => void;
  readonly options?: Omit<RollOptions, "report">;
}

/** A cluster's pools as the roll sees them, in the definition's order (its cloud names the groups). */
export function rollPoolsOf(definition: ClusterDefinition, groupName: (cluster: string, pool: string) => string): RollPool[] {
  return definition.workerPools.map((p) => ({ name: p.name, group: groupName(definition.name, p.name) }));
}

/** Whether kubeplane can roll the pools of a definition's cloud (only AWS today). */
export const cloudRolls = (definition: ClusterDefinition): boolean => definition.cloud === "aws";

/** The roller of a definition's cloud, through the SDK (only AWS has one today). */
export async function cloudRollerFor(definition: ClusterDefinition): Promise<{ roller: PoolRoller; close(): void }> {
  if (definition.cloud !== "aws") throw new Error(`rolling the worker pools of a cluster on ${definition.cloud} is not implemented yet (cluster ${definition.name})`);
  const [{ AwsPoolRoller, sdkAutoScalingRollCalls }] = await Promise.all([import("./pool-roll-aws")]);
  const calls = await sdkAutoScalingRollCalls(definition.region);
  return { roller: new AwsPoolRoller(calls, definition.region), close: () => calls.close() };
}

/** The pool-to-group naming of a definition's cloud. */
async function groupNaming(definition: ClusterDefinition): Promise<(cluster: string, pool: string) => string> {
  if (definition.cloud !== "aws") throw new Error(`rolling the worker pools of a cluster on ${definition.cloud} is not implemented yet (cluster ${definition.name})`);
  return (await import("../providers/aws/aws-worker-pool")).workerPoolResourceName;
}

/** Rolls one cluster's pools (all, or `only`); true when nothing is left to roll. */
async function rollCluster(definition: ClusterDefinition, only: string | undefined, deps: RollDependencies): Promise<boolean> {
  let pools = rollPoolsOf(definition, await groupNaming(definition));
  if (only !== undefined) {
    pools = pools.filter((p) => p.name === only);
    if (pools.length === 0) {
      throw new Error(`cluster ${definition.name} has no pool "${only}"; its pools: ${definition.workerPools.map((p) => p.name).join(", ")}`);
    }
  }
  const { roller, close } = await deps.rollerFor(definition);
  try {
    const outcome = await rollPools(definition.name, pools, roller, { ...deps.options, report: deps.report });
    return outcome.stoppedAt === undefined;
  } finally {
    close();
  }
}

/** Options of `kubeplane roll`. */
export interface RollCommandOptions {
  readonly pool?: string;
  readonly timeoutSeconds?: number;
}

/**
 * `kubeplane roll <cluster>`: resolves to the exit code (0 rolled or nothing to roll, 1 stopped).
 * Throws (the CLI prints `kubeplane: <message>`) on an unknown cluster or pool.
 */
export async function rollMain(cluster: string, options: RollCommandOptions, deps: RollDependencies): Promise<number> {
  const definitions = deps.definitions();
  const definition = definitions.find((d) => d.name === cluster);
  if (!definition) {
    throw new Error(`no cluster "${cluster}" among the definitions KUBEPLANE_CLUSTERS selects (${definitions.map((d) => d.name).join(", ") || "none"})`);
  }
  const timeoutSeconds = options.timeoutSeconds ?? deps.options?.timeoutSeconds ?? DEFAULT_ROLL_TIMEOUT_SECONDS;
  return (await rollCluster(definition, options.pool, { ...deps, options: { ...deps.options, timeoutSeconds } })) ? 0 : 1;
}

/**
 * After a successful `cdktf deploy <args>`: rolls the pools of every cluster whose cluster stack the
 * deploy's stack patterns select (all, when it names none), one cluster after the other. Resolves
 * to the exit code: 0, or 1 when a roll stopped (its message says what to do). Never rejects.
 */
export async function rollAfterDeploy(args: readonly string[], deps: RollDependencies): Promise<number> {
  let clusters: readonly ClusterDefinition[];
  try {
    const patterns = stackPatterns(args);
    clusters = deps.definitions().filter((d) => patterns.length === 0 || patterns.some((p) => matchesStackPattern(stackNames(d.name).cluster, p)));
  } catch (e) {
    deps.report(`kubeplane deploy: Terraform applied the stacks, but the definitions cannot be read to roll the worker pools: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  for (const definition of clusters) {
    if (!cloudRolls(definition)) {
      deps.report(`kubeplane deploy: ${definition.name}: kubeplane does not roll worker pools on ${definition.cloud} yet; running instances keep their template until replaced`);
      continue;
    }
    try {
      if (!(await rollCluster(definition, undefined, deps))) return 1;
    } catch (e) {
      deps.report(`kubeplane deploy: Terraform applied the stacks, but rolling the worker pools of ${definition.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      deps.report(`  Run \`kubeplane roll ${definition.name}\` once the cause is fixed.`);
      return 1;
    }
  }
  return 0;
}
