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

/** Whether the kernel lists each thread's children (CONFIG_PROC_CHILDREN); else scan /proc. */
const LISTS_CHILDREN = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/** The children of a pid, from /proc/<pid>/task/<tid>/children. */
function listedChildren(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((tid) =>
    readOrEmpty(`/proc/${pid}/task/${tid}/children`)
      .split(" ")
      .filter((child) => child.trim() !== "")
      .map(Number),
  );
}

/** Every process's children, from the parent pid in /proc/<pid>/stat (after the parenthesized name). */
function childrenByScan(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!Number.isFinite(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  return children;
}

/** The pid and every live descendant of it. */
function processTree(root: number): number[] {
  const scanned = LISTS_CHILDREN ? undefined : childrenByScan();
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(scanned ? (scanned.get(pid) ?? []) : listedChildren(pid)));
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
