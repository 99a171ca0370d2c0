/** What the benchmark ran on: cores, memory, CPU model, Node.js version, and how busy it was. */
import { availableParallelism, cpus, loadavg, totalmem } from "os";

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  /** The 1-minute load average when asked: other work on the machine slows every figure. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    memoryGiB: totalmem() / 1024 ** 3,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    loadAverage: loadavg()[0],
  };
}
