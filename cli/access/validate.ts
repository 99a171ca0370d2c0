/**
 * `kubeplane validate`: is the cluster healthy, like `kops validate cluster`. It compares what the
 * cloud knows (OperatorAccessRuntime.inventory: instances, their bootstrap status, worker groups'
 * in-service counts) with what the Kubernetes API says (Nodes, kube-system's Pods, Deployments and
 * DaemonSets, read with the real kubectl: `kubectl get --raw`, so kubeconfig, contexts, TLS and
 * credentials are kubectl's own). Problems are rows of KIND / NAME / PROBLEM.
 */
import { execFile } from "child_process";
import type { ClusterDefinition } from "../../definition";
import type { ClusterInventory, RequiredWorkload } from "../../providers/operator-access";

/** One thing that is not as it should be. */
export interface Problem {
  readonly kind: "instance" | "node" | "pod" | "deployment" | "daemonset" | "workers" | "api" | "backup";
  readonly name: string;
  readonly problem: string;
}

/** The Kubernetes objects validate reads (each list's `items`). */
export interface ApiObjects {
  readonly nodes: readonly Json[];
  readonly pods: readonly Json[];
  readonly deployments: readonly Json[];
  readonly daemonSets: readonly Json[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The static pods of a kubeadm control-plane node (label `component`, tier=control-plane). */
export const CONTROL_PLANE_COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
/** Waiting reasons that mean a container will not come up by itself. */
const BAD_WAITING = ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError"];

const condition = (o: Json, type: string) => (o?.status?.conditions ?? []).find((c: Json) => c.type === type);
const instanceIdOf = (providerId: string | undefined) => /\/(i-[0-9a-f]+)$/.exec(providerId ?? "")?.[1];

/** What is wrong with a Pod, or undefined when it runs and is ready. */
function podProblem(p: Json): string | undefined {
  for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const reason = c.state?.waiting?.reason;
    if (reason && BAD_WAITING.includes(reason)) return `container ${c.name} ${reason} (${c.restartCount ?? 0} restarts)`;
  }
  const phase = p.status?.phase;
  if (phase === "Succeeded") return undefined;
  if (phase !== "Running") return `${phase ?? "no phase"}${p.status?.reason ? ` (${p.status.reason})` : ""}`;
  const ready = condition(p, "Ready");
  if (ready?.status !== "True") return `not Ready${ready?.message ? `: ${ready.message}` : ""}`;
  return undefined;
}

/**
 * The kube-system workloads a cluster must have. kubeadm: Calico's DaemonSet calico-node (the
 * installer applies projectcalico/calico manifests/calico.yaml: bootstrap/installers/kubeadm.ts),
 * kubeadm's CoreDNS Deployment coredns, and the cloud's add-ons (the runtime's cloudWorkloads,
 * applied by the kubeadm installer only). kURL: none by name: its add-ons come from the kURL
 * installer spec, which kubeplane does not read (they are still checked when present).
 */
export function requiredWorkloads(definition: Pick<ClusterDefinition, "kubernetes">, cloudWorkloads: readonly RequiredWorkload[] = []): RequiredWorkload[] {
  if (definition.kubernetes.installer !== "kubeadm") return [];
  return [
    { kind: "daemonset", name: "calico-node", what: "the CNI (Calico), applied after kubeadm init" },
    { kind: "deployment", name: "coredns", what: "the cluster DNS (CoreDNS), a kubeadm add-on" },
    ...cloudWorkloads,
  ];
}

/** Every problem of the cluster, and a one-line summary of what is healthy. */
export function clusterProblems(inventory: ClusterInventory, api: ApiObjects, required: readonly RequiredWorkload[] = []): { problems: Problem[]; summary: string } {
  const problems: Problem[] = [];
  const byInstance = new Map(inventory.instances.map((i) => [i.id, i]));
  const nodesByInstance = new Map<string, Json>();
  for (const n of api.nodes) {
    const id = instanceIdOf(n.spec?.providerID);
    if (id) nodesByInstance.set(id, n);
  }

  // Nodes: Ready, and their instance still there.
  let readyControlPlane = 0;
  let readyWorkers = 0;
  for (const n of api.nodes) {
    const name = n.metadata?.name ?? "?";
    const id = instanceIdOf(n.spec?.providerID);
    const instance = id ? byInstance.get(id) : undefined;
    if (!instance || ["terminated", "shutting-down"].includes(instance.state)) {
      problems.push({ kind: "node", name, problem: `its instance ${id ?? `(providerID "${n.spec?.providerID ?? ""}")`} no longer exists${instance ? ` (${instance.state})` : ""}: delete the Node (kubectl delete node ${name})` });
      continue;
    }
    const ready = condition(n, "Ready");
    if (ready?.status !== "True") {
      problems.push({ kind: "node", name, problem: `NotReady (Ready=${ready?.status ?? "missing"}${ready?.reason ? `, ${ready.reason}` : ""}${ready?.message ? `: ${ready.message}` : ""})` });
    } else if (n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined) {
      readyControlPlane++;
    } else {
      readyWorkers++;
    }
  }

  // Instances: running, bootstrapped, registered.
  for (const i of inventory.instances) {
    if (["terminated", "shutting-down"].includes(i.state)) continue;
    if (i.bootstrap.state === "failed") {
      problems.push({ kind: "instance", name: i.id, problem: `${i.role}: bootstrap failed${i.bootstrap.step ? ` at "${i.bootstrap.step}"` : ""} (its log: /var/log/cloud-init-output.log)` });
    } else if (i.state !== "running") {
      problems.push({ kind: "instance", name: i.id, problem: `${i.role}: ${i.state}` });
    } else if (!nodesByInstance.has(i.id)) {
      problems.push({ kind: "instance", name: i.id, problem: `${i.role}: running but no Node${i.bootstrap.state === "unknown" ? " yet (still bootstrapping?)" : ""}` });
    }
  }

  // Control-plane nodes: their static pods run.
  const pods = api.pods;
  for (const n of api.nodes.filter((x) => x.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined)) {
    for (const component of CONTROL_PLANE_COMPONENTS) {
      const p = pods.find((x) => x.spec?.nodeName === n.metadata.name && x.metadata?.labels?.component === component);
      if (!p) problems.push({ kind: "pod", name: `${component}-${n.metadata.name}`, problem: "missing (static pod of a control-plane node)" });
    }
  }

  // kube-system: every pod running and ready; every Deployment and DaemonSet available.
  for (const p of pods) {
    const problem = podProblem(p);
    if (problem) problems.push({ kind: "pod", name: p.metadata?.name ?? "?", problem: `${problem}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ""}` });
  }
  for (const d of api.deployments) {
    const want = d.spec?.replicas ?? 1;
    const have = d.status?.availableReplicas ?? 0;
    if (have < want) problems.push({ kind: "deployment", name: d.metadata?.name ?? "?", problem: `${have} of ${want} replicas available` });
  }
  for (const ds of api.daemonSets) {
    const want = ds.status?.desiredNumberScheduled ?? 0;
    const have = ds.status?.numberAvailable ?? 0;
    if (have < want) problems.push({ kind: "daemonset", name: ds.metadata?.name ?? "?", problem: `${have} of ${want} pods available` });
  }

  // The workloads the cluster must have: each one missing is a problem (not only unavailable ones).
  for (const w of required) {
    const list = w.kind === "deployment" ? api.deployments : api.daemonSets;
    if (!list.some((o) => o.metadata?.name === w.name)) problems.push({ kind: w.kind, name: w.name, problem: `missing: ${w.what}` });
  }

  // Workers: as many Ready as their groups have in service.
  const inService = inventory.workerGroups.reduce((n, g) => n + g.inService, 0);
  for (const g of inventory.workerGroups) {
    if (g.inService < g.desired) problems.push({ kind: "workers", name: g.name, problem: `${g.inService} of ${g.desired} instances in service` });
  }
  if (readyWorkers < inService) problems.push({ kind: "workers", name: "Ready Nodes", problem: `${readyWorkers} Ready worker Nodes for ${inService} instances in service` });
  const controlPlane = inventory.instances.filter((i) => i.role === "control-plane" && !["terminated", "shutting-down"].includes(i.state)).length;
  const summary = `${readyControlPlane} of ${controlPlane} control-plane nodes and ${readyWorkers} of ${inService} workers Ready; ${api.pods.length} kube-system pods, ${api.deployments.length} deployments, ${api.daemonSets.length} daemonsets`;
  return { problems, summary };
}

const minutesText = (m: number) => (m >= 60 ? `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ""}` : `${m}m`);

/**
 * What is wrong with the last etcd backup, from its record (bootstrap/node/etcd-common.sh
 * backup_record: {version: 1, state: ok|failed, instanceId, time: epoch seconds, ...detail}):
 * failed, or older than 2 × backups.interval (stale: the timer has not run, or every run since
 * failed before it could record). No record is no problem: a new cluster has none until its first
 * timer run.
 */
export function etcdBackupProblem(record: string | undefined, intervalMinutes: number, nowMs: number): Problem | undefined {
  if (record === undefined) return undefined;
  const at = (p: string): Problem => ({ kind: "backup", name: "etcd-backup", problem: p });
  let r: Json;
  try {
    r = JSON.parse(record);
  } catch {
    r = undefined;
  }
  if (!r || typeof r !== "object" || typeof r.time !== "number" || (r.state !== "ok" && r.state !== "failed")) {
    return at(`the record is not one etcd-snapshot.sh writes: ${record.slice(0, 80)}`);
  }
  const when = new Date(r.time * 1000).toISOString();
  if (r.state === "failed") return at(`failed${r.step ? ` at "${r.step}"` : ""} on ${r.instanceId ?? "?"} at ${when} (journalctl -u kubeplane-etcd-snapshot on that node)`);
  const ageMinutes = Math.floor((nowMs / 1000 - r.time) / 60);
  if (ageMinutes > 2 * intervalMinutes) {
    return at(`stale: the last, at ${when}, is ${minutesText(ageMinutes)} old (more than 2 × backups.interval ${minutesText(intervalMinutes)})`);
  }
  return undefined;
}

/** The problems as a table: KIND / NAME / PROBLEM. */
export function renderProblems(problems: readonly Problem[]): string {
  const rows = [["KIND", "NAME", "PROBLEM"], ...problems.map((p) => [p.kind, p.name, p.problem])];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`).join("\n");
}

/** Reads the API with the real kubectl. */
export interface KubeReader {
  /** The JSON at `path` (kubectl get --raw); rejects with kubectl's message. */
  get(path: string): Promise<Json>;
}

/** A KubeReader through kubectl (on PATH), with `context` of `kubeconfig` (default: kubectl's own: $KUBECONFIG or ~/.kube/config). */
export function kubectlReader(options: { context: string; kubeconfig?: string; env: NodeJS.ProcessEnv; timeoutSeconds?: number }): KubeReader {
  const base = [...(options.kubeconfig ? ["--kubeconfig", options.kubeconfig] : []), "--context", options.context, `--request-timeout=${options.timeoutSeconds ?? 20}s`];
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        execFile("kubectl", [...base, "get", "--raw", path], { env: options.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error) {
            const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
            return reject(new Error(missing ? "kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/)" : `kubectl get --raw ${path}: ${stderr.trim() || error.message}`));
          }
          try {
            resolve(JSON.parse(stdout));
          } catch {
            reject(new Error(`kubectl get --raw ${path} printed no JSON: ${stdout.slice(0, 200)}`));
          }
        });
      }),
  };
}

/** Reads the objects validate checks, one list after the other (the first failure names the Nodes). */
export async function readApiObjects(reader: KubeReader): Promise<ApiObjects> {
  const list = async (p: string) => ((await reader.get(p)).items ?? []) as Json[];
  const nodes = await list("/api/v1/nodes");
  const pods = await list("/api/v1/namespaces/kube-system/pods");
  const deployments = await list("/apis/apps/v1/namespaces/kube-system/deployments");
  const daemonSets = await list("/apis/apps/v1/namespaces/kube-system/daemonsets");
  return { nodes, pods, deployments, daemonSets };
}

/** One round: the cloud's facts and the API's objects compared; an API that cannot be read is a problem too. */
export async function validateOnce(
  inventory: () => Promise<ClusterInventory>,
  reader: KubeReader,
  required: readonly RequiredWorkload[] = [],
): Promise<{ problems: Problem[]; summary: string }> {
  const facts = await inventory();
  let api: ApiObjects;
  try {
    api = await readApiObjects(reader);
  } catch (e) {
    return { problems: [{ kind: "api", name: "Kubernetes API", problem: (e as Error).message }], summary: "the API could not be read" };
  }
  return clusterProblems(facts, api, required);
}

/** Parses a duration like `15m`, `1h30m`, `90s` into seconds; throws naming `flag` otherwise. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value.trim());
  if (!m || value.trim() === "") throw new Error(`${flag} "${value}" is not a duration like 15m, 1h or 90s`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
