/**
 * Join wait in the node simulation, for each join-lease backend: how long a worker takes from the
 * start of its join loop to running `kubeadm join`, with a fresh lease and with an expired one.
 * SSM: the refresh is requested through Run Command, which the simulated control plane notices
 * within ~50 ms (on AWS, Run Command delivery adds a few seconds). Secrets Manager: the worker
 * leaves a request record, which the simulated control plane answers the way its request timer
 * does, every 10 s (kubeplane-join-lease-requests.timer, OnUnitActiveSec=10s): up to 10 s more.
 * Uses the node scripts' default backoff (1 s, x1.5, at most 3 s), not the test suite's fast
 * timings, and the aws CLI as a process per call, as on a node (about 0.5 s a call).
 *
 *   node -r @swc-node/register bench/join-wait.ts [runs]
 */
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "../__tests__/support/emulator";
import { ControlPlaneResponder } from "../__tests__/support/node-simulation/control-plane-responder";
import { BackendKind, BACKENDS, JoinLease, SimulatedCluster } from "../__tests__/support/node-simulation/simulated-cluster";
import { FAST_JOIN_TIMINGS, RecordedCall, ScriptRun, SimulatedNode } from "../__tests__/support/node-simulation/simulated-node";

const BOOTSTRAP = "/usr/local/sbin/kubeplane-bootstrap";
/** Empty values make the scripts use their defaults. */
const DEFAULT_TIMINGS = Object.fromEntries(Object.keys(FAST_JOIN_TIMINGS).map((k) => [k, ""]));

interface Sample {
  /** From the end of the node's preparation (its first lease read) to `kubeadm join`. */
  joinWaitMs: number;
  /** The whole bootstrap run. */
  runMs: number;
}

/** Where an expired-lease join wait goes. */
interface RefreshTimeline {
  /** From the first lease read to the request (SSM: SendCommand; Secrets Manager: the start of the run that answers the record). */
  toRequestMs: number;
  /** The control plane's refresh run (the simulated Run Command starts it within ~50 ms). */
  refreshMs: number;
  /** From the end of the refresh to `kubeadm join` (the worker's next poll). */
  toJoinMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The join wait of a finished worker run: from the end of its preparation to its join. */
function sample(worker: SimulatedNode, run: ScriptRun): Sample {
  if (run.code !== 0) throw new Error(`worker ${worker.name} failed:\n${run.stderr}`);
  const calls = worker.calls();
  const join = calls.find((c) => c.command === "kubeadm" && c.args[0] === "join");
  const prepared = calls.filter((c) => c.command === "systemctl" && c.args.join(" ") === "enable --now kubelet").pop();
  if (!join || !prepared) throw new Error(`worker ${worker.name}: no join or no preparation recorded`);
  return { joinWaitMs: join.at - prepared.at, runMs: run.durationMs };
}

/** How often the simulated control plane looks for requests: Run Command at once, the request timer every 10 s. */
const RESPONDER_POLL_MS: Record<BackendKind, number> = { ssm: 50, secretsmanager: 10_000 };

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  // The aws CLI as a process per call, as on a node: its start-up is part of the wait.
  process.env.KUBEPLANE_SIM_AWS_CLI = "process";
  const emulator = await startEmulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-join-wait-"));
  try {
    for (const backend of BACKENDS) await measure(emulator.env, path.join(dir, backend), backend, runs);
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(env: NodeJS.ProcessEnv, dir: string, backend: BackendKind, runs: number): Promise<void> {
  const cluster = await SimulatedCluster.create(env, dir, `bench-${backend === "ssm" ? "ssm" : "sm"}`, { ha: true, backend });
  const init = await cluster.launch("control-plane-init");
  const initRun = await init.run(BOOTSTRAP);
  if (initRun.code !== 0) throw new Error(`control-plane init failed:\n${initRun.stderr}`);

  const fresh: Sample[] = [];
  const expired: Sample[] = [];
  const timelines: RefreshTimeline[] = [];
  for (let i = 0; i < runs; i++) {
    const worker = await cluster.launch("worker");
    fresh.push(sample(worker, await worker.run(BOOTSTRAP, [], DEFAULT_TIMINGS)));

    const lease = (await cluster.lease("worker")) as JoinLease;
    const now = Math.floor(Date.now() / 1000);
    await cluster.putLease("worker", { ...lease, createdAt: now - 50_000, expiresAt: now - 10 });
    const responder = await new ControlPlaneResponder(cluster, RESPONDER_POLL_MS[backend]).start();
    const late = await cluster.launch("worker");
    const run = await late.run(BOOTSTRAP, [], DEFAULT_TIMINGS);
    await responder.stop();
    const s = sample(late, run);
    expired.push(s);
    const answer = responder.answered[0];
    const requestedAt =
      backend === "ssm"
        ? (await cluster.refreshRequests()).find((r) => r.Comment.includes(late.instance.instanceId))?.RequestedDateTime
        : answer && answer.run.startedAt / 1000;
    if (requestedAt === undefined || !answer) throw new Error(`${backend} run ${i + 1}: the expired-lease worker did not go through a refresh:\n${run.stderr}`);
    const joinAt = (late.calls("kubeadm").find((c) => c.args[0] === "join") as RecordedCall).at;
    const preparedAt = joinAt - s.joinWaitMs;
    timelines.push({
      toRequestMs: Math.round(requestedAt * 1000) - preparedAt,
      refreshMs: answer.run.durationMs,
      toJoinMs: joinAt - (answer.run.startedAt + answer.run.durationMs),
    });
    process.stderr.write(`${backend} run ${i + 1}/${runs}: fresh ${fresh[i].joinWaitMs} ms, expired ${expired[i].joinWaitMs} ms\n`);
  }

  const row = (name: string, samples: Sample[]) =>
    `${name.padEnd(14)} median join wait ${String(median(samples.map((s) => s.joinWaitMs))).padStart(6)} ms` +
    `   (min ${Math.min(...samples.map((s) => s.joinWaitMs))}, max ${Math.max(...samples.map((s) => s.joinWaitMs))})` +
    `   median bootstrap run ${median(samples.map((s) => s.runMs))} ms`;
  console.log(`join wait in the node simulation, ${backend} backend, ${runs} runs each, default backoff`);
  console.log(row("fresh lease", fresh));
  console.log(row("expired lease", expired));
  const part = (name: keyof RefreshTimeline) => `${median(timelines.map((t) => t[name]))} ms`;
  console.log(
    `  expired lease, medians: first read to ${backend === "ssm" ? "refresh request" : "the timer's answer"} ${part("toRequestMs")}, ` +
      `control-plane refresh run ${part("refreshMs")}, refresh done to join ${part("toJoinMs")}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
