/**
 * Every default of a cluster definition, in one place. A field left out of `clusters/<name>.yaml`
 * takes the value here; README.md's definition reference points at this file.
 */
export const DEFAULTS = {
  /**
   * The cloud the cluster runs on. Its block (`aws:` for `cloud: aws`) has no default; on AWS
   * `aws.ami` names the AMI nodes boot instead of Canonical's current Ubuntu LTS (the top-level
   * `ami` of older definitions still loads, with a warning). The cloud also gives the defaults
   * of the fields left to it (instance types) and checks its own limits: AWS's are in
   * providers/aws/aws-definition-limits.ts and aws-definition.ts.
   */
  cloud: "aws",
  /** SSM Session Manager is the way in; a bastion is opt-in. */
  bastion: false,
  network: {
    /**
     * The VPC's address space; each cloud has its bounds (AWS: a /16 to /24, since AWS allows
     * /16 to /28 and each subnet gets 1/16th of it and must be at least a /28). Explicit
     * `privateSubnets`/`publicSubnets` must lie in it and must not overlap each other, nor (on
     * AWS) the subnets carved for the list left out.
     */
    cidr: "10.0.0.0/16",
    /** Number of availability zones (at least 2), or an explicit list of zone names. */
    azs: 2,
    /** `single`: one NAT gateway for the cluster; `perAz`: one per zone, for zone-independent egress. */
    natGateways: "single",
    /**
     * Every flow of the VPC logged (CloudWatch Logs on AWS), kept `retentionDays` (on AWS one of
     * CloudWatch Logs' periods, CLOUDWATCH_LOGS_RETENTION_DAYS in providers/aws/aws-network.ts).
     * `enabled: false` is an explicit opt-out: the rule pack reports the VPC (KP-VPC-1) until a
     * suppression with a reason accepts it.
     */
    flowLogs: { enabled: true, retentionDays: 30 },
    /**
     * `extraEgress`: no default. Nodes reach the internet on HTTPS (443) and HTTP (80) only, and
     * anything inside the VPC; each entry `{ description, protocol: tcp|udp, fromPort, toPort, cidrs }`
     * or `{ description, protocol: all, cidrs }` adds a way out.
     */
    /**
     * The private DNS domain of the API's stable name: a Route53 private hosted zone
     * `<cluster>.<privateDnsZone>`, visible in the cluster's VPC only, holds `api.<cluster>.<privateDnsZone>`
     * (the internal load balancer of an HA control plane, or the single node's address), which every
     * node uses as the control-plane endpoint. `.internal` is reserved for private use (ICANN, 2024).
     */
    privateDnsZone: "kubeplane.internal",
  },
  kubernetes: {
    /**
     * Kubernetes version; kubelet, kubeadm and kubectl are pinned to it. One of the minors in
     * kubernetes-versions.ts (which also pins Calico, the kubeadm config API and containerd per
     * minor); this default is the newest patch there of 1.36: the newest minor with several
     * patch releases, tested by its Calico release (3.32), supported until 2027-06-28.
     */
    version: "1.36.5",
    /** kubeadm is the default; kURL takes only existing Replicated customers. */
    installer: "kubeadm",
    /**
     * Pod network (Calico's default pool), a /8 to /24, with a /24 for every node the cluster may
     * have (controlPlane.count + workers.max; a /16 holds 256). Must not overlap the VPC or the
     * service network.
     */
    podCidr: "192.168.0.0/16",
    /** Service network (kubeadm's default), a /12 (the largest kube-apiserver accepts) to /24. */
    serviceCidr: "10.96.0.0/12",
  },
  controlPlane: {
    /**
     * 1, or an odd number of 3 to 7 for an HA control plane behind a load balancer (at most 7:
     * etcd's recommended largest cluster); an HA control plane needs at least as many zones.
     */
    count: 1,
    /** `instanceType`: the cloud's default (AWS: t3.medium, providers/aws/aws-definition.ts). */
    /** Root volume size in GiB (always encrypted); the cloud's bounds (AWS: 8 to 16384). */
    volumeSize: 50,
    /**
     * The API load balancer(s) (internal for HA, internet-facing for publicApi):
     * `deletionProtection: true` makes AWS refuse to delete them until it is turned off again.
     * Off by default (a destroy would fail); the rule pack warns (KP-NET-6) about a balancer without it.
     */
    apiLoadBalancer: { deletionProtection: false },
  },
  /**
   * `workers`: one mapping (the pool `default`) or a list of pools, each with a `name` (unique, a
   * DNS label of at most 20 characters). Each pool's size: 0 <= min <= desired <= max <= 1000.
   * `instanceTypes`: one or more (the cloud's default); `labels` and `taints` are applied when the
   * node registers (keys under kubernetes.io / k8s.io only in node.kubernetes.io or
   * kubelet.kubernetes.io); `zones`: a subset of the network's (all of them). `autoscale: true`
   * leaves the desired size to the cluster autoscaler.
   */
  workers: {
    min: 1,
    desired: 2,
    max: 3,
    /**
     * `spot: {}` mixes spot capacity in: `onDemandBase` instances on demand, then
     * `onDemandPercentageAboveBase` percent of the rest (0: all spot above the base).
     */
    spot: { onDemandBase: 0, onDemandPercentageAboveBase: 0 },
    autoscale: false,
    /** `instanceType`: the cloud's default (AWS: t3.large, providers/aws/aws-definition.ts). */
    /** Root volume size in GiB (always encrypted); the cloud's bounds (AWS: 8 to 16384). */
    volumeSize: 50,
  },
  joinTokens: {
    /**
     * Where the control plane publishes the join lease, when the cloud gives no default of its
     * own (AWS: `ssm`, or `secretsmanager`; GCP: `gcp-secret-manager`, its default).
     */
    backend: "ssm",
    /** Lifetime of a join token; the control plane rotates it before half of this has passed. */
    ttlHours: 24,
  },
  state: {
    /**
     * `local`: one state file per stack in the stack's working directory. Remote state is the
     * cloud's: `s3` on AWS (bucket, key, region), `gcs` on GCP (bucket, prefix; GCS locks natively).
     */
    backend: "local",
  },
  backups: {
    /**
     * etcd snapshots of the control plane, taken by a timer on the control-plane nodes (one node
     * at a time: the etcd leader), verified, and kept in the cluster's backup store (AWS: a
     * versioned, KMS-encrypted S3 bucket only the control plane may use). `enabled: false` makes
     * no store and no timer.
     */
    enabled: true,
    /** Time between two snapshots: minutes or hours (`15m`, `1h`), 5m to 24h. */
    interval: "1h",
    /** Days a snapshot is kept (the store expires older ones), 1 to 366. */
    retentionDays: 14,
    /**
     * Whether `destroy` keeps the backup store and its snapshots (the way back after a mistaken
     * destroy). `false`: destroy empties and removes it.
     */
    keepOnDestroy: true,
  },
} as const;

/** The S3 state key prefix for a cluster; each stack's state is `<prefix>/<stack>.tfstate`. */
export function defaultStateKey(clusterName: string): string {
  return `kubeplane/${clusterName}`;
}
