/**
 * The schema of a cluster definition (`clusters/<name>.yaml`): field types, allowed values,
 * defaults (from defaults.ts) and the rules that tie fields together. Cloud-specific checks
 * (regions, zones) live with each cloud in providers/.
 */
import { z } from "zod";
import { parseCidr } from "./cidr";
import { crossFieldProblems } from "./cross-field-rules";
import { DEFAULTS } from "./defaults";
import { kubernetesSupportFor, minorOf, supportedKubernetesRange } from "./kubernetes-versions";

/** Names are DNS-1123 labels; 28 characters at most, since they are part of load balancer names (32). */
export const CLUSTER_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const CLUSTER_NAME_MAX_LENGTH = 28;

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

/**
 * The retention periods (days) flow logs may be kept: exactly those CloudWatch Logs accepts
 * (PutRetentionPolicy, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html),
 * without 0 ("never expire"). providers/aws/aws-network.ts checks the same list; a test keeps them equal.
 */
export const FLOW_LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const flowLogRetentionDays = z.number().refine((d) => (FLOW_LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be one of the retention periods CloudWatch Logs accepts: ${FLOW_LOG_RETENTION_DAYS.join(", ")}`,
});

/**
 * An extra egress rule for the nodes: a description (the characters EC2 accepts in one, at most
 * 255), `tcp`/`udp` with a port range, or `all` (every protocol and port, no ports), and IPv4
 * destinations.
 */
const egressPort = z.number().int().min(1, { message: "must be a port, 1 to 65535" }).max(65535, { message: "must be a port, 1 to 65535" });
const egressCommon = {
  description: z
    .string()
    .regex(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/, { message: "must be 1-255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (what EC2 accepts)" })
    .refine((d) => d.trim() !== "", { message: "must say why the nodes need this way out" }),
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
 * DNS labels, short enough that the API's name fits DNS's 253 characters with the longest cluster
 * name (4 + 29 characters of `api.<cluster>.`).
 */
export const PRIVATE_DNS_ZONE_MAX_LENGTH = 253 - "api.".length - CLUSTER_NAME_MAX_LENGTH - 1;
const privateDnsZone = z
  .string()
  .max(PRIVATE_DNS_ZONE_MAX_LENGTH, { message: `must be at most ${PRIVATE_DNS_ZONE_MAX_LENGTH} characters (the API's name api.<cluster>.<zone> must fit DNS's 253)` })
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
    message: "must be a DNS name like kubeplane.internal: lower-case labels of letters, digits and '-' (not at either end), separated by dots, no trailing dot",
  });

/**
 * Root volume size in GiB: at least 8 (the Ubuntu image's root snapshot, and what the node
 * hardening in providers/ requires), at most 16384 (gp3's largest volume, 16 TiB).
 */
export const VOLUME_SIZE_MIN_GIB = 8;
export const VOLUME_SIZE_MAX_GIB = 16384;
const volumeSize = z
  .number()
  .int()
  .min(VOLUME_SIZE_MIN_GIB, { message: `must be at least ${VOLUME_SIZE_MIN_GIB} GiB (the machine image's root snapshot)` })
  .max(VOLUME_SIZE_MAX_GIB, { message: `must be at most ${VOLUME_SIZE_MAX_GIB} GiB (gp3's largest volume)` });
/** The most control-plane nodes: etcd's recommended largest cluster (every write waits for a quorum). */
export const CONTROL_PLANE_MAX_COUNT = 7;
/** The most workers in the pool (min, desired and max alike). */
export const WORKERS_MAX_COUNT = 1000;
const count = (max: number, why: string) =>
  z.number().int().min(0, { message: "must not be negative" }).max(max, { message: `must be at most ${max} (${why})` });
const controlPlaneCount = count(CONTROL_PLANE_MAX_COUNT, "etcd's recommended largest cluster; every write waits for a quorum");
const workerCount = count(WORKERS_MAX_COUNT, "kubeplane's largest worker pool");

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

const tags = z.record(
  z
    .string()
    .min(1)
    .max(128)
    .refine((k) => !/^(aws|kubeplane):/i.test(k), { message: 'tag keys starting with "aws:" or "kubeplane:" are reserved' }),
  z.string().max(256),
);

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
      .max(CLUSTER_NAME_MAX_LENGTH, { message: `must be at most ${CLUSTER_NAME_MAX_LENGTH} characters (it is part of load balancer names)` })
      .regex(CLUSTER_NAME_PATTERN, { message: "must be a DNS-1123 label: lower-case letters, digits and '-', starting with a letter" }),
    cloud: z.enum(["aws"]).default(DEFAULTS.cloud),
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
        instanceType: z.string().min(1).default(DEFAULTS.controlPlane.instanceType),
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
    workers: z
      .strictObject({
        min: workerCount.default(DEFAULTS.workers.min),
        desired: workerCount.default(DEFAULTS.workers.desired),
        max: workerCount.default(DEFAULTS.workers.max),
        instanceType: z.string().min(1).default(DEFAULTS.workers.instanceType),
        volumeSize: volumeSize.default(DEFAULTS.workers.volumeSize),
      })
      .prefault({}),
    joinTokens: z
      .strictObject({
        backend: z.enum(["ssm"]).default(DEFAULTS.joinTokens.backend),
        ttlHours: z.number().int().min(1).max(168, { message: "at most 168 hours (7 days)" }).default(DEFAULTS.joinTokens.ttlHours),
      })
      .prefault({}),
    state: stateSchema.prefault({ backend: DEFAULTS.state.backend }),
    tags: tags.default({}),
    ami: z.string().regex(/^ami-[0-9a-z]{8,17}$/, { message: "must be an AMI id like ami-0123456789abcdef0" }).optional(),
    /** Exceptions to the security rule pack, each with a reason. @default none */
    suppressions: z.array(suppressionSchema).optional(),
  })
  // Cross-field rules run even when some fields are invalid, so that every problem in a file is
  // reported at once; they read the value defensively.
  .superRefine((value, ctx) => {
    for (const p of crossFieldProblems(value)) ctx.addIssue({ code: "custom", path: [...p.path], message: p.message });
  }, { when: () => true });

/** A validated cluster definition with every default applied. */
export type ClusterDefinition = z.output<typeof clusterDefinitionSchema>;
