/**
 * The drain-on-termination scenarios' stubs on a simulated node (drain/kubectl, drain/curl): the
 * node's kubectl answers the drain's calls over the pods the test lists (evictions a disruption
 * budget refuses `pdbRefusals` times, or always), and its instance metadata reports the target
 * lifecycle state the emulator's auto-scaling group implies.
 */
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import * as path from "path";
import type { SimulatedNode } from "./simulated-node";

/** A pod on the draining node, as the drain's `kubectl get pods` lists it. */
export interface DrainPod {
  readonly namespace: string;
  readonly name: string;
  /** The kind of its first owner (DaemonSet pods are not evicted). */
  readonly owner?: string;
  /** The kubernetes.io/config.mirror annotation of a static pod's mirror (not evicted). */
  readonly mirror?: string;
  /** How many evictions its disruption budget refuses (429) before it allows one. @default 0 */
  readonly pdbRefusals?: number | "always";
}

const DRAIN_STUBS = path.join(__dirname, "drain");

/** Installs the drain stubs on `node` with `pods` on it; resolves the file they keep the pods in. */
export function installDrainStubs(node: SimulatedNode, pods: readonly DrainPod[]): { readonly env: NodeJS.ProcessEnv; podsLeft(): DrainPod[] } {
  const bin = path.join(node.directory, "bin");
  for (const stub of ["kubectl", "curl"]) {
    rmSync(path.join(bin, stub), { force: true });
    symlinkSync(path.join(DRAIN_STUBS, stub), path.join(bin, stub));
  }
  const file = path.join(node.directory, "drain-pods.json");
  writeFileSync(file, JSON.stringify(pods));
  return { env: { SIM_DRAIN_PODS: file }, podsLeft: () => JSON.parse(readFileSync(file, "utf8")) as DrainPod[] };
}
