/**
 * The node roles' synthesized IAM policies, evaluated with AWS's own action data (iam-data) by an
 * IAM evaluator (iam-simulate, AGPL, test-only): moto does not evaluate IAM, so this is where the
 * policies are proven rather than assumed. For each example cluster (and prod and dev with the
 * Secrets Manager backend, joinTokens.backend: secretsmanager):
 *  1. every AWS call the node scripts make (read from bootstrap/node/) and every call the SSM agent
 *     makes is allowed, for the role that makes it, on the resource it is made on;
 *  2. what a compromised worker or control-plane node must not do is denied;
 *  3. every Allow in the node policies is used by some call in (1), or listed with a reason.
 */
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { AWS_EXAMPLES, exampleDefinition, ExampleName, PROJECT_ROOT, synthesizeCluster } from "../../support/examples";
import { ClusterModel, clusterModel, ModelInstance, ModelRole, NodeKind } from "../../support/iam/cluster-model";
import { callKey, iamActionOf, NodeCall, nodeScriptCalls } from "../../support/iam/node-calls";
import { evaluate, IamDecision, IamRequest } from "../../support/iam/simulate";
import { deploymentOf, resolveReference, resolveReferences } from "../../support/iam/terraform-references";

const NODE_DIR = path.join(PROJECT_ROOT, "bootstrap", "node");
const NOW = "2026-12-01T23:00:00Z";

// ---------------------------------------------------------------------------------------------
// The context AWS supplies.

/** The node's session: instance-profile credentials are an assumed-role session named after the instance. */
const sessionArn = (m: ClusterModel, role: ModelRole, self: ModelInstance) => `arn:${m.at.partition}:sts::${m.at.account}:assumed-role/${role.name}/${self.id}`;

/**
 * Keys AWS adds to every request signed with an instance profile's credentials
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html:
 * aws:PrincipalArn is the role's ARN for an assumed-role session; aws:EC2InstanceSourceVPC,
 * aws:EC2InstanceSourcePrivateIPv4 and ec2:SourceInstanceARN come with EC2 role credentials,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html).
 */
function callerContext(m: ClusterModel, role: ModelRole, self: ModelInstance): Record<string, string | string[]> {
  return {
    "aws:PrincipalArn": role.arn,
    "aws:PrincipalAccount": m.at.account,
    "aws:PrincipalType": "AssumedRole",
    "aws:userid": `AROA3EXAMPLEROLEID000:${self.id}`,
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": m.at.region,
    "aws:CurrentTime": NOW,
    "aws:EC2InstanceSourceVPC": m.vpcId,
    "aws:EC2InstanceSourcePrivateIPv4": self.privateIp,
    "ec2:SourceInstanceARN": self.arn,
  };
}

/**
 * Tags of the resource a request is on, under the global key and the key of the action's service
 * (Systems Manager spells it `ssm:resourceTag/`: Service Authorization Reference, Systems Manager
 * condition keys; SendCommand on an instance reads the instance's tags through it).
 */
function resourceTagContext(action: string, tags: Readonly<Record<string, string>> = {}): Record<string, string> {
  const service = action.split(":")[0];
  const serviceKey = service === "ssm" ? "ssm:resourceTag" : `${service}:ResourceTag`;
  return Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], [`${serviceKey}/${k}`, v]]));
}

/**
 * Parameter Store calls KMS on the caller's behalf, with the caller's identity: Encrypt when a
 * standard SecureString parameter is written, Decrypt when it is read with decryption, with the
 * parameter's ARN as encryption context
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html);
 * kms:ViaService is then `ssm.<region>.amazonaws.com`
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
function kmsThroughSsm(m: ClusterModel, action: string, keyArn: string, parameterArn: string, base: Record<string, string | string[]>) {
  return {
    action,
    resource: keyArn,
    context: {
      ...base,
      "kms:ViaService": `ssm.${m.at.region}.amazonaws.com`,
      "kms:CallerAccount": m.at.account,
      "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
      "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
      "kms:EncryptionContextKeys": ["PARAMETER_ARN"],
      "aws:ViaAWSService": "true",
    },
  };
}

/**
 * Secrets Manager calls KMS on the caller's behalf, with the caller's identity: GenerateDataKey
 * when it encrypts a new secret value (PutSecretValue, CreateSecret with a value), Decrypt when it
 * reads one (GetSecretValue), with the secret's ARN and version as encryption context
 * ("Secret encryption and decryption in AWS Secrets Manager",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html);
 * kms:ViaService is then `secretsmanager.<region>.amazonaws.com`.
 */
function kmsThroughSecretsManager(m: ClusterModel, action: string, keyArn: string, secretArn: string, base: Record<string, string | string[]>) {
  return {
    action,
    resource: keyArn,
    context: {
      ...base,
      "kms:ViaService": `secretsmanager.${m.at.region}.amazonaws.com`,
      "kms:CallerAccount": m.at.account,
      "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
      "kms:EncryptionContext:SecretARN": secretArn,
      "kms:EncryptionContextKeys": ["SecretARN", "SecretVersionId"],
      "aws:ViaAWSService": "true",
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Which resource each node-script call targets.

/** One resource a call acts on. `secure`: a SecureString parameter (reads and writes go through KMS). */
interface Target {
  readonly arn: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly secure?: boolean;
  /** The tags the call sets (`--tags`), as AWS receives them. */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** An SSE-KMS object of the backup bucket: the KMS call S3 makes for the caller. */
  readonly backupKms?: string;
  /** Service keys of the request (s3:prefix for ListBucket). */
  readonly context?: Readonly<Record<string, string>>;
}
/** One invocation of a call: all its resources are authorized, each with the call's action. */
interface Invocation {
  readonly what: string;
  readonly targets: Target[];
}
type TargetsFor = (m: ClusterModel, self: ModelInstance) => Invocation[];

/**
 * Parameter names the scripts build from KUBEPLANE_PARAMETER_PATH (each checked against the
 * script that builds it, below). `$NODE_INSTANCE_ID` and the slot stand for the node's values.
 */
const DERIVED_PARAMETERS = {
  rotationLock: { suffix: "/join/rotation-lock", file: "refresh-join-lease.sh" },
  controlPlaneRefreshRequest: { suffix: "/join/control-plane-refresh-request", file: "common.sh" },
  refreshRequest: { suffix: "/refresh/request", file: "common.sh" },
  controlPlaneJoinLock: { suffix: "/join/control-plane-join-lock", file: "join.sh" },
  clusterClaim: { suffix: "/cluster/claim", file: "bootstrap.sh" },
  status: { suffix: "/status/$NODE_INSTANCE_ID", file: "status.sh" },
  replacementSlot: { suffix: "/status/replacements/$hour-$n", file: "status.sh" },
  // The same slots, taken by the bundle loader for a worker whose bundle cannot be installed.
  loaderReplacementSlot: { suffix: "/status/replacements/$hour-$n", file: "bundle/s3.sh" },
  backupStatus: { suffix: "/status/etcd-backup", file: "etcd-common.sh" },
  // kubeplane etcd restore's request: the snapshot a new first control-plane node restores.
  restoreRequest: { suffix: "/cluster/restore", file: "bootstrap.sh" },
  // kubeplane kubeconfig's hand-back: the encrypted kubeconfig's parts, their count, or the error.
  handBack: { suffix: "/access/$handback", file: "mint-kubeconfig.sh" },
} as const;

function parameters(m: ClusterModel, self?: ModelInstance) {
  const setting = (name: string) => {
    const value = m.settings[name];
    if (!value) throw new Error(`${m.name}: the control plane's user data has no ${name}`);
    return value;
  };
  const p = (name: string, secure: boolean): Target => ({ arn: m.recordArn(name), secure });
  const root = setting("KUBEPLANE_PARAMETER_PATH");
  const derived = (d: keyof typeof DERIVED_PARAMETERS) =>
    p(root + DERIVED_PARAMETERS[d].suffix.replace("$NODE_INSTANCE_ID", self?.id ?? "i-0unknown").replace("$hour-$n", "493295-1").replace("$handback", "0123456789abcdef0123456789abcdef/1"), false);
  return {
    workerLease: p(setting("KUBEPLANE_WORKER_JOIN_PARAMETER"), true),
    controlPlaneLease: p(setting("KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"), true),
    rotationLock: derived("rotationLock"),
    controlPlaneRefreshRequest: derived("controlPlaneRefreshRequest"),
    refreshRequest: derived("refreshRequest"),
    controlPlaneJoinLock: derived("controlPlaneJoinLock"),
    clusterClaim: derived("clusterClaim"),
    ownStatus: derived("status"),
    replacementSlot: derived("replacementSlot"),
    backupStatus: derived("backupStatus"),
    restoreRequest: derived("restoreRequest"),
    handBack: derived("handBack"),
  };
}
type ParameterName = keyof ReturnType<typeof parameters>;
/** The cluster's tag, which nodes put on every record they write (backends/ssm.sh ssm_cluster_tag, backends/secretsmanager.sh). */
const clusterTag = (m: ClusterModel) => ({ "kubeplane:cluster": m.name });
const on = (m: ClusterModel, self: ModelInstance, names: (ParameterName | false)[], requestTags?: Record<string, string>): Invocation[] =>
  names.filter((n): n is ParameterName => n !== false).map((n) => ({ what: n, targets: [{ ...parameters(m, self)[n], requestTags }] }));
const instanceTarget = (i: ModelInstance): Target => ({ arn: i.arn, tags: i.tags });
const refreshOn = (m: ClusterModel, cps: ModelInstance[]): Invocation[] =>
  cps.map((cp) => ({ what: `refresh document on ${cp.id}`, targets: [{ arn: m.documentArn }, instanceTarget(cp)] }));
type Backend = ClusterModel["backend"];
/** A row's targets on clusters of one backend only (a call of backends/<backend>.sh runs only there). */
const only = (backend: Backend, targets: TargetsFor): TargetsFor => (m, self) => (m.backend === backend ? targets(m, self) : []);
const onBackend = (backend: Backend, by: Partial<Record<NodeKind, TargetsFor>>): Partial<Record<NodeKind, TargetsFor>> =>
  Object.fromEntries(Object.entries(by).map(([k, f]) => [k, only(backend, f!)]));
const ssmOnly = (by: Partial<Record<NodeKind, TargetsFor>>) => onBackend("ssm", by);
const smOnly = (by: Partial<Record<NodeKind, TargetsFor>>) => onBackend("secretsmanager", by);

/** The backup bucket (issue 15), named in the control plane's settings; rows apply where backups are on. */
const backupBucketArn = (m: ClusterModel) => `arn:${m.at.partition}:s3:::${m.settings.KUBEPLANE_BACKUP_BUCKET}`;
const backupObjects = (m: ClusterModel) => [
  { what: "a snapshot", arn: `${backupBucketArn(m)}/etcd/20261201T230000Z-${m.instances["control-plane"][0].id}.db` },
  { what: "the PKI", arn: `${backupBucketArn(m)}/pki/pki.tar.gz` },
];
const backupsOnly = (by: Partial<Record<NodeKind, TargetsFor>>): Partial<Record<NodeKind, TargetsFor>> =>
  Object.fromEntries(Object.entries(by).map(([k, f]) => [k, (m: ClusterModel, self: ModelInstance) => (m.settings.KUBEPLANE_BACKUP_BUCKET ? f!(m, self) : [])]));
/** A role's node bundle (issue 14) in the cluster's bundle bucket (named in the control plane's settings). */
const nodeBundleArn = (m: ClusterModel, role: string) =>
  `arn:${m.at.partition}:s3:::${m.settings.KUBEPLANE_BUNDLE_BUCKET}/bundles/${role}-${"0".repeat(64)}.tar.gz`;
/** The case a model was built from (its synthesized stack). */
const caseOf = (m: ClusterModel): CaseName => (m.backend === "secretsmanager" ? `${m.name} (secretsmanager)` : m.name) as CaseName;
/** The backup bucket's key and its policy, from the synthesized stack. */
function backupKey(m: ClusterModel): { arn: string; policy: IamRequest["resourcePolicy"] } {
  const json = synthesized[caseOf(m)].clusterJson;
  const at = deploymentOf(json);
  const [id, key] = Object.entries(json.resource.aws_kms_key ?? {}).find(([, k]) => String(k.description).includes("etcd snapshots"))!;
  return { arn: resolveReference(json, `aws_kms_key.${id}.arn`, { ...at, ...m.at }), policy: JSON.parse(resolveReferences(json, String(key.policy), { ...at, ...m.at })) };
}
/**
 * S3 calls KMS on the caller's behalf for SSE-KMS objects: GenerateDataKey on PutObject, Decrypt
 * on GetObject, with the object's ARN as encryption context (aws:s3:arn) and kms:ViaService
 * `s3.<region>.amazonaws.com` ("How Amazon S3 uses AWS KMS",
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-s3.html).
 */
function kmsThroughS3(m: ClusterModel, action: string, objectArn: string, base: Record<string, string | string[]>) {
  const key = backupKey(m);
  return {
    action,
    resource: key.arn,
    resourcePolicy: key.policy,
    context: { ...base, "kms:ViaService": `s3.${m.at.region}.amazonaws.com`, "kms:CallerAccount": m.at.account, "kms:EncryptionContext:aws:s3:arn": objectArn, "kms:EncryptionContextKeys": ["aws:s3:arn"], "aws:ViaAWSService": "true" },
  };
}

/**
 * The explicit table: for each call in the node scripts (`<function>: <service> <operation>`),
 * which role makes it on which resources. A call missing here fails the suite, naming it.
 * Rows that only a joining control-plane node makes (join lock, refresh request, the
 * control-plane lease) apply to HA clusters only.
 */
const CALL_TARGETS: Record<string, { why: string; by: Partial<Record<NodeKind, TargetsFor>> }> = {
  "backend_put: ssm put-parameter": {
    why: "refresh-join-lease.sh publishes the join leases (SecureString, the cluster's key)",
    by: ssmOnly({ "control-plane": (m, self) => on(m, self, ["workerLease", m.ha && "controlPlaneLease"]) }),
  },
  "backend_record: ssm put-parameter": {
    why: "status.sh records the node's bootstrap status in status/<instance-id> (String); etcd-common.sh the last etcd backup in status/etcd-backup",
    by: ssmOnly({ "control-plane": (m, self) => on(m, self, ["ownStatus", "backupStatus", "clusterClaim"]), worker: (m, self) => on(m, self, ["ownStatus"]) }),
  },
  "ssm_tag: ssm add-tags-to-resource": {
    why: "parameters overwritten by backend_put and backend_record get the cluster's tag afterwards",
    by: ssmOnly({
      "control-plane": (m, self) => on(m, self, ["workerLease", m.ha && "controlPlaneLease", "ownStatus", "backupStatus", "clusterClaim"], clusterTag(m)),
      worker: (m, self) => on(m, self, ["ownStatus"], clusterTag(m)),
    }),
  },
  "backend_get: ssm get-parameter": {
    why: "joiners read their lease; lock.sh reads locks; refresh-join-lease.sh the leases and the refresh request; bootstrap.sh the claim",
    by: ssmOnly({
      worker: (m, self) => on(m, self, ["workerLease"]),
      "control-plane": (m, self) =>
        on(m, self, ["workerLease", "rotationLock", "clusterClaim", "restoreRequest", m.ha && "controlPlaneLease", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"]),
    }),
  },
  "backend_create: ssm put-parameter": {
    why: "created only if absent, tagged: locks (lock.sh), the cluster claim (bootstrap.sh), a control-plane joiner's refresh request (join.sh), a worker's replacement slot (status.sh), a kubeconfig hand-back (mint-kubeconfig.sh)",
    by: ssmOnly({
      "control-plane": (m, self) => on(m, self, ["rotationLock", "clusterClaim", "handBack", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"], clusterTag(m)),
      worker: (m, self) => on(m, self, ["replacementSlot"], clusterTag(m)),
    }),
  },
  "backend_delete: ssm delete-parameter": {
    why: "lock.sh removes its own or an expired lock; refresh-join-lease.sh the refresh request it served",
    by: ssmOnly({ "control-plane": (m, self) => on(m, self, ["rotationLock", "restoreRequest", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"]) }),
  },
  "backend_request_refresh: ec2 describe-instances": {
    why: "a joiner finds the cluster's running control-plane nodes (a wildcard-only action)",
    by: ssmOnly({ worker: () => [{ what: "all instances", targets: [{ arn: "*" }] }], "control-plane": (m) => (m.ha ? [{ what: "all instances", targets: [{ arn: "*" }] }] : []) }),
  },
  "backend_request_refresh: ssm send-command": {
    why: "a joiner asks one running control-plane node to run the refresh document",
    by: ssmOnly({
      worker: (m) => refreshOn(m, m.instances["control-plane"]),
      "control-plane": (m, self) => (m.ha ? refreshOn(m, m.instances["control-plane"].filter((cp) => cp.id !== self.id)) : []),
    }),
  },
  "backend_put: secretsmanager put-secret-value": {
    why: "refresh-join-lease.sh publishes the join leases: a new version of the secrets Terraform made empty, under the cluster's key",
    by: smOnly({ "control-plane": (m, self) => on(m, self, ["workerLease", m.ha && "controlPlaneLease"]) }),
  },
  "backend_record: secretsmanager put-secret-value": {
    why: "status.sh records the node's bootstrap status again (a new version of status/<instance-id>); etcd-common.sh the last etcd backup",
    by: smOnly({ "control-plane": (m, self) => on(m, self, ["ownStatus", "backupStatus", "clusterClaim"]), worker: (m, self) => on(m, self, ["ownStatus"]) }),
  },
  "backend_get: secretsmanager get-secret-value": {
    why: "joiners read their lease; lock.sh reads locks; refresh-join-lease.sh the leases and the refresh requests; bootstrap.sh the claim",
    by: smOnly({
      worker: (m, self) => on(m, self, ["workerLease"]),
      "control-plane": (m, self) =>
        on(m, self, ["workerLease", "rotationLock", "clusterClaim", "restoreRequest", "refreshRequest", m.ha && "controlPlaneLease", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"]),
    }),
  },
  "backend_create: secretsmanager create-secret": {
    why: "created only if absent, tagged, under aws/secretsmanager: locks, the claim, status records (backend_record's first write), the refresh requests (backend_request_refresh, join.sh), a worker's replacement slot",
    by: smOnly({
      "control-plane": (m, self) =>
        on(m, self, ["rotationLock", "clusterClaim", "ownStatus", "backupStatus", "handBack", m.ha && "refreshRequest", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"], clusterTag(m)),
      worker: (m, self) => on(m, self, ["replacementSlot", "ownStatus", "refreshRequest"], clusterTag(m)),
    }),
  },
  "backend_delete: secretsmanager delete-secret": {
    why: "lock.sh removes its own or an expired lock; refresh-join-lease.sh the refresh requests it answered",
    by: smOnly({ "control-plane": (m, self) => on(m, self, ["rotationLock", "restoreRequest", "refreshRequest", m.ha && "controlPlaneRefreshRequest", m.ha && "controlPlaneJoinLock"]) }),
  },
  "backup_store_put: s3api put-object": {
    why: "etcd-snapshot.sh uploads the snapshot under etcd/ and the PKI under pki/ (SSE-KMS by the bucket's default: S3 asks KMS for a data key as the caller)",
    by: backupsOnly({ "control-plane": (m) => backupObjects(m).map((o) => ({ what: o.what, targets: [{ arn: o.arn, backupKms: "kms:GenerateDataKey" }] })) }),
  },
  "backup_store_get: s3api get-object": {
    why: "etcd-restore.sh downloads a snapshot and the PKI (S3 decrypts with the bucket's key as the caller)",
    by: backupsOnly({ "control-plane": (m) => backupObjects(m).map((o) => ({ what: o.what, targets: [{ arn: o.arn, backupKms: "kms:Decrypt" }] })) }),
  },
  "backup_store_meta: s3api head-object": {
    why: "the SHA-256 recorded with a snapshot or the PKI (HeadObject is authorized as s3:GetObject)",
    by: backupsOnly({ "control-plane": (m) => backupObjects(m).map((o) => ({ what: o.what, targets: [{ arn: o.arn }] })) }),
  },
  "backup_store_list: s3api list-objects-v2": {
    why: "the snapshots under etcd/ (retention, restore's latest)",
    by: backupsOnly({ "control-plane": (m) => [{ what: "the snapshot list", targets: [{ arn: backupBucketArn(m), context: { "s3:prefix": "etcd/" } }] }] }),
  },
  "backup_store_delete: s3api delete-object": {
    why: "etcd-snapshot.sh removes snapshots older than backups.retentionDays (a delete marker: the versions stay until the lifecycle expires them)",
    by: backupsOnly({ "control-plane": (m) => [{ what: "an expired snapshot", targets: [{ arn: backupObjects(m)[0].arn }] }] }),
  },
  "etcd_cloud_live_nodes: ec2 describe-instances": {
    why: "a joining control-plane node finds the cluster's live control-plane instances before removing dead etcd members (a wildcard-only action)",
    by: { "control-plane": (m) => (m.ha ? [{ what: "all instances", targets: [{ arn: "*" }] }] : []) },
  },
  "cloud_tag_node: ec2 create-tags": {
    why: "status.sh tags the node's own instance kubeplane:bootstrap=ready|failed: <step>",
    by: {
      "control-plane": (_m, self) => [{ what: "own instance", targets: [{ ...instanceTarget(self), requestTags: { "kubeplane:bootstrap": "ready" } }] }],
      worker: (_m, self) => [{ what: "own instance", targets: [{ ...instanceTarget(self), requestTags: { "kubeplane:bootstrap": "failed: joining the cluster" } }] }],
    },
  },
  "<top level>: s3api get-object": {
    why: "first boot: the loader (bundle/s3.sh) fetches the node's own role's bundle from the cluster's bundle bucket",
    by: {
      worker: (m) => [{ what: "the worker bundle", targets: [{ arn: nodeBundleArn(m, "worker") }] }],
      "control-plane": (m) => [{ what: "the first control-plane node's bundle", targets: [{ arn: nodeBundleArn(m, "control-plane-init") }] }],
    },
  },
  "termination_group: autoscaling describe-auto-scaling-instances": {
    why: "a terminating worker finds its auto-scaling group, to complete the drain hook's action (Describe* take no resource: *)",
    by: { worker: () => [{ what: "any (a describe call)", targets: [{ arn: "*" }] }] },
  },
  "termination_complete: autoscaling complete-lifecycle-action": {
    why: "a drained worker lets its group terminate it (the pool's termination hook)",
    by: {
      worker: (m) => {
        if (!m.workerGroup) throw new Error(`${m.name}: no workers' auto-scaling group`);
        return [{ what: "workers' group", targets: [{ arn: m.workerGroup.arn, tags: m.workerGroup.tags }] }];
      },
    },
  },
  "take_slot: ssm put-parameter": {
    why: "the bundle loader (bundle/s3.sh) takes a replacement slot for a worker whose bundle cannot be installed: created only if absent, tagged, as backend_create",
    by: ssmOnly({ worker: (m, self) => on(m, self, ["replacementSlot"], clusterTag(m)) }),
  },
  "take_slot: secretsmanager create-secret": {
    why: "the bundle loader's replacement slot with the Secrets Manager backend (backend_create's call)",
    by: smOnly({ worker: (m, self) => on(m, self, ["replacementSlot"], clusterTag(m)) }),
  },
  "heal: ec2 create-tags": {
    why: "the bundle loader tags a worker whose bundle cannot be installed kubeplane:bootstrap=failed: fetching the node bundle",
    by: { worker: (_m, self) => [{ what: "own instance", targets: [{ ...instanceTarget(self), requestTags: { "kubeplane:bootstrap": "failed: fetching the node bundle" } }] }] },
  },
  "heal: autoscaling set-instance-health": {
    why: "the bundle loader marks a worker whose bundle cannot be installed unhealthy in its auto-scaling group",
    by: {
      worker: (m) => {
        if (!m.workerGroup) throw new Error(`${m.name}: no workers' auto-scaling group`);
        return [{ what: "workers' group", targets: [{ arn: m.workerGroup.arn, tags: m.workerGroup.tags }] }];
      },
    },
  },
  "cloud_replace_node: autoscaling set-instance-health": {
    why: "a failed worker marks itself unhealthy in its auto-scaling group (control-plane nodes are not in one)",
    by: {
      worker: (m) => {
        if (!m.workerGroup) throw new Error(`${m.name}: no workers' auto-scaling group`);
        return [{ what: "workers' group", targets: [{ arn: m.workerGroup.arn, tags: m.workerGroup.tags }] }];
      },
    },
  },
};

/** A variable reference in a call's option (`"$KUBEPLANE_KMS_KEY_ID"`), read from the node's settings. */
function optionValue(m: ClusterModel, call: NodeCall, option: string): string {
  const raw = call.options[option];
  const variable = /^\$\{?([A-Z0-9_]+)\}?$/.exec(raw ?? "");
  if (!variable) throw new Error(`${callKey(call)}: ${option} is "${raw}", not a setting this test can read`);
  const value = m.settings[variable[1]];
  if (!value) throw new Error(`${callKey(call)}: ${option} reads ${variable[1]}, which the node settings do not hold`);
  return value;
}

/** Context for tags a request sets (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html#access_tags_control-requests). */
function requestTagContext(tags: Readonly<Record<string, string>>): Record<string, string | string[]> {
  return { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) };
}

/** The IAM requests one invocation of a call makes, as AWS authorizes them. */
async function requestsOf(m: ClusterModel, role: ModelRole, self: ModelInstance, call: NodeCall, invocation: Invocation): Promise<IamRequest[]> {
  const action = await iamActionOf(call);
  const base = callerContext(m, role, self);
  const principal = sessionArn(m, role, self);
  const requests: IamRequest[] = [];
  for (const target of invocation.targets) {
    if ("--tags" in call.options && !target.requestTags) throw new Error(`${callKey(call)} (${call.file}:${call.line}) sets --tags: the table must say which (requestTags)`);
    const context: Record<string, string | string[]> = { ...base, ...resourceTagContext(action, target.tags), ...(target.requestTags ? requestTagContext(target.requestTags) : {}), ...target.context };
    if (action === "ssm:PutParameter") context["ssm:Overwrite"] = "--overwrite" in call.options ? "true" : "false";
    requests.push({ principal, action, resource: target.arn, context });
    // Tags on a new parameter are added with AddTagsToResource's permission as well: AWS refuses
    // PutParameter with Tags without it ("not authorized to perform: ssm:AddTagsToResource" on
    // creating a tagged parameter, https://github.com/aws-amplify/amplify-cli/issues/13530).
    if (action === "ssm:PutParameter" && target.requestTags) requests.push({ principal, action: "ssm:AddTagsToResource", resource: target.arn, context: { ...base, ...requestTagContext(target.requestTags) } });
    // Likewise CreateSecret with Tags needs secretsmanager:TagResource (CreateSecret, "Required permissions").
    if (action === "secretsmanager:CreateSecret" && target.requestTags) requests.push({ principal, action: "secretsmanager:TagResource", resource: target.arn, context: { ...base, ...requestTagContext(target.requestTags) } });
    if (target.backupKms) requests.push({ principal, ...kmsThroughS3(m, target.backupKms, target.arn, base) });
    if (!target.secure) continue;
    if (action === "secretsmanager:PutSecretValue") {
      requests.push({ principal, ...kmsThroughSecretsManager(m, "kms:GenerateDataKey", m.keyArn, target.arn, base), resourcePolicy: m.keyPolicy });
    } else if (action === "secretsmanager:GetSecretValue") {
      requests.push({ principal, ...kmsThroughSecretsManager(m, "kms:Decrypt", m.keyArn, target.arn, base), resourcePolicy: m.keyPolicy });
    } else if (action === "ssm:PutParameter") {
      if (call.options["--type"] !== "SecureString") throw new Error(`${callKey(call)}: writes the SecureString ${target.arn} with --type ${call.options["--type"]}`);
      const keyArn = optionValue(m, call, "--key-id");
      requests.push({ principal, ...kmsThroughSsm(m, "kms:Encrypt", keyArn, target.arn, base), resourcePolicy: keyArn === m.keyArn ? m.keyPolicy : undefined });
    } else if (action === "ssm:GetParameter" && "--with-decryption" in call.options) {
      requests.push({ principal, ...kmsThroughSsm(m, "kms:Decrypt", m.keyArn, target.arn, base), resourcePolicy: m.keyPolicy });
    }
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------
// The SSM agent's calls.

/**
 * What the SSM agent calls, from AWS's docs, not from the project's policy:
 * - Session Manager's minimum instance permissions: ssm:UpdateInstanceInformation and the four
 *   ssmmessages channel actions ("Create a custom IAM role for Session Manager",
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html);
 * - Run Command's agent operations on the ec2messages endpoint and the agent's association calls
 *   ssm:ListInstanceAssociations and ssm:UpdateInstanceAssociationStatus ("Reference: ec2messages,
 *   ssmmessages, and other API operations",
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html).
 * The ssm actions are made on the agent's own instance; the others are wildcard-only.
 */
const AGENT_CALLS: { action: string; onOwnInstance: boolean }[] = [
  { action: "ssm:UpdateInstanceInformation", onOwnInstance: true },
  { action: "ssm:ListInstanceAssociations", onOwnInstance: true },
  { action: "ssm:UpdateInstanceAssociationStatus", onOwnInstance: true },
  ...["CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel"].map((a) => ({ action: `ssmmessages:${a}`, onOwnInstance: false })),
  ...["AcknowledgeMessage", "DeleteMessage", "FailMessage", "GetEndpoint", "GetMessages", "SendReply"].map((a) => ({ action: `ec2messages:${a}`, onOwnInstance: false })),
];

/**
 * Grants that no call in the table exercises, each with why it stays. A grant not used and not
 * listed here fails the suite.
 */
const UNUSED_WITH_REASON: Record<string, { readonly backend: "ssm" | "secretsmanager"; readonly why: string }> = {
  "JoinLeaseEncryption kms:GenerateDataKey": {
    backend: "ssm",
    why: "Parameter Store encrypts advanced-tier SecureString parameters by envelope encryption (GenerateDataKey) and standard ones with Encrypt (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html); put-parameter without --tier takes the account's default tier, which may be advanced or intelligent-tiering",
  },
};

// ---------------------------------------------------------------------------------------------
// Evaluation.

interface Evaluated {
  readonly label: string;
  readonly requests: IamRequest[];
  readonly decisions: IamDecision[];
}
const allowed = (e: Evaluated) => e.decisions.every((d) => d.result === "Allowed");
const describe1 = (e: Evaluated) =>
  `${e.label}: ${e.requests.map((r, i) => `${r.action} on ${r.resource} → ${e.decisions[i].result}`).join("; ")}`;

async function evaluateAll(role: ModelRole, label: string, requests: IamRequest[]): Promise<Evaluated> {
  return { label, requests, decisions: await Promise.all(requests.map((r) => evaluate(role.policies, r))) };
}

const SCRIPT_CALLS = nodeScriptCalls(NODE_DIR);
/** The node scripts' text, by path under bootstrap/node/. */
function nodeScriptFiles(dir = NODE_DIR): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return nodeScriptFiles(full);
    return e.name.endsWith(".sh") ? [{ file: path.relative(NODE_DIR, full), text: readFileSync(full, "utf8") }] : [];
  });
}
const KINDS: NodeKind[] = ["control-plane", "worker", "bastion"];

interface ExampleUnderTest {
  readonly m: ClusterModel;
  /** Another cluster in the same account and region. */
  readonly other: ClusterModel;
  /** What each role's node scripts and SSM agent call, evaluated. */
  readonly legitimate: Evaluated[];
  /** What a compromised node must not be able to do, evaluated (each must be denied). */
  readonly forbidden: Evaluated[];
}

/** The examples, and prod and dev with their join lease in Secrets Manager. */
// AWS's IAM policies: the AWS examples (GCP's grants are in __tests__/unit/providers/gcp/).
const CASES = [...AWS_EXAMPLES, "prod (secretsmanager)", "dev (secretsmanager)"] as const;
type CaseName = (typeof CASES)[number];
function caseDefinition(name: CaseName) {
  const [example, variant] = name.split(" ") as [ExampleName, string | undefined];
  const definition = exampleDefinition(example);
  return variant ? { ...definition, joinTokens: { ...definition.joinTokens, backend: "secretsmanager" as const } } : definition;
}
const synthesized = Object.fromEntries(CASES.map((name) => [name, synthesizeCluster(caseDefinition(name))])) as Record<CaseName, ReturnType<typeof synthesizeCluster>>;
/** Another cluster of the same backend in the same account. */
const OTHER: Record<CaseName, CaseName> = { dev: "prod", prod: "dev", kurl: "dev", pools: "dev", "prod (secretsmanager)": "dev (secretsmanager)", "dev (secretsmanager)": "prod (secretsmanager)" };

async function legitimateCalls(m: ClusterModel, kinds: NodeKind[] = KINDS): Promise<Evaluated[]> {
  const out: Evaluated[] = [];
  for (const kind of kinds) {
    const role = m.roles[kind];
    if (!role) continue;
    for (const self of m.instances[kind]) {
      for (const call of SCRIPT_CALLS) {
        const entry = CALL_TARGETS[callKey(call)];
        if (!entry) continue; // reported by its own test
        for (const invocation of entry.by[kind]?.(m, self) ?? []) {
          out.push(await evaluateAll(role, `${kind} ${self.id}: ${callKey(call)} (${call.file}:${call.line}), ${invocation.what}`, await requestsOf(m, role, self, call, invocation)));
        }
      }
      for (const agent of AGENT_CALLS) {
        const request: IamRequest = { principal: sessionArn(m, role, self), action: agent.action, resource: agent.onOwnInstance ? self.arn : "*", context: { ...callerContext(m, role, self), ...(agent.onOwnInstance ? resourceTagContext(agent.action, self.tags) : {}) } };
        out.push(await evaluateAll(role, `${kind} ${self.id}: SSM agent ${agent.action}`, [request]));
      }
    }
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// What a compromised node must not do. Each entry is one API call; it is refused when any of the
// requests AWS authorizes for it is refused (SendCommand: the document and the instance).

type Forbidden = {
  readonly kind: NodeKind;
  readonly what: string;
  readonly requests: (m: ClusterModel, other: ClusterModel, self: ModelInstance, role: ModelRole) => IamRequest[];
  /** The backends whose clusters the entry applies to. @default every backend */
  readonly backends?: readonly Backend[];
};
const ssmEntry = (f: Forbidden): Forbidden => ({ ...f, backends: ["ssm"] });
const smEntry = (f: Forbidden): Forbidden => ({ ...f, backends: ["secretsmanager"] });

function request(m: ClusterModel, role: ModelRole, self: ModelInstance, action: string, resource: string, extra: Record<string, string | string[]> = {}, resourcePolicy?: IamRequest["resourcePolicy"]): IamRequest {
  return { principal: sessionArn(m, role, self), action, resource, context: { ...callerContext(m, role, self), ...extra }, resourcePolicy };
}
const viaSsm = (m: ClusterModel, parameterArn: string) => kmsThroughSsm(m, "kms:Decrypt", m.keyArn, parameterArn, {}).context;
/**
 * AWS-RunShellScript, an AWS-owned document. Policies name it without an account
 * (`arn:aws:ssm:<region>::document/AWS-RunShellScript`), but iam-simulate matches a resource to a
 * type only with an account in the ARN; the account's own ARN is what a policy scoped to this
 * account could match, so it is the stronger test.
 */
const runShellScript = (m: ClusterModel) => `arn:${m.at.partition}:ssm:${m.at.region}:${m.at.account}:document/AWS-RunShellScript`;
/** A parameter of a cluster whose name starts with this cluster's name (`/kubeplane/dev-2/...`). */
const prefixNeighbour = (m: ClusterModel) => m.parameterArn(`${m.settings.KUBEPLANE_PARAMETER_PATH}-2/join/worker`);
const sendCommand = (m: ClusterModel, role: ModelRole, self: ModelInstance, document: string, target: ModelInstance) => [
  request(m, role, self, "ssm:SendCommand", document),
  request(m, role, self, "ssm:SendCommand", target.arn, resourceTagContext("ssm:SendCommand", target.tags)),
];

const WRITES = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:LabelParameterVersion"];
const READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"];
const SECRET_WRITES = ["secretsmanager:PutSecretValue", "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:PutResourcePolicy", "secretsmanager:UpdateSecretVersionStage"];
const SECRET_READS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy"];
const viaSecretsManager = (m: ClusterModel, secretArn: string) => kmsThroughSecretsManager(m, "kms:Decrypt", m.keyArn, secretArn, {}).context;

const FORBIDDEN: Forbidden[] = [
  // The backup bucket (issue 15): nothing for a worker; no history rewriting, nothing outside
  // etcd/ and pki/, no bucket settings for the control plane.
  ...(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] as const).map(
    (a): Forbidden => ({ kind: "worker", what: `${a} on a snapshot in the backup bucket`, requests: (m, _o, self, role) => [request(m, role, self, a, backupObjects(m)[0].arn)] }),
  ),
  { kind: "worker", what: "s3:GetObject on the stored PKI", requests: (m, _o, self, role) => [request(m, role, self, "s3:GetObject", backupObjects(m)[1].arn)] },
  { kind: "worker", what: "s3:ListBucket on the backup bucket", requests: (m, _o, self, role) => [request(m, role, self, "s3:ListBucket", backupBucketArn(m), { "s3:prefix": "etcd/" })] },
  { kind: "worker", what: "kms:Decrypt with the backup key through S3", requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", backupKey(m).arn, { "kms:ViaService": `s3.${m.at.region}.amazonaws.com`, "kms:CallerAccount": m.at.account }, backupKey(m).policy)] },
  { kind: "control-plane", what: "s3:DeleteObjectVersion on a snapshot (history is kept)", requests: (m, _o, self, role) => [request(m, role, self, "s3:DeleteObjectVersion", backupObjects(m)[0].arn)] },
  { kind: "control-plane", what: "s3:DeleteObject on the stored PKI", requests: (m, _o, self, role) => [request(m, role, self, "s3:DeleteObject", backupObjects(m)[1].arn)] },
  { kind: "control-plane", what: "s3:PutObject outside etcd/ and pki/", requests: (m, _o, self, role) => [request(m, role, self, "s3:PutObject", `${backupBucketArn(m)}/elsewhere.db`)] },
  ...(["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:DeleteBucket"] as const).map(
    (a): Forbidden => ({ kind: "control-plane", what: `${a} on the backup bucket`, requests: (m, _o, self, role) => [request(m, role, self, a, backupBucketArn(m))] }),
  ),
  { kind: "control-plane", what: "s3:GetObject on another cluster's snapshot", requests: (m, o, self, role) => [request(m, role, self, "s3:GetObject", backupObjects(o)[0].arn)] },
  // A compromised worker.
  ...READS.map((a): Forbidden => ssmEntry({ kind: "worker", what: `${a} on the control-plane lease`, requests: (m, _o, self, role) => [request(m, role, self, a, parameters(m).controlPlaneLease.arn)] })),
  ssmEntry({ kind: "worker", what: "ssm:GetParametersByPath on the cluster's path", requests: (m, _o, self, role) => [request(m, role, self, "ssm:GetParametersByPath", m.parameterArn(m.settings.KUBEPLANE_PARAMETER_PATH))] }),
  ...(["workerLease", "controlPlaneLease", "controlPlaneRefreshRequest", "rotationLock", "controlPlaneJoinLock", "clusterClaim"] as const).flatMap((p) =>
    WRITES.map((a): Forbidden => ssmEntry({ kind: "worker", what: `${a} on the ${p}`, requests: (m, _o, self, role) => [request(m, role, self, a, parameters(m, self)[p].arn)] })),
  ),
  { kind: "worker", what: "kms:Decrypt called directly (not through the store)", requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, { "kms:CallerAccount": m.at.account, "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }, m.keyPolicy)] },
  ssmEntry({
    kind: "worker",
    what: "kms:Decrypt through another service (Secrets Manager)",
    requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, { "kms:CallerAccount": m.at.account, "kms:ViaService": `secretsmanager.${m.at.region}.amazonaws.com` }, m.keyPolicy)],
  }),
  ...["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"].map(
    (a): Forbidden => ssmEntry({ kind: "worker", what: `${a} through SSM`, requests: (m, _o, self, role) => [request(m, role, self, a, m.keyArn, viaSsm(m, parameters(m).workerLease.arn), m.keyPolicy)] }),
  ),
  { kind: "worker", what: "ssm:SendCommand AWS-RunShellScript to a control-plane node", requests: (m, _o, self, role) => sendCommand(m, role, self, runShellScript(m), m.instances["control-plane"][0]) },
  { kind: "worker", what: "ssm:SendCommand AWS-RunShellScript to another worker", requests: (m, _o, self, role) => sendCommand(m, role, self, runShellScript(m), m.instances.worker[1]) },
  ssmEntry({ kind: "worker", what: "ssm:SendCommand the refresh document to a worker", requests: (m, _o, self, role) => sendCommand(m, role, self, m.documentArn, m.instances.worker[1]) }),
  ssmEntry({ kind: "worker", what: "ssm:SendCommand the refresh document to another cluster's control plane", requests: (m, o, self, role) => sendCommand(m, role, self, m.documentArn, o.instances["control-plane"][0]) }),
  ssmEntry({ kind: "worker", what: "ssm:SendCommand another cluster's refresh document to its control plane", requests: (m, o, self, role) => sendCommand(m, role, self, o.documentArn, o.instances["control-plane"][0]) }),
  // A compromised worker of a Secrets Manager cluster.
  ...SECRET_READS.map((a): Forbidden => smEntry({ kind: "worker", what: `${a} on the control-plane lease secret`, requests: (m, _o, self, role) => [request(m, role, self, a, parameters(m).controlPlaneLease.arn)] })),
  ...(["workerLease", "controlPlaneLease", "controlPlaneRefreshRequest", "rotationLock", "controlPlaneJoinLock", "clusterClaim"] as const).flatMap((p) =>
    SECRET_WRITES.map((a): Forbidden => smEntry({ kind: "worker", what: `${a} on the ${p} secret`, requests: (m, _o, self, role) => [request(m, role, self, a, parameters(m, self)[p].arn)] })),
  ),
  ...["secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue"].map((a): Forbidden =>
    smEntry({ kind: "worker", what: `${a} on the refresh request (it may only create it)`, requests: (m, _o, self, role) => [request(m, role, self, a, parameters(m, self).refreshRequest.arn)] }),
  ),
  ...["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"].map(
    (a): Forbidden => smEntry({ kind: "worker", what: `${a} through Secrets Manager`, requests: (m, _o, self, role) => [request(m, role, self, a, m.keyArn, viaSecretsManager(m, parameters(m).workerLease.arn), m.keyPolicy)] }),
  ),
  smEntry({
    kind: "worker",
    what: "kms:Decrypt through another service (SSM)",
    requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, { "kms:CallerAccount": m.at.account, "kms:ViaService": `ssm.${m.at.region}.amazonaws.com` }, m.keyPolicy)],
  }),
  { kind: "worker", what: "ssm:StartSession on a control-plane node", requests: (m, _o, self, role) => [request(m, role, self, "ssm:StartSession", m.instances["control-plane"][0].arn, resourceTagContext("ssm:StartSession", m.instances["control-plane"][0].tags))] },
  // Tags that steer the cluster: kubeplane:role picks the nodes refresh requests go to, kubeplane:cluster which cluster a node is in.
  ...(["worker", "control-plane"] as const).flatMap((kind): Forbidden[] => [
    ...["kubeplane:role", "kubeplane:cluster"].map(
      (key): Forbidden => ({
        kind,
        what: `ec2:CreateTags ${key} on its own instance`,
        requests: (m, _o, self, role) => [request(m, role, self, "ec2:CreateTags", self.arn, { ...resourceTagContext("ec2:CreateTags", self.tags), ...requestTagContext({ [key]: "control-plane" }) })],
      }),
    ),
    // (kubeplane:bootstrap on another node of its own cluster is allowed: IAM cannot pin the
    // resource to the caller's own instance with an ARN-format Resource; see bootstrapStatusPolicy.)
    {
      kind,
      what: "ec2:CreateTags kubeplane:bootstrap on another cluster's node",
      requests: (m, o, self, role) => {
        const peer = o.instances.worker[0];
        return [request(m, role, self, "ec2:CreateTags", peer.arn, { ...resourceTagContext("ec2:CreateTags", peer.tags), ...requestTagContext({ "kubeplane:bootstrap": "ready" }) })];
      },
    },
  ]),
  {
    kind: "worker",
    what: "s3:GetObject on the control plane's bundle",
    requests: (m, _o, self, role) => [request(m, role, self, "s3:GetObject", nodeBundleArn(m, "control-plane-init"))],
  },
  {
    kind: "worker",
    what: "s3:GetObject on another cluster's worker bundle",
    requests: (m, o, self, role) => [request(m, role, self, "s3:GetObject", nodeBundleArn(o, "worker"))],
  },
  {
    kind: "worker",
    what: "autoscaling:SetInstanceHealth in another cluster's group",
    requests: (m, o, self, role) => [request(m, role, self, "autoscaling:SetInstanceHealth", o.workerGroup!.arn, resourceTagContext("autoscaling:SetInstanceHealth", o.workerGroup!.tags))],
  },
  // A compromised worker or control-plane node, against another cluster.
  ...(["worker", "control-plane"] as const).flatMap((kind): Forbidden[] => [
    ...[...READS, ...WRITES].map((a): Forbidden => ssmEntry({ kind, what: `${a} on another cluster's worker lease`, requests: (m, o, self, role) => [request(m, role, self, a, parameters(o).workerLease.arn)] })),
    ...[...READS, ...WRITES].map((a): Forbidden => ssmEntry({ kind, what: `${a} on another cluster's control-plane lease`, requests: (m, o, self, role) => [request(m, role, self, a, parameters(o).controlPlaneLease.arn)] })),
    ...["ssm:GetParameter", "ssm:PutParameter"].map((a): Forbidden => ssmEntry({ kind, what: `${a} on a cluster whose name extends this one's`, requests: (m, _o, self, role) => [request(m, role, self, a, prefixNeighbour(m))] })),
    ...["kms:Decrypt", "kms:Encrypt"].map(
      (a): Forbidden => ssmEntry({ kind, what: `${a} through SSM with another cluster's key`, requests: (m, o, self, role) => [request(m, role, self, a, o.keyArn, viaSsm(m, parameters(o).workerLease.arn), o.keyPolicy)] }),
    ),
    ...[...SECRET_READS, ...SECRET_WRITES].map((a): Forbidden => smEntry({ kind, what: `${a} on another cluster's worker lease secret`, requests: (m, o, self, role) => [request(m, role, self, a, parameters(o).workerLease.arn)] })),
    ...[...SECRET_READS, ...SECRET_WRITES].map((a): Forbidden => smEntry({ kind, what: `${a} on another cluster's control-plane lease secret`, requests: (m, o, self, role) => [request(m, role, self, a, parameters(o).controlPlaneLease.arn)] })),
    ...["secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"].map((a): Forbidden =>
      smEntry({ kind, what: `${a} on a cluster whose name extends this one's`, requests: (m, _o, self, role) => [request(m, role, self, a, m.secretArn(`${m.settings.KUBEPLANE_PARAMETER_PATH}-2/join/worker`))] }),
    ),
    ...["kms:Decrypt", "kms:GenerateDataKey"].map(
      (a): Forbidden => smEntry({ kind, what: `${a} through Secrets Manager with another cluster's key`, requests: (m, o, self, role) => [request(m, role, self, a, o.keyArn, viaSecretsManager(m, parameters(o).workerLease.arn), o.keyPolicy)] }),
    ),
  ]),
  { kind: "control-plane", what: "ssm:SendCommand AWS-RunShellScript to a worker", requests: (m, _o, self, role) => sendCommand(m, role, self, runShellScript(m), m.instances.worker[0]) },
  ssmEntry({ kind: "control-plane", what: "ssm:SendCommand the refresh document to another cluster's control plane", requests: (m, o, self, role) => sendCommand(m, role, self, m.documentArn, o.instances["control-plane"][0]) }),
  { kind: "control-plane", what: "kms:Decrypt called directly (not through the store)", requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, { "kms:CallerAccount": m.at.account }, m.keyPolicy)] },
  // The bastion runs no node script: it reaches nothing of the cluster's.
  ssmEntry({ kind: "bastion", what: "ssm:GetParameter on the worker lease", requests: (m, _o, self, role) => [request(m, role, self, "ssm:GetParameter", parameters(m).workerLease.arn)] }),
  ssmEntry({ kind: "bastion", what: "kms:Decrypt through SSM", requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, viaSsm(m, parameters(m).workerLease.arn), m.keyPolicy)] }),
  ssmEntry({ kind: "bastion", what: "ssm:SendCommand the refresh document to a control-plane node", requests: (m, _o, self, role) => sendCommand(m, role, self, m.documentArn, m.instances["control-plane"][0]) }),
  smEntry({ kind: "bastion", what: "secretsmanager:GetSecretValue on the worker lease", requests: (m, _o, self, role) => [request(m, role, self, "secretsmanager:GetSecretValue", parameters(m).workerLease.arn)] }),
  smEntry({ kind: "bastion", what: "kms:Decrypt through Secrets Manager", requests: (m, _o, self, role) => [request(m, role, self, "kms:Decrypt", m.keyArn, viaSecretsManager(m, parameters(m).workerLease.arn), m.keyPolicy)] }),
];

async function forbiddenCalls(m: ClusterModel, other: ClusterModel, kinds: NodeKind[] = KINDS): Promise<Evaluated[]> {
  const out: Evaluated[] = [];
  for (const f of FORBIDDEN.filter((x) => kinds.includes(x.kind) && (x.backends ?? [m.backend]).includes(m.backend))) {
    const role = m.roles[f.kind];
    const self = m.instances[f.kind][0];
    if (!role || !self) continue;
    out.push(await evaluateAll(role, `${f.kind} ${self.id}: ${f.what}`, f.requests(m, other, self, role)));
  }
  return out;
}

/** The Allow statements' actions (`<role>: <policy> <Sid> <action>`) no allowed call used, less those listed with a reason. */
/**
 * Policies of the controllers the control plane runs (issue 14: the AWS cloud controller manager,
 * the EBS CSI controller, the cluster autoscaler): their grants are their projects' documented
 * policies, used by those controllers rather than by the node scripts, so "used by a call" does not
 * apply; what a compromised node must not do is still denied with them in place (above).
 */
const CONTROLLER_POLICY = /^identities_(cloud-controller-manager|ebs-csi-controller|cluster-autoscaler)_/;

function unusedGrants(m: ClusterModel, legitimate: Evaluated[]): string[] {
  const used = new Set(legitimate.filter(allowed).flatMap((e) => e.decisions.flatMap((d, i) => d.allowedBy.map((by) => `${by} ${e.requests[i].action}`))));
  const unused: string[] = [];
  for (const role of Object.values(m.roles)) {
    for (const p of role!.policies.filter((policy) => !CONTROLLER_POLICY.test(policy.name))) {
      for (const [index, statement] of p.policy.Statement.entries()) {
        if (statement.Effect !== "Allow") continue;
        const sid = (statement.Sid as string | undefined) ?? String(index);
        for (const action of ([] as string[]).concat(statement.Action as string | string[])) {
          if (used.has(`${p.name}#${sid} ${action}`) || UNUSED_WITH_REASON[`${sid} ${action}`]?.backend === m.backend) continue;
          unused.push(`${role!.name}: ${p.name} ${sid} ${action}`);
        }
      }
    }
  }
  return unused;
}

/** A copy of the model with one role's statements changed (for the tests that show the checks bite). */
function withStatements(m: ClusterModel, kind: NodeKind, change: (statements: Record<string, unknown>[]) => Record<string, unknown>[]): ClusterModel {
  const role = m.roles[kind]!;
  const policies = role.policies.map((p) => ({ ...p, policy: { ...p.policy, Statement: change(structuredClone(p.policy.Statement)) } }));
  return { ...m, roles: { ...m.roles, [kind]: { ...role, policies } } };
}
const withoutSid = (sid: string) => (statements: Record<string, unknown>[]) => statements.filter((st) => st.Sid !== sid);

const examples: Partial<Record<CaseName, ExampleUnderTest>> = {};
beforeAll(async () => {
  for (const name of CASES) {
    const m = clusterModel(synthesized[name]);
    const other = clusterModel(synthesized[OTHER[name]], { region: m.at.region });
    examples[name] = { m, other, legitimate: await legitimateCalls(m), forbidden: await forbiddenCalls(m, other) };
  }
  // Thousands of evaluations over every example and both stores: seconds, more on a busy machine.
}, 120_000);
const example = (name: CaseName) => examples[name]!;

describe("the node scripts' AWS calls", () => {
  test("are found in the scripts, and each maps to an IAM action in AWS's data", async () => {
    expect(SCRIPT_CALLS.map(callKey)).toEqual(expect.arrayContaining(["backend_put: ssm put-parameter", "backend_get: ssm get-parameter"]));
    for (const call of SCRIPT_CALLS) await expect(iamActionOf(call)).resolves.toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  test("every call is in the table of targets (a new call must say which resource it acts on)", () => {
    const unknown = SCRIPT_CALLS.filter((c) => !CALL_TARGETS[callKey(c)]).map((c) => `${callKey(c)} at ${c.file}:${c.line}`);
    expect(unknown).toEqual([]);
  });

  test("every row of the table is a call the scripts make", () => {
    const made = new Set(SCRIPT_CALLS.map(callKey));
    expect(Object.keys(CALL_TARGETS).filter((k) => !made.has(k))).toEqual([]);
  });

  test("every parameter name the scripts build under the parameter path is one the table knows", () => {
    const built = nodeScriptFiles().flatMap(({ file, text }) => [...text.matchAll(/"\$\{?KUBEPLANE_PARAMETER_PATH\}?(\/[^"]*)"/g)].map((x) => ({ file, suffix: x[1] })));
    expect(built.length).toBeGreaterThan(0);
    const known = Object.values(DERIVED_PARAMETERS).map((d) => `${d.file} ${d.suffix}`);
    expect(built.map((b) => `${b.file} ${b.suffix}`).filter((b) => !known.includes(b))).toEqual([]);
  });

  test("the parameter names the table derives are the ones the scripts derive", () => {
    for (const { suffix, file } of Object.values(DERIVED_PARAMETERS)) {
      expect(readFileSync(path.join(NODE_DIR, file), "utf8")).toContain(`"$KUBEPLANE_PARAMETER_PATH${suffix}`);
    }
  });
});

describe.each(CASES)("%s example: node IAM", (name) => {
  test("every call of the node scripts and the SSM agent is allowed, for its role, on its resource", () => {
    const { legitimate } = example(name);
    expect(legitimate.length).toBeGreaterThan(0);
    expect(legitimate.filter((e) => !allowed(e)).map(describe1)).toEqual([]);
  });

  test("what a compromised worker, control-plane node or bastion must not do is denied", () => {
    const { forbidden, m } = example(name);
    expect(forbidden.length).toBeGreaterThan(FORBIDDEN.filter((f) => f.kind !== "bastion" && (f.backends ?? [m.backend]).includes(m.backend)).length - 1);
    expect(forbidden.filter(allowed).map(describe1)).toEqual([]);
    // The bastion's entries run only where there is a bastion.
    expect(forbidden.some((e) => e.label.startsWith("bastion"))).toBe(m.instances.bastion.length > 0);
  });

  // It found, and 84bf1c0 removed, the control plane's ssm:GetParameters (the scripts call
  // get-parameter: ssm:GetParameter) and, in a single-control-plane cluster, its grants to ask for
  // a refresh (only a joining control-plane node asks; a single control plane never joins).
  test("every Allow in the node policies is used by an allowed call, or is listed with a reason", () => {
    const { m, legitimate } = example(name);
    const unused = unusedGrants(m, legitimate);
    expect(unused).toEqual([]);
  });

  test("the service keys supplied are keys AWS evaluates for those requests (none dropped as not applying)", () => {
    // Global keys (aws:...) and ec2:SourceInstanceARN come with every request, applicable or not;
    // a key of the action's own service that the evaluator drops is a sign of a wrong request.
    // Except kms:EncryptionContext:<key>: AWS's data spells it with a `:` variable that
    // iam-simulate does not expand (no node policy conditions on it; the key policy neither).
    const evaluatorCannotRead = (k: string) => k.toLowerCase().startsWith("kms:encryptioncontext:");
    const dropped = example(name).legitimate.flatMap((e) =>
      e.decisions.flatMap((d, i) => {
        const service = e.requests[i].action.split(":")[0];
        return d.ignoredContextKeys.filter((k) => k.toLowerCase().startsWith(`${service}:`) && k.toLowerCase() !== "ec2:sourceinstancearn" && !evaluatorCannotRead(k)).map((k) => `${e.label}: ${e.requests[i].action} ${k}`);
      }),
    );
    expect(dropped).toEqual([]);
  });
});

test("every grant listed as unused with a reason is in a node policy, and is unused there", () => {
  for (const [listed, { backend }] of Object.entries(UNUSED_WITH_REASON)) {
    const [sid, action] = listed.split(" ");
    const holders = CASES.filter((n) => example(n).m.backend === backend).flatMap((n) =>
      Object.values(example(n).m.roles).flatMap((r) =>
        r!.policies.filter((p) => p.policy.Statement.some((st) => st.Sid === sid && ([] as unknown[]).concat(st.Action).includes(action))).map((p) => ({ n, p })),
      ),
    );
    expect({ listed, granted: holders.length > 0 }).toEqual({ listed, granted: true });
    const used = holders.filter(({ n, p }) => example(n).legitimate.some((e) => e.decisions.some((d, i) => e.requests[i].action === action && d.allowedBy.includes(`${p.name}#${sid}`))));
    expect({ listed, usedIn: used.map((u) => u.n) }).toEqual({ listed, usedIn: [] });
  }
});

describe("the checks fail when a policy is loosened or tightened wrongly (prod example)", () => {
  const denied = (e: Evaluated[]) => e.filter((x) => !allowed(x)).map((x) => x.label);
  const permitted = (e: Evaluated[]) => e.filter(allowed).map((x) => x.label);

  test("without the worker's lease read, the worker's get-parameter is denied", async () => {
    const { m } = example("prod");
    const before = denied(example("prod").legitimate);
    const after = denied(await legitimateCalls(withStatements(m, "worker", withoutSid("WorkerJoinLeaseRead")), ["worker"]));
    expect(after.filter((l) => !before.includes(l))).toEqual(expect.arrayContaining([expect.stringMatching(/^worker .*backend_get: ssm get-parameter .*workerLease$/)]));
  });

  test("without the workers' statement in the key policy, the worker cannot decrypt its lease", async () => {
    const { m } = example("prod");
    const keyPolicy = { ...m.keyPolicy, Statement: m.keyPolicy.Statement.filter((st) => st.Sid !== "WorkersDecryptThroughSsm") };
    expect(keyPolicy.Statement.length).toBe(m.keyPolicy.Statement.length - 1);
    const after = await legitimateCalls({ ...m, keyPolicy }, ["worker"]);
    const read = after.find((e) => /^worker .*backend_get: ssm get-parameter .*workerLease$/.test(e.label))!;
    expect(read.decisions.map((d, i) => `${read.requests[i].action} ${d.result}`)).toEqual(["ssm:GetParameter Allowed", "kms:Decrypt ImplicitlyDenied"]);
  });

  test("a worker allowed the whole parameter path can read the control-plane lease", async () => {
    const { m, other } = example("prod");
    const loosened = withStatements(m, "worker", (sts) =>
      sts.map((st) => (st.Sid === "WorkerJoinLeaseRead" ? { ...st, Resource: [m.parameterArn(`${m.settings.KUBEPLANE_PARAMETER_PATH}/*`)] } : st)),
    );
    expect(permitted(await forbiddenCalls(loosened, other, ["worker"]))).toEqual(expect.arrayContaining([expect.stringMatching(/ssm:GetParameter on the control-plane lease$/)]));
  });

  test("without the tag condition on SendCommand, a worker can run the refresh document on workers and other clusters", async () => {
    const { m, other } = example("prod");
    const loosened = withStatements(m, "worker", (sts) => sts.map((st) => {
      if (st.Sid !== "AskForRefreshOnControlPlane") return st;
      const { Condition: _dropped, ...unconditioned } = st;
      return unconditioned;
    }));
    expect(permitted(await forbiddenCalls(loosened, other, ["worker"]))).toEqual(
      expect.arrayContaining([expect.stringMatching(/refresh document to a worker$/), expect.stringMatching(/refresh document to another cluster's control plane$/)]),
    );
  });

  test("a grant no call uses is reported", async () => {
    const { m, legitimate } = example("prod");
    const extra = withStatements(m, "worker", (sts) => [...sts, { Sid: "Extra", Effect: "Allow", Action: ["ssm:DeleteParameter"], Resource: [m.parameterArn("/kubeplane/prod/join/worker")] }]);
    expect(unusedGrants(extra, await legitimateCalls(extra, ["worker"]))).toEqual(expect.arrayContaining([expect.stringMatching(/ Extra ssm:DeleteParameter$/)]));
    expect(unusedGrants(m, legitimate)).not.toEqual(expect.arrayContaining([expect.stringMatching(/ Extra /)]));
  });
});

describe("the checks fail when a policy is loosened (prod example, join lease in Secrets Manager)", () => {
  const SM = "prod (secretsmanager)" as const;
  const denied = (e: Evaluated[]) => e.filter((x) => !allowed(x)).map((x) => x.label);
  const permitted = (e: Evaluated[]) => e.filter(allowed).map((x) => x.label);

  test("the model is a Secrets Manager cluster, and its calls were evaluated", () => {
    expect(example(SM).m.backend).toBe("secretsmanager");
    expect(example(SM).legitimate.map((e) => e.label)).toEqual(expect.arrayContaining([expect.stringMatching(/^worker .*backend_get: secretsmanager get-secret-value .*workerLease$/)]));
  });

  test("without the worker's lease read, the worker's get-secret-value is denied", async () => {
    const { m } = example(SM);
    const before = denied(example(SM).legitimate);
    const after = denied(await legitimateCalls(withStatements(m, "worker", withoutSid("WorkerJoinLeaseRead")), ["worker"]));
    expect(after.filter((l) => !before.includes(l))).toEqual(expect.arrayContaining([expect.stringMatching(/^worker .*backend_get: secretsmanager get-secret-value .*workerLease$/)]));
  });

  test("without the workers' statement in the key policy, the worker cannot decrypt its lease", async () => {
    const { m } = example(SM);
    const keyPolicy = { ...m.keyPolicy, Statement: m.keyPolicy.Statement.filter((st) => st.Sid !== "WorkersDecryptThroughSecretsManager") };
    expect(keyPolicy.Statement.length).toBe(m.keyPolicy.Statement.length - 1);
    const read = (await legitimateCalls({ ...m, keyPolicy }, ["worker"])).find((e) => /^worker .*backend_get: secretsmanager get-secret-value .*workerLease$/.test(e.label))!;
    expect(read.decisions.map((d, i) => `${read.requests[i].action} ${d.result}`)).toEqual(["secretsmanager:GetSecretValue Allowed", "kms:Decrypt ImplicitlyDenied"]);
  });

  test("a worker allowed every secret of the cluster can read the control-plane lease", async () => {
    const { m, other } = example(SM);
    const loosened = withStatements(m, "worker", (sts) =>
      sts.map((st) => (st.Sid === "WorkerJoinLeaseRead" ? { ...st, Resource: [m.secretArn(`${m.settings.KUBEPLANE_PARAMETER_PATH}/*`).replace(/-[A-Za-z]{6}$/, "")] } : st)),
    );
    expect(permitted(await forbiddenCalls(loosened, other, ["worker"]))).toEqual(expect.arrayContaining([expect.stringMatching(/secretsmanager:GetSecretValue on the control-plane lease secret$/)]));
  });

  test("a worker whose request grant is widened to the cluster's prefix can overwrite the join leases", async () => {
    const { m, other } = example(SM);
    const loosened = withStatements(m, "worker", (sts) =>
      sts.map((st) => (st.Sid === "AskForRefresh" ? { ...st, Action: ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"], Resource: [`${m.secretArn(m.settings.KUBEPLANE_PARAMETER_PATH).replace(/-[A-Za-z]{6}$/, "")}/*`] } : st)),
    );
    expect(permitted(await forbiddenCalls(loosened, other, ["worker"]))).toEqual(
      expect.arrayContaining([expect.stringMatching(/secretsmanager:PutSecretValue on the workerLease secret$/), expect.stringMatching(/secretsmanager:CreateSecret on the clusterClaim secret$/)]),
    );
  });
});
