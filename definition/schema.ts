/**
 * The schema of a cluster definition (`clusters/<name>.yaml`): field types, allowed values,
 * defaults (from defaults.ts) and the rules that tie fields together: what holds on every
 * cloud. Each cloud's limits (regions, zones, name lengths, volume sizes, VPC prefixes, ...),
 * its defaults (instance types) and its block (`aws:`) live with the cloud in providers/; the
 * loader applies them once the definition's cloud is known (cloud-definition.ts).
 */
import { z } from "zod";
import { parseCidr } from "./cidr";
import { CLOUD_NAMES, CloudName } from "./cloud-definition";
import { crossFieldProblems } from "./cross-field-rules";
import { DEFAULTS } from "./defaults";
import { kubernetesSupportFor, minorOf, supportedKubernetesRange } from "./kubernetes-versions";
import { WorkerPoolDefinition, workersSchema } from "./worker-pools";

/**
 * Names are DNS-1123 labels (they are part of the API's DNS name and of resource names), at
 * most 63 characters; a cloud may allow fewer (AWS: 28, for its load balancer names).
 */
export const CLUSTER_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const CLUSTER_NAME_MAX_LENGTH = 63;

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

/**
 * How many days flow logs are kept: a whole number of at least 1 (kept for a period, never
 * forever). Each cloud takes its own periods (AWS: those CloudWatch Logs accepts).
 */
const flowLogRetentionDays = z.number().int().min(1, { message: "must be at least 1 day" });

/**
 * An extra egress rule for the nodes: a description that says why (each cloud takes its own
 * characters and length: AWS what EC2 accepts), `tcp`/`udp` with a port range, or `all` (every
 * protocol and port, no ports), and IPv4 destinations.
 */
const egressPort = z.number().int().min(1, { message: "must be a port, 1 to 65535" }).max(65535, { message: "must be a port, 1 to 65535" });
const egressCommon = {
  description: z.string().refine((d) => d.trim() !== "", { message: "must say why the nodes need this way out" }),
  cidrs: z.array(cidr).min(1, { message: "name at least one destination" }),
};
const egressRule = z.discriminatedUnion("protocol", [
  z.strictObject({ ...egressCommon, protocol: z.literal("all") }),
  z
    .strictObject({ ...egressCommon, protocol: z.enum(["tcp", "udp"]), fromPort: egressPort, toPort: egressPort })
    .refine((r) => r.fromPort <= r.toPort, { path: ["toPort"], message: "must not be before fromPort" }),
]);

/**
 * The private DNS domain the API's name lives under (`api.<cluster>.<privateDnsZone>`): lower-case
 * DNS labels; the API's name must fit DNS's 253 characters with the cluster's name
 * (cross-field-rules.ts).
 */
const privateDnsZone = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
    message: "must be a DNS name like kubeplane.internal: lower-case labels of letters, digits and '-' (not at either end), separated by dots, no trailing dot",
  });

/** Root volume size: a whole number of GiB, at least 1; each cloud has its own bounds (AWS: gp3's, 8 to 16384). */
const volumeSize = z.number().int().min(1, { message: "must be at least 1 GiB" });
/** The most control-plane nodes: etcd's recommended largest cluster (every write waits for a quorum). */
export const CONTROL_PLANE_MAX_COUNT = 7;
export { WORKERS_MAX_COUNT } from "./worker-pools";
const count = (max: number, why: string) =>
  z.number().int().min(0, { message: "must not be negative" }).max(max, { message: `must be at most ${max} (${why})` });
const controlPlaneCount = count(CONTROL_PLANE_MAX_COUNT, "etcd's recommended largest cluster; every write waits for a quorum");

const kubernetesVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+$/, { message: `must be a full Kubernetes version like "${DEFAULTS.kubernetes.version}" (quote it in YAML)` })
  // Only the minors of the supported-versions table: kubeadm, Calico and containerd are pinned per minor there.
  .superRefine((version, ctx) => {
    const minor = minorOf(version);
    if (minor && !kubernetesSupportFor(version)) {
      ctx.addIssue({
        code: "custom",
        message: `Kubernetes ${minor} is not supported by kubeplane; supported minors: ${supportedKubernetesRange()} (got ${JSON.stringify(version)})`,
      });
    }
  });

/**
 * Tags (labels) for everything the cluster makes. `kubeplane:` keys are kubeplane's own; each
 * cloud has its own rules for the rest (AWS: at most 128/256 characters, `aws:` reserved; GCP
 * labels would be lower-case and at most 63).
 */
const tags = z.record(
  z
    .string()
    .min(1)
    .refine((k) => !/^kubeplane:/i.test(k), { message: 'tag keys starting with "kubeplane:" are reserved' }),
  z.string(),
);

/**
 * Each cloud's block (`aws: { ... }`): a mapping the neutral schema passes through for that cloud
 * to validate (providers/aws/aws-definition.ts for `aws:`); a block of another cloud than the
 * definition's is an error (cross-field-rules.ts). @default none
 */
const cloudBlock = z.record(z.string(), z.unknown());
const cloudBlocks = Object.fromEntries(CLOUD_NAMES.map((name) => [name, cloudBlock.optional()])) as { [name in CloudName]: z.ZodOptional<typeof cloudBlock> };

/** The longest etcd snapshot retention, in days (a year and a day: kept for a period, never forever). */
export const BACKUP_RETENTION_MAX_DAYS = 366;
/** The shortest and longest time between two etcd snapshots, in minutes. */
export const BACKUP_INTERVAL_MINUTES = { min: 5, max: 24 * 60 } as const;

/** `15m`, `1h`, `6h`: minutes or hours, as systemd timers take them; 5 minutes to 24 hours. */
export function backupIntervalMinutes(interval: string): number | undefined {
  const m = /^([1-9][0-9]*)(m|h)$/.exec(interval);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "h" ? 60 : 1);
}
const backupInterval = z.string().superRefine((value, ctx) => {
  const minutes = backupIntervalMinutes(value);
  if (minutes === undefined) ctx.addIssue({ code: "custom", message: `must be minutes or hours like "15m" or "1h" (got ${JSON.stringify(value)})` });
  else if (minutes < BACKUP_INTERVAL_MINUTES.min || minutes > BACKUP_INTERVAL_MINUTES.max) {
    ctx.addIssue({ code: "custom", message: `must be from 5m to 24h (got ${JSON.stringify(value)})` });
  }
});

const stateSchema = z.discriminatedUnion("backend", [
  z.strictObject({
    backend: z.literal("local"),
  }),
  z.strictObject({
    backend: z.literal("s3"),
    /** The (existing) bucket that holds the state. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be a valid S3 bucket name" }),
    /** Key prefix; each stack's state is `<key>/<stack>.tfstate`. @default kubeplane/<name> */
    key: z.string().min(1).optional(),
    /** The bucket's region. @default the cluster's region */
    region: z.string().min(1).optional(),
  }),
  z.strictObject({
    backend: z.literal("gcs"),
    /**
     * The (existing) GCS bucket that holds the state; GCS locks it natively. Names as GCS takes
     * them: https://cloud.google.com/storage/docs/buckets#naming (3-63 characters without dots).
     */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, { message: "must be a valid GCS bucket name (3-63 lower-case letters, digits, '-' and '_')" }),
    /** Object prefix; each stack's state is `<prefix>/<stack>/default.tfstate`. @default kubeplane/<name> */
    prefix: z.string().min(1).optional(),
  }),
]);

/**
 * An exception to one security rule for one resource. `resource` is the resource's construct
 * path (`prod-cluster/firewall/api-lb`, or within its stack `firewall/api-lb`) or its Terraform
 * address (`aws_security_group.firewall_api-lb_BF350E8C`); synth lists every suppression used.
 */
const suppressionSchema = z.strictObject({
  rule: z.string().regex(/^KP-[A-Z0-9]+-\d+$/, { message: "must be a rule id like KP-NET-2" }),
  resource: z.string().trim().min(1, { message: "must name the resource: its construct path or Terraform address" }),
  reason: z
    .string()
    .trim()
    .min(10, { message: "must explain why the exception is acceptable (at least 10 characters)" }),
});

export const clusterDefinitionSchema = z
  .strictObject({
    name: z
      .string()
      .max(CLUSTER_NAME_MAX_LENGTH, { message: `must be at most ${CLUSTER_NAME_MAX_LENGTH} characters (a DNS label)` })
      .regex(CLUSTER_NAME_PATTERN, { message: "must be a DNS-1123 label: lower-case letters, digits and '-', starting with a letter" }),
    cloud: z.enum(CLOUD_NAMES).default(DEFAULTS.cloud),
    region: z.string().min(1),
    network: z
      .strictObject({
        cidr: cidr.default(DEFAULTS.network.cidr),
        azs: z
          .union([
            z.number().int().min(2, { message: "at least 2 availability zones" }),
            z.array(z.string().min(1)).min(2, { message: "at least 2 availability zones" }),
          ])
          .default(DEFAULTS.network.azs),
        natGateways: z.enum(["single", "perAz"]).default(DEFAULTS.network.natGateways),
        /** Explicit private subnet CIDRs, one per zone. @default carved from `cidr` */
        privateSubnets: z.array(cidr).optional(),
        /** Explicit public subnet CIDRs, one per zone. @default carved from `cidr` */
        publicSubnets: z.array(cidr).optional(),
        /** VPC flow logs; see defaults.ts. */
        flowLogs: z
          .strictObject({
            enabled: z.boolean().default(DEFAULTS.network.flowLogs.enabled),
            retentionDays: flowLogRetentionDays.default(DEFAULTS.network.flowLogs.retentionDays),
          })
          .prefault({}),
        /** More ways out for the nodes; see defaults.ts. @default none */
        extraEgress: z.array(egressRule).optional(),
        /** The private DNS domain of the API's name; see defaults.ts. */
        privateDnsZone: privateDnsZone.default(DEFAULTS.network.privateDnsZone),
      })
      .prefault({}),
    bastion: z.boolean().default(DEFAULTS.bastion),
    kubernetes: z
      .strictObject({
        version: kubernetesVersion.default(DEFAULTS.kubernetes.version),
        installer: z.enum(["kubeadm", "kurl"]).default(DEFAULTS.kubernetes.installer),
        podCidr: cidr.default(DEFAULTS.kubernetes.podCidr),
        serviceCidr: cidr.default(DEFAULTS.kubernetes.serviceCidr),
        kurl: z
          .strictObject({
            /** The pinned kURL installer, e.g. https://k8s.kurl.sh/abc1234 (never `latest`). */
            installerUrl: z
              .string()
              .regex(/^https:\/\/[^\s]+\/[A-Za-z0-9]+$/, { message: "must be a pinned kURL installer URL like https://k8s.kurl.sh/abc1234" })
              .refine((u) => !/\/latest$/.test(u), { message: "must be pinned to an installer id, not 'latest'" }),
          })
          .optional(),
      })
      .prefault({}),
    controlPlane: z
      .strictObject({
        count: controlPlaneCount.default(DEFAULTS.controlPlane.count),
        /** @default the cloud's (cloud-definition.ts: CloudDefaults) */
        instanceType: z.string().min(1).optional(),
        volumeSize: volumeSize.default(DEFAULTS.controlPlane.volumeSize),
        /**
         * Opt-in public API endpoint: an internet-facing load balancer reachable only from these
         * CIDRs, each a /8 or narrower, together at most a /8's worth of addresses.
         */
        publicApi: z
          .strictObject({
            allowedCidrs: z.array(cidr).min(1, { message: "name at least one CIDR allowed to reach the API" }),
          })
          .optional(),
        /** The API load balancer(s) of an HA control plane or a public API; see defaults.ts. */
        apiLoadBalancer: z
          .strictObject({
            deletionProtection: z.boolean().default(DEFAULTS.controlPlane.apiLoadBalancer.deletionProtection),
          })
          .prefault({}),
      })
      .prefault({}),
    /** One pool (a mapping, the pool `default`) or a list of named pools: worker-pools.ts. */
    workers: workersSchema,
    joinTokens: z
      .strictObject({
        /** @default the cloud's (CloudDefaults.joinTokens: `ssm` on AWS, `gcp-secret-manager` on GCP) */
        backend: z.enum(["ssm", "secretsmanager", "gcp-secret-manager"]).optional(),
        ttlHours: z.number().int().min(1).max(168, { message: "at most 168 hours (7 days)" }).default(DEFAULTS.joinTokens.ttlHours),
      })
      .prefault({}),
    state: stateSchema.prefault({ backend: DEFAULTS.state.backend }),
    /** etcd snapshots of the control plane to the cluster's backup store; see defaults.ts. */
    backups: z
      .strictObject({
        enabled: z.boolean().default(DEFAULTS.backups.enabled),
        interval: backupInterval.default(DEFAULTS.backups.interval),
        retentionDays: z
          .number()
          .int()
          .min(1, { message: "must be at least 1 day" })
          .max(BACKUP_RETENTION_MAX_DAYS, { message: `must be at most ${BACKUP_RETENTION_MAX_DAYS} days` })
          .default(DEFAULTS.backups.retentionDays),
        keepOnDestroy: z.boolean().default(DEFAULTS.backups.keepOnDestroy),
      })
      .prefault({}),
    tags: tags.default({}),
    /**
     * Deprecated: the AWS block's `aws.ami`, from before clouds had blocks. Only a cloud that
     * moves it into its block (DefinitionCloud.migrateDefinition) accepts it, with a warning.
     */
    ami: z.string().optional(),
    ...cloudBlocks,
    /** Exceptions to the security rule pack, each with a reason. @default none */
    suppressions: z.array(suppressionSchema).optional(),
  })
  // Cross-field rules run even when some fields are invalid, so that every problem in a file is
  // reported at once; they read the value defensively.
  .superRefine((value, ctx) => {
    for (const p of crossFieldProblems(value)) ctx.addIssue({ code: "custom", path: [...p.path], message: p.message });
  }, { when: () => true });

/**
 * A definition as the neutral schema gives it: every neutral default applied, the fields left
 * to the cloud (instance types) possibly unset, the deprecated top-level `ami` still there.
 */
export type NeutralDefinition = z.output<typeof clusterDefinitionSchema>;

/**
 * A validated cluster definition with every default applied, the cloud's included (the loader
 * applies them once the cloud is known): what stacks read.
 */
export type ClusterDefinition = Omit<NeutralDefinition, "ami" | "controlPlane" | "joinTokens"> & {
  controlPlane: NeutralDefinition["controlPlane"] & { instanceType: string };
  /** `joinTokens` with the cloud's default store applied. */
  joinTokens: Required<NeutralDefinition["joinTokens"]>;
  /** `workers` as pools, every default applied (worker-pools.ts: workerPoolsOf); `workers` stays as written. */
  workerPools: readonly WorkerPoolDefinition[];
};
