/**
 * Worker pools: `workers` is either one mapping (the single pool of older definitions, named
 * `default`, whose resources keep their addresses) or a list of pools, each an auto-scaling group
 * of its own. Labels and taints are checked the way Kubernetes checks them (apimachinery's
 * validation.IsQualifiedName / IsValidLabelValue, core's taint effects) and the kubelet's
 * self-labelling restriction (see KUBELET_LABEL_NAMESPACES).
 */
import { z } from "zod";
import { DEFAULTS } from "./defaults";

/** The most workers in a pool (min, desired and max alike). */
export const WORKERS_MAX_COUNT = 1000;
/** The name of the single pool a `workers:` mapping stands for. */
export const DEFAULT_POOL_NAME = "default";
/** Pool names are part of resource names (`kubeplane-<cluster>-workers-<pool>`): DNS-1123 labels, short. */
export const POOL_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const POOL_NAME_MAX_LENGTH = 20;

/**
 * A label or taint key as Kubernetes accepts it: an optional DNS-subdomain prefix (at most 253)
 * and `/`, then a name of at most 63 characters of alphanumerics, `-`, `_` and `.`, starting and
 * ending alphanumeric (k8s.io/apimachinery pkg/util/validation/validation.go: IsQualifiedName).
 */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name, or undefined when it is. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return `"${key}" has more than one "/": a key is [prefix/]name`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `"${key}": the prefix must be a DNS subdomain (lower-case, at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `"${key}": the name must be 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a label value (empty, or a qualified name's name part), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) {
    return `"${value}" must be empty or 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * The kubelet sets only these kubernetes.io / k8s.io labels on its own Node (--node-labels; the
 * NodeRestriction admission plugin refuses the rest): keys under these namespaces
 * (k8s.io/kubelet pkg/apis/well_known_labels.go: kubeletLabelNamespaces, LabelNamespaceSuffixKubelet
 * and LabelNamespaceSuffixNode). The well-known labels it also may set (kubernetes.io/hostname,
 * topology.kubernetes.io/zone, node.kubernetes.io/instance-type, ...) are the kubelet's and the
 * cloud controller's own; a pool may not set them. `node-role.kubernetes.io/*` is refused: a node
 * cannot give itself a role (cmd/kubelet/app/options/options.go refuses unknown kubernetes.io labels).
 */
export const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"] as const;

/** Why a node may not label itself with `key`, or undefined when it may. */
export function selfLabelProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const namespace = slash < 0 ? "" : key.slice(0, slash);
  const isKubernetes = ["kubernetes.io", "k8s.io"].some((d) => namespace === d || namespace.endsWith(`.${d}`));
  if (!isKubernetes) return undefined;
  if (KUBELET_LABEL_NAMESPACES.some((ns) => namespace === ns || namespace.endsWith(`.${ns}`))) return undefined;
  return (
    `"${key}" is in the ${namespace} namespace, which a kubelet may not set on its own Node (NodeRestriction); ` +
    `use your own prefix (e.g. example.com/role) or ${KUBELET_LABEL_NAMESPACES.map((n) => `${n}/…`).join(" or ")}`
  );
}

const labelKey = z.string().superRefine((key, ctx) => {
  const problem = qualifiedNameProblem(key) ?? selfLabelProblem(key);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const labelValue = z.string().superRefine((value, ctx) => {
  const problem = labelValueProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const taintKey = z.string().superRefine((key, ctx) => {
  const problem = qualifiedNameProblem(key);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A taint as the Node API takes it (core/v1 Taint: key, optional value, effect). */
const taint = z.strictObject({
  key: taintKey,
  value: labelValue.optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

const count = z
  .number()
  .int()
  .min(0, { message: "must not be negative" })
  .max(WORKERS_MAX_COUNT, { message: `must be at most ${WORKERS_MAX_COUNT} (kubeplane's largest worker pool)` });

/** Root volume size: a whole number of GiB, at least 1; each cloud has its own bounds. */
const volumeSize = z.number().int().min(1, { message: "must be at least 1 GiB" });

/**
 * Spot capacity: `onDemandBase` instances on demand, then `onDemandPercentageAboveBase` percent
 * of the rest on demand and the others spot (the cloud picks the strategy: AWS capacity-optimized).
 */
const spot = z.strictObject({
  onDemandBase: z.number().int().min(0, { message: "must not be negative" }).default(DEFAULTS.workers.spot.onDemandBase),
  onDemandPercentageAboveBase: z
    .number()
    .int()
    .min(0, { message: "must be a percentage, 0 to 100" })
    .max(100, { message: "must be a percentage, 0 to 100" })
    .default(DEFAULTS.workers.spot.onDemandPercentageAboveBase),
});

/** The fields every pool has, written as a list entry or as the single `workers:` mapping. */
const poolFields = {
  min: count.default(DEFAULTS.workers.min),
  desired: count.default(DEFAULTS.workers.desired),
  max: count.default(DEFAULTS.workers.max),
  /** One or more machine types (more than one only with `spot`, or for capacity). @default the cloud's */
  instanceTypes: z.array(z.string().min(1)).min(1, { message: "name at least one instance type" }).optional(),
  volumeSize: volumeSize.default(DEFAULTS.workers.volumeSize),
  /** Node labels applied at registration. @default {} */
  labels: z.record(labelKey, labelValue).default({}),
  /** Node taints applied at registration. @default [] */
  taints: z.array(taint).default([]),
  /** Mixed on-demand and spot capacity. @default on demand only */
  spot: spot.optional(),
  /** The cluster autoscaler owns the pool's desired size. @default false */
  autoscale: z.boolean().default(DEFAULTS.workers.autoscale),
  /** Zones (a subset of network.azs) the pool starts workers in. @default every zone of the network */
  zones: z.array(z.string().min(1)).min(1, { message: "name at least one zone" }).optional(),
};

/** `workers:` as one mapping: the pool `default` (and the singular `instanceType` of older definitions). */
export const singlePoolSchema = z.strictObject({
  ...poolFields,
  /** @default the cloud's (cloud-definition.ts: CloudDefaults) */
  instanceType: z.string().min(1).optional(),
});

/** One entry of `workers:` as a list. */
export const listedPoolSchema = z.strictObject({
  name: z
    .string()
    .max(POOL_NAME_MAX_LENGTH, { message: `must be at most ${POOL_NAME_MAX_LENGTH} characters (it is part of resource names)` })
    .regex(POOL_NAME_PATTERN, { message: "must be a DNS-1123 label: lower-case letters, digits and '-', starting with a letter" }),
  ...poolFields,
});

export const workersSchema = z
  .union([singlePoolSchema, z.array(listedPoolSchema).min(1, { message: "name at least one pool" })])
  .prefault({});

/** `workers:` as the schema gives it. */
export type WorkersField = z.output<typeof workersSchema>;
export type Taint = z.output<typeof taint>;

/** One pool with every default applied: what stacks read (`ClusterDefinition.workerPools`). */
export interface WorkerPoolDefinition {
  readonly name: string;
  /** Where the pool is written, for messages: `["workers"]` for the mapping, `["workers", i]` for a list entry. */
  readonly path: readonly (string | number)[];
  /** False for the mapping's pool: its resources keep the addresses of the single pool. */
  readonly listed: boolean;
  readonly min: number;
  readonly desired: number;
  readonly max: number;
  /** At least one; the first is the launch template's. */
  readonly instanceTypes: readonly string[];
  /** Where each of `instanceTypes` is written (the pool's path when it is the cloud's default). */
  readonly instanceTypePaths: readonly (readonly (string | number)[])[];
  readonly volumeSize: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly spot?: { readonly onDemandBase: number; readonly onDemandPercentageAboveBase: number };
  readonly autoscale: boolean;
  readonly zones?: readonly string[];
}

/** The pools of a `workers:` field, the cloud's default instance type filled in. */
export function workerPoolsOf(workers: WorkersField, defaultInstanceType: string): WorkerPoolDefinition[] {
  if (Array.isArray(workers)) {
    return workers.map((pool, i) => {
      const path = ["workers", i];
      const instanceTypes = pool.instanceTypes ?? [defaultInstanceType];
      const instanceTypePaths = pool.instanceTypes ? pool.instanceTypes.map((_, j) => [...path, "instanceTypes", j]) : [path];
      return { ...pool, path, listed: true, instanceTypes, instanceTypePaths };
    });
  }
  const { instanceType, instanceTypes: written, ...rest } = workers;
  const path = ["workers"];
  const instanceTypes = written ?? [instanceType ?? defaultInstanceType];
  const instanceTypePaths = written ? written.map((_, j) => [...path, "instanceTypes", j]) : [instanceType ? [...path, "instanceType"] : path];
  return [{ ...rest, name: DEFAULT_POOL_NAME, path, listed: false, instanceTypes, instanceTypePaths }];
}
