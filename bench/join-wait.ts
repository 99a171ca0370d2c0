/**
 * Join wait in the node simulation: how long a worker takes from the start of its join loop to
 * running `kubeadm join`, with a fresh lease and with an expired one (refresh requested through
 * SSM Run Command, answered by the simulated control plane). Uses the node scripts' default
 * backoff (1 s, x1.5, at most 3 s), not the test suite's fast timings.
 *
 *   node -r @swc-node/register bench/join-wait.ts [runs]
 *
 * The emulator answers in milliseconds and the simulated control plane notices a request within
 * ~50 ms; on AWS, Run Command delivery adds a few seconds. Most of the remaining time is the
 * aws CLI starting up (about 0.5 s a call).
 */
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "../__tests__/support/emulator";
import { ControlPlaneResponder } from "../__tests__/support/node-simulation/control-plane-responder";
import { JoinLease, SimulatedCluster } from "../__tests__/support/node-simulation/simulated-cluster";
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
  /** From the first lease read to the SendCommand request. */
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

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const emulator = await startEmulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-join-wait-"));
  try {
    const cluster = await SimulatedCluster.create(emulator.env, dir, "bench", { ha: true });
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
      const responder = await new ControlPlaneResponder(cluster).start();
      const late = await cluster.launch("worker");
      const run = await late.run(BOOTSTRAP, [], DEFAULT_TIMINGS);
      await responder.stop();
      const s = sample(late, run);
      expired.push(s);
      const request = (await cluster.refreshRequests()).find((r) => r.Comment.includes(late.instance.instanceId));
      const answer = responder.answered[0];
      if (!request || !answer) throw new Error(`run ${i + 1}: the expired-lease worker did not go through a refresh:\n${run.stderr}`);
      const joinAt = (late.calls("kubeadm").find((c) => c.args[0] === "join") as RecordedCall).at;
      const preparedAt = joinAt - s.joinWaitMs;
      timelines.push({
        toRequestMs: Math.round(request.RequestedDateTime * 1000) - preparedAt,
        refreshMs: answer.run.durationMs,
        toJoinMs: joinAt - (answer.run.startedAt + answer.run.durationMs),
      });
      process.stderr.write(`run ${i + 1}/${runs}: fresh ${fresh[i].joinWaitMs} ms, expired ${expired[i].joinWaitMs} ms\n`);
    }

    const row = (name: string, samples: Sample[]) =>
      `${name.padEnd(14)} median join wait ${String(median(samples.map((s) => s.joinWaitMs))).padStart(6)} ms` +
      `   (min ${Math.min(...samples.map((s) => s.joinWaitMs))}, max ${Math.max(...samples.map((s) => s.joinWaitMs))})` +
      `   median bootstrap run ${median(samples.map((s) => s.runMs))} ms`;
    console.log(`join wait in the node simulation, ${runs} runs each, default backoff`);
    console.log(row("fresh lease", fresh));
    console.log(row("expired lease", expired));
    const part = (name: keyof RefreshTimeline) => `${median(timelines.map((t) => t[name]))} ms`;
    console.log(
      `  expired lease, medians: first read to refresh request ${part("toRequestMs")}, ` +
        `control-plane refresh run ${part("refreshMs")}, refresh done to join ${part("toJoinMs")}`,
    );
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
