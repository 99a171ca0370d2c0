/**
 * Rolling a cluster's worker pools, one pool at a time (issue 14): the pools whose instances run an
 * outdated launch template (or machine template, on another cloud) are replaced pool after pool, in
 * the definition's order, each through the cloud's own rolling replacement that keeps a minimum
 * share in service (on AWS an instance refresh, cli/pool-roll-aws.ts), waiting for one to succeed
 * before starting the next. A pool whose replacement fails, is cancelled or does not end in time
 * stops the roll: the pools after it are left as they are, and the message names the pool, what
 * the cloud said and the next step.
 *
 * kOps rolls the same way (kubernetes/kops pkg/instancegroups/rollingupdate.go, RollingUpdate: node
 * groups "in series, even if they are in separate instance groups ... If you roll the nodes in
 * parallel you can get into a scenario where you can evict multiple statefulset pods from the same
 * statefulset at the same time", stopping at a group that does not validate in time). Here the
 * cloud replaces the instances, and each drains itself on the pool's termination hook first.
 *
 * `kubeplane deploy` rolls after Terraform's apply; `kubeplane roll <cluster>` rolls on its own.
 * Terraform alone (`cdktf deploy`) rolls nothing: the groups launch new instances from the new
 * template, and the running ones stay until a roll (or a scale-in) replaces them.
 */

/** A pool as the roll knows it. */
export interface RollPool {
  /** The pool's name in the definition. */
  readonly name: string;
  /** The cloud's group of the pool (on AWS, the auto-scaling group's name). */
  readonly group: string;
}

/** How far a pool is behind its template. */
export interface PoolTemplateState {
  readonly instances: number;
  /** Instances launched from another template or version than the group's. */
  readonly outdated: number;
  /** The template version the group launches, for messages. */
  readonly version: string;
}

/** Where a replacement stands. */
export interface ReplacementStatus {
  /** The cloud's status word (AWS: Pending, InProgress, Successful, Failed, Cancelled, ...). */
  readonly status: string;
  readonly state: "running" | "succeeded" | "failed";
  readonly reason?: string;
  readonly percentComplete?: number;
}

/** One cloud's rolling replacement of a pool. */
export interface PoolRoller {
  /** The cloud's word for a rolling replacement, for messages (AWS: "instance refresh"). */
  readonly replacementName: string;
  inspect(pool: RollPool): Promise<PoolTemplateState>;
  /** Starts replacing the pool's outdated instances; resolves to the replacement's id, and the minimum healthy percentage it keeps. */
  start(pool: RollPool): Promise<{ readonly id: string; readonly minHealthyPercentage: number }>;
  status(pool: RollPool, id: string): Promise<ReplacementStatus>;
  /** The operator's command that shows the pool's replacements. */
  inspectCommand(pool: RollPool): string;
}

/** Options of rollPools. */
export interface RollOptions {
  /** Receives each progress line (stderr). */
  readonly report: (line: string) => void;
  /**
   * Seconds between two looks at a running replacement.
   * @default 15
   */
  readonly pollSeconds?: number;
  /**
   * Seconds a pool's replacement may take before the roll stops waiting (the cloud goes on).
   * @default 3600
   */
  readonly timeoutSeconds?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** How a roll ended. */
export interface RollOutcome {
  readonly rolled: readonly string[];
  readonly upToDate: readonly string[];
  /** The pool it stopped at, if any, and the pools after it, not rolled. */
  readonly stoppedAt?: string;
  readonly notRolled: readonly string[];
}

export const DEFAULT_ROLL_POLL_SECONDS = 15;
export const DEFAULT_ROLL_TIMEOUT_SECONDS = 3600;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Rolls `pools` of `cluster` in order, one at a time. Resolves to what was rolled; a pool that
 * fails stops the roll (`stoppedAt`), after its message. Never rejects: a failing cloud call stops
 * the roll the same way.
 */
export async function rollPools(cluster: string, pools: readonly RollPool[], roller: PoolRoller, options: RollOptions): Promise<RollOutcome> {
  const { report } = options;
  const pollMs = (options.pollSeconds ?? DEFAULT_ROLL_POLL_SECONDS) * 1000;
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_ROLL_TIMEOUT_SECONDS) * 1000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const prefix = `kubeplane roll: ${cluster}:`;
  const rolled: string[] = [];
  const upToDate: string[] = [];
  const stop = (index: number, lines: readonly string[]): RollOutcome => {
    const pool = pools[index];
    const rest = pools.slice(index + 1).map((p) => p.name);
    for (const line of lines) report(line);
    report(`  Not rolled: ${[pool.name, ...rest].join(", ")}. See the ${roller.replacementName} with \`${roller.inspectCommand(pool)}\`, fix the cause, then run \`kubeplane roll ${cluster} --pool ${pool.name}\`${rest.length > 0 ? ` and \`kubeplane roll ${cluster}\` for the pools after it` : ""}.`);
    return { rolled, upToDate, stoppedAt: pool.name, notRolled: [pool.name, ...rest] };
  };

  for (const [index, pool] of pools.entries()) {
    const label = `pool ${pool.name} (${pool.group})`;
    let state: PoolTemplateState;
    try {
      state = await roller.inspect(pool);
    } catch (e) {
      return stop(index, [`${prefix} ${label}: could not read its instances: ${message(e)}`]);
    }
    if (state.outdated === 0) {
      upToDate.push(pool.name);
      continue;
    }
    let started: { id: string; minHealthyPercentage: number };
    try {
      started = await roller.start(pool);
    } catch (e) {
      return stop(index, [`${prefix} ${label}: could not start the ${roller.replacementName}: ${message(e)}`]);
    }
    report(
      `${prefix} ${label}: ${state.outdated} of ${state.instances} instance${state.instances === 1 ? "" : "s"} on an outdated launch template; rolling to version ${state.version} ` +
        `(${roller.replacementName} ${started.id}, at least ${started.minHealthyPercentage}% in service)`,
    );
    const begun = now();
    let last = "";
    for (;;) {
      let status: ReplacementStatus;
      try {
        status = await roller.status(pool, started.id);
      } catch (e) {
        return stop(index, [`${prefix} ${label}: could not read the ${roller.replacementName} ${started.id}: ${message(e)}; it may still be running`]);
      }
      const seen = `${status.status} ${status.percentComplete ?? ""}`;
      if (status.state === "succeeded") {
        report(`${prefix} ${label}: rolled in ${Math.round((now() - begun) / 1000)} s`);
        rolled.push(pool.name);
        break;
      }
      if (status.state === "failed") {
        return stop(index, [`${prefix} ${label}: the ${roller.replacementName} ${started.id} ended ${status.status}${status.reason ? `: ${status.reason}` : ""}`]);
      }
      if (seen !== last) report(`${prefix} ${label}: ${status.status}${status.percentComplete !== undefined ? `, ${status.percentComplete}% done` : ""}`);
      last = seen;
      if (now() - begun >= timeoutMs) {
        return stop(index, [
          `${prefix} ${label}: the ${roller.replacementName} ${started.id} is still ${status.status} after ${Math.round(timeoutMs / 1000)} s; kubeplane stops waiting (the cloud goes on with it)`,
        ]);
      }
      await sleep(pollMs);
    }
  }
  if (rolled.length === 0) report(`${prefix} every pool runs its launch template's version; nothing to roll`);
  return { rolled, upToDate, notRolled: [] };
}
