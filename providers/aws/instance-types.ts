/**
 * EC2 instance types kubeplane knows: vCPUs, memory and architecture of the families people run
 * Kubernetes on, so that a definition is checked at synth instead of failing on the node.
 *
 * Figures from AWS's "Amazon EC2 instance types" specifications:
 * - general purpose (t2, t3, t3a, t4g, m5, m5a, m6a, m6g, m6i, m7g, m7i):
 *   https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 * - compute optimized (c5, c6g, c6i, c7g, c7i): https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html
 * - memory optimized (r5, r6g, r6i, r7g, r7i): https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html
 * Memory is in MiB (AWS gives GiB: 0.5 GiB = 512 MiB). Graviton families (t4g, m6g, m7g, c6g,
 * c7g, r6g, r7g) are arm64: listed so that they are refused with the reason, not as unknown.
 */

export type InstanceArchitecture = "x86_64" | "arm64";

/** One EC2 instance type. */
export interface Ec2InstanceType {
  readonly vcpus: number;
  /** Memory in MiB, as AWS documents it (the OS sees a little less: the kernel reserves some). */
  readonly memoryMib: number;
  readonly architecture: InstanceArchitecture;
}

const GIB = 1024;

/** vCPUs of the sizes whose vCPU count follows from the name (`4xlarge` = 16). */
const SIZE_VCPUS: Readonly<Record<string, number>> = {
  medium: 1,
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "9xlarge": 36,
  "12xlarge": 48,
  "16xlarge": 64,
  "18xlarge": 72,
  "24xlarge": 96,
  "32xlarge": 128,
  "48xlarge": 192,
};

/**
 * A family with a fixed GiB-per-vCPU ratio (m: 4, c: 2, r: 8). `sizes` are named sizes of the
 * family; `metal` maps its bare-metal sizes to their vCPUs.
 */
function family(
  name: string,
  architecture: InstanceArchitecture,
  gibPerVcpu: number,
  sizes: readonly string[],
  metal: Readonly<Record<string, number>> = {},
): [string, Ec2InstanceType][] {
  const named = sizes.map((size): [string, number] => {
    const vcpus = SIZE_VCPUS[size];
    if (vcpus === undefined) throw new Error(`instance-types: no vCPU count for size ${size}`);
    return [size, vcpus];
  });
  return [...named, ...Object.entries(metal)].map(([size, vcpus]) => [`${name}.${size}`, { vcpus, memoryMib: vcpus * gibPerVcpu * GIB, architecture }]);
}

/** Burstable families: vCPUs and GiB per size, the same for t3, t3a and t4g. */
function burstable(name: string, architecture: InstanceArchitecture, sizes: Readonly<Record<string, [number, number]>>): [string, Ec2InstanceType][] {
  return Object.entries(sizes).map(([size, [vcpus, gib]]) => [`${name}.${size}`, { vcpus, memoryMib: gib * GIB, architecture }]);
}

const T3_SIZES: Readonly<Record<string, [number, number]>> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};
const T2_SIZES: Readonly<Record<string, [number, number]>> = {
  nano: [1, 0.5],
  micro: [1, 1],
  small: [1, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};

const UP_TO_8XL = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"] as const;
const GRAVITON_SIZES = ["medium", ...UP_TO_8XL, "12xlarge", "16xlarge"] as const;

/** Every instance type kubeplane knows, by name. */
export const EC2_INSTANCE_TYPES: Readonly<Record<string, Ec2InstanceType>> = Object.fromEntries([
  ...burstable("t2", "x86_64", T2_SIZES),
  ...burstable("t3", "x86_64", T3_SIZES),
  ...burstable("t3a", "x86_64", T3_SIZES),
  ...burstable("t4g", "arm64", T3_SIZES),
  ...family("m5", "x86_64", 4, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge"], { metal: 96 }),
  ...family("m5a", "x86_64", 4, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge"]),
  ...family("m6i", "x86_64", 4, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "32xlarge"], { metal: 128 }),
  ...family("m6a", "x86_64", 4, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge"], { metal: 192 }),
  ...family("m7i", "x86_64", 4, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "48xlarge"], { "metal-24xl": 96, "metal-48xl": 192 }),
  ...family("m6g", "arm64", 4, GRAVITON_SIZES, { metal: 64 }),
  ...family("m7g", "arm64", 4, GRAVITON_SIZES, { metal: 64 }),
  ...family("c5", "x86_64", 2, ["large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"], { metal: 96 }),
  ...family("c6i", "x86_64", 2, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "32xlarge"], { metal: 128 }),
  ...family("c7i", "x86_64", 2, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "48xlarge"], { "metal-24xl": 96, "metal-48xl": 192 }),
  ...family("c6g", "arm64", 2, GRAVITON_SIZES, { metal: 64 }),
  ...family("c7g", "arm64", 2, GRAVITON_SIZES, { metal: 64 }),
  ...family("r5", "x86_64", 8, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge"], { metal: 96 }),
  ...family("r6i", "x86_64", 8, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "32xlarge"], { metal: 128 }),
  ...family("r7i", "x86_64", 8, [...UP_TO_8XL, "12xlarge", "16xlarge", "24xlarge", "48xlarge"], { "metal-24xl": 96, "metal-48xl": 192 }),
  ...family("r6g", "arm64", 8, GRAVITON_SIZES, { metal: 64 }),
  ...family("r7g", "arm64", 8, GRAVITON_SIZES, { metal: 64 }),
]);

/** The families in the table, in its order (for messages). */
export const INSTANCE_FAMILIES: readonly string[] = [...new Set(Object.keys(EC2_INSTANCE_TYPES).map((t) => t.split(".")[0]))];

/**
 * kubeadm's preflight minimum for a control-plane node, checked by `kubeadm init` and
 * `kubeadm join --control-plane` (kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go,
 * InitNodeChecks: NumCPUCheck{NumCPU: ControlPlaneNumCPU} and MemCheck{Mem: ControlPlaneMem};
 * cmd/kubeadm/app/constants/constants.go: ControlPlaneNumCPU = 2, ControlPlaneMem = 1700). MemCheck
 * (checks_linux.go) compares sysinfo's total RAM / 1024 / 1024 with it: MiB, which kubeadm calls
 * MB. A worker's `kubeadm join` (JoinNodeChecks) checks neither.
 */
export const KUBEADM_CONTROL_PLANE_MINIMUM = { vcpus: 2, memoryMib: 1700 } as const;

/** Whether a type meets kubeadm's control-plane minimum. */
export function meetsControlPlaneMinimum(type: Ec2InstanceType): boolean {
  return type.vcpus >= KUBEADM_CONTROL_PLANE_MINIMUM.vcpus && type.memoryMib >= KUBEADM_CONTROL_PLANE_MINIMUM.memoryMib;
}
