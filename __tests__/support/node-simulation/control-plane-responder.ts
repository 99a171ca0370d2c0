/**
 * Plays the control plane's answer to refresh requests for the simulation.
 *
 * Secrets Manager (requests by record): plays the request timer (kubeplane-join-lease-requests.timer,
 * which systemd would run every 10 s): while the request record exists, runs
 * `LEASE_REFRESH_COMMAND --if-requested` on each running control-plane node, as their timers would.
 *
 * SSM: plays SSM Run Command: the emulator records SendCommand but runs nothing,
 * so this notices new refresh requests (`ssm list-commands`) and runs the refresh document's
 * command (LEASE_REFRESH_COMMAND, no arguments, as root) on the simulated control-plane nodes.
 *
 * moto 5.2.1 adds every instance of the region to a command's InstanceIds when it has no
 * Targets, so the recorded InstanceIds cannot say which node was asked. The responder therefore
 * answers on each running control-plane node of the cluster among them (the rotation lock lets
 * only one rotate); which node a joiner asked is asserted from the joiner's own log.
 */
import { LEASE_REFRESH_COMMAND } from "../../../bootstrap/user-data";
import { ScriptRun } from "./simulated-node";
import { SimulatedCluster } from "./simulated-cluster";

export interface AnsweredRequest {
  /** The Run Command id (SSM), or the request record's value (requests by record). */
  readonly commandId: string;
  readonly instanceId: string;
  readonly run: ScriptRun;
}

export class ControlPlaneResponder {
  readonly answered: AnsweredRequest[] = [];
  private readonly seen = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly pollMs = 50,
  ) {}

  /** Starts answering the requests sent from now on (earlier ones were answered or are stale). */
  async start(): Promise<this> {
    for (const request of await this.cluster.refreshRequests()) this.seen.add(request.CommandId);
    this.running = true;
    this.loop = this.poll();
    return this;
  }

  /** Stops polling; rejects if answering failed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.failure) throw this.failure;
  }

  private async poll(): Promise<void> {
    try {
      await this.answerUntilStopped();
    } catch (e) {
      this.failure = e;
    }
  }

  private async answerUntilStopped(): Promise<void> {
    if (this.cluster.backend !== "ssm") return this.answerRecordsUntilStopped();
    while (this.running) {
      for (const request of await this.cluster.refreshRequests()) {
        if (this.seen.has(request.CommandId)) continue;
        this.seen.add(request.CommandId);
        for (const instanceId of request.InstanceIds) {
          const node = this.cluster.nodes.get(instanceId);
          if (!node || node.role === "worker" || this.cluster.stopped.has(instanceId)) continue;
          const run = await node.run(LEASE_REFRESH_COMMAND);
          this.answered.push({ commandId: request.CommandId, instanceId, run });
        }
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async answerRecordsUntilStopped(): Promise<void> {
    while (this.running) {
      const request = await this.cluster.recordValue(this.cluster.refreshRequest);
      if (request !== undefined) {
        for (const [instanceId, node] of this.cluster.nodes) {
          if (node.role === "worker" || this.cluster.stopped.has(instanceId)) continue;
          const run = await node.run(LEASE_REFRESH_COMMAND, ["--if-requested"]);
          if (run.stderr.includes("asked for a fresh join lease at")) this.answered.push({ commandId: request, instanceId, run });
        }
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
