/**
 * Compute Engine machine types kubeplane knows: vCPUs, memory and architecture of the
 * general-purpose families people run Kubernetes on, so that a definition is checked at synth.
 * Figures from Google's "General-purpose machine family" tables,
 * https://cloud.google.com/compute/docs/general-purpose-machines (E2, N2, N2D, N4, C3, T2D, T2A).
 * Memory in MiB (Google gives GB, meaning GiB: 1 GB = 1024 MiB). T2A is Arm (arm64): listed so
 * that it is refused with the reason, not as unknown.
 */

/** One machine type. */
export interface GcpMachineType {
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly architecture: "x86_64" | "arm64";
}

const GIB = 1024;

function family(name: string, kind: string, gibPerVcpu: number, sizes: readonly number[], architecture: GcpMachineType["architecture"] = "x86_64"): [string, GcpMachineType][] {
  return sizes.map((vcpus) => [`${name}-${kind}-${vcpus}`, { vcpus, memoryMib: vcpus * gibPerVcpu * GIB, architecture }]);
}

/** Every machine type in the table, by name. */
export const GCP_MACHINE_TYPES: Readonly<Record<string, GcpMachineType>> = Object.fromEntries([
  // E2 shared-core: 2 vCPUs (time-shared) with 1, 2 and 4 GB.
  ["e2-micro", { vcpus: 2, memoryMib: 1 * GIB, architecture: "x86_64" }],
  ["e2-small", { vcpus: 2, memoryMib: 2 * GIB, architecture: "x86_64" }],
  ["e2-medium", { vcpus: 2, memoryMib: 4 * GIB, architecture: "x86_64" }],
  ...family("e2", "standard", 4, [2, 4, 8, 16, 32]),
  ...family("e2", "highmem", 8, [2, 4, 8, 16]),
  ...family("e2", "highcpu", 1, [2, 4, 8, 16, 32]),
  ...family("n2", "standard", 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
  ...family("n2", "highmem", 8, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
  ...family("n2", "highcpu", 1, [2, 4, 8, 16, 32, 48, 64, 80, 96]),
  ...family("n2d", "standard", 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224]),
  ...family("n4", "standard", 4, [2, 4, 8, 16, 32, 48, 64, 80]),
  ...family("c3", "standard", 4, [4, 8, 22, 44, 88, 176]),
  ...family("t2d", "standard", 4, [1, 2, 4, 8, 16, 32, 48, 60]),
  ...family("t2a", "standard", 4, [1, 2, 4, 8, 16, 32, 48], "arm64"),
]);

/** The families in the table, in its order (for messages). */
export const GCP_MACHINE_FAMILIES: readonly string[] = [...new Set(Object.keys(GCP_MACHINE_TYPES).map((t) => t.split("-")[0]))];

/** The smallest machine type of a vCPU-count-free description, for messages: the smallest standard type of a family. */
export function smallestStandardOf(familyName: string, minimum: { vcpus: number; memoryMib: number }): string | undefined {
  return Object.entries(GCP_MACHINE_TYPES)
    .filter(([name, t]) => name.startsWith(`${familyName}-standard-`) && t.vcpus >= minimum.vcpus && t.memoryMib >= minimum.memoryMib)
    .sort(([, a], [, b]) => a.vcpus - b.vcpus)[0]?.[0];
}
