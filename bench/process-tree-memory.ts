/**
 * Samples the resident memory of a process and all its descendants from /proc while it runs:
 * the peak of their summed RSS (what the whole tree held at once, e.g. Jest and its workers)
 * and the peak of the largest single process (VmHWM, the kernel's own high-water mark).
 * Sampling can miss a peak between two samples or a descendant that lives shorter than the
 * interval; the interval is short next to the runs measured here. Linux only; elsewhere it
 * reports nothing.
 */
import { existsSync, readdirSync, readFileSync } from "fs";

/** What a sampler saw, in kibibytes. */
export interface TreeMemoryPeaks {
  /** Highest sum of VmRSS over the tree at one sample. */
  treeKb: number;
  /** Highest VmHWM of any one process of the tree. */
  largestProcessKb: number;
}

/** Whether this system has /proc to sample. */
export function canSampleProcessTree(): boolean {
  return existsSync("/proc/self/status");
}

function statusKb(status: string, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return ""; // the process ended between listing and reading
  }
}

/** The pid and every live descendant of it (children are listed per thread in /proc). */
function processTree(root: number): number[] {
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of threads) {
      for (const child of readOrEmpty(`/proc/${pid}/task/${tid}/children`).split(" ")) {
        if (child.trim() !== "") pending.push(Number(child));
      }
    }
  }
  return tree;
}

/** Samples the tree under `root` every `intervalMs` until stopped. */
export class ProcessTreeMemorySampler {
  private readonly peaks: TreeMemoryPeaks = { treeKb: 0, largestProcessKb: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    intervalMs = 20,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    let sum = 0;
    for (const pid of processTree(this.root)) {
      const status = readOrEmpty(`/proc/${pid}/status`);
      sum += statusKb(status, "VmRSS");
      this.peaks.largestProcessKb = Math.max(this.peaks.largestProcessKb, statusKb(status, "VmHWM"));
    }
    this.peaks.treeKb = Math.max(this.peaks.treeKb, sum);
  }

  /** Stops sampling and returns the peaks seen. */
  stop(): TreeMemoryPeaks {
    clearInterval(this.timer);
    return { ...this.peaks };
  }
}
