/**
 * A local HTTPS server that answers as the Kubernetes API server does for the reads
 * `kubeplane validate` makes (kubectl get --raw): NodeList, PodList, DeploymentList and
 * DaemonSetList as JSON, behind TLS with client-certificate authentication (a CA made with the
 * real openssl, the server's certificate for the API's name and 127.0.0.1, a client certificate
 * with O=kubeadm:cluster-admins as `kubeadm kubeconfig user` makes). Unknown paths answer 404
 * with a Status object, as the API server does.
 *
 * The object shapes follow the Kubernetes API reference (v1.32):
 *  - Node: https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/node-v1/
 *    (spec.providerID; status.conditions[] type/status/reason/message; the kubelet's reasons
 *    KubeletReady / KubeletNotReady, pkg/kubelet/nodestatus/setters.go ReadyCondition; a Node the
 *    kubelet stopped reporting: NodeStatusUnknown "Kubelet stopped posting node status.",
 *    pkg/controller/nodelifecycle/node_lifecycle_controller.go)
 *  - Pod: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
 *    (status.phase, conditions, containerStatuses[] ready/restartCount/state.waiting.reason; the
 *    kubelet's back-off message "back-off 5m0s restarting failed container=… pod=…",
 *    pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff)
 *  - Deployment: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/
 *    (spec.replicas, status.availableReplicas, conditions Available / MinimumReplicasAvailable)
 *  - DaemonSet: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/daemon-set-v1/
 *    (status.desiredNumberScheduled, numberAvailable, numberUnavailable)
 */
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { createServer, Server } from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

export const API_NAME = "api.dev.kubeplane.internal";

/** PEM files of a test PKI. */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A CA, a server certificate (API_NAME, localhost, 127.0.0.1) and an admin client certificate, made with openssl. */
export function makePki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-pki-"));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-subj", "/CN=kubernetes", "-days", "1");
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(f(`${name}.ext`), extensions);
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", subject);
    openssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${name}.crt`), "-days", "1", "-extfile", f(`${name}.ext`));
  };
  // kube-apiserver's serving certificate carries the control-plane endpoint among its SANs (kubeadm certs phase).
  issue("server", "/CN=kube-apiserver", `subjectAltName=DNS:${API_NAME},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  issue("client", "/O=kubeadm:cluster-admins/CN=alice", "extendedKeyUsage=clientAuth\n");
  const read = (name: string) => readFileSync(f(name), "utf8");
  return { ca: read("ca.crt"), serverCert: read("server.crt"), serverKey: read("server.key"), clientCert: read("client.crt"), clientKey: read("client.key") };
}

/** A kubeconfig for the server (context `kubeplane-dev`), as `kubeplane kubeconfig` writes one. */
export function kubeconfigFor(pki: TestPki, server: string, context = "kubeplane-dev"): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${context}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.ca)}`,
    "users:",
    `- name: ${context}-alice`,
    "  user:",
    `    client-certificate-data: ${b64(pki.clientCert)}`,
    `    client-key-data: ${b64(pki.clientKey)}`,
    "contexts:",
    `- name: ${context}`,
    "  context:",
    `    cluster: ${context}`,
    `    user: ${context}-alice`,
    `current-context: ${context}`,
    "",
  ].join("\n");
}

type Json = Record<string, unknown>;

/** The objects the server holds. */
export interface ClusterObjects {
  nodes: Json[];
  pods: Json[];
  deployments: Json[];
  daemonSets: Json[];
}

const TIME = "2026-12-02T02:00:00Z";

/** A Node as the kubelet reports it; `ready` false gives the kubelet's NotReady condition (or Unknown). */
export function node(name: string, instanceId: string, options: { controlPlane?: boolean; ready?: boolean | "Unknown"; zone?: string } = {}): Json {
  const ready = options.ready ?? true;
  const condition =
    ready === true
      ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }
      : ready === "Unknown"
        ? { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." }
        : { type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized" };
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: "1000",
      creationTimestamp: TIME,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        ...(options.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}),
      },
    },
    spec: { providerID: `aws:///${options.zone ?? "eu-west-1a"}/${instanceId}`, podCIDR: "192.168.0.0/24" },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available", lastHeartbeatTime: TIME, lastTransitionTime: TIME },
        { ...condition, lastHeartbeatTime: TIME, lastTransitionTime: TIME },
      ],
      nodeInfo: { kubeletVersion: "v1.36.5", containerRuntimeVersion: "containerd://2.2.1", osImage: "Ubuntu 24.04.3 LTS" },
    },
  };
}

/** A running Pod on a node; `crashLoop` gives the kubelet's CrashLoopBackOff for its container. */
export function pod(name: string, nodeName: string, labels: Record<string, string>, options: { container?: string; crashLoop?: boolean } = {}): Json {
  const container = options.container ?? labels.component ?? labels["k8s-app"] ?? name;
  const crash = options.crashLoop === true;
  return {
    metadata: { name, namespace: "kube-system", uid: `uid-${name}`, labels, creationTimestamp: TIME },
    spec: { nodeName, containers: [{ name: container, image: `registry.k8s.io/${container}:v1` }] },
    status: {
      phase: "Running",
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: TIME },
        { type: "Ready", status: crash ? "False" : "True", lastTransitionTime: TIME, ...(crash ? { reason: "ContainersNotReady", message: `containers with unready status: [${container}]` } : {}) },
        { type: "ContainersReady", status: crash ? "False" : "True", lastTransitionTime: TIME },
        { type: "PodScheduled", status: "True", lastTransitionTime: TIME },
      ],
      containerStatuses: [
        {
          name: container,
          ready: !crash,
          started: !crash,
          restartCount: crash ? 7 : 0,
          image: `registry.k8s.io/${container}:v1`,
          imageID: `registry.k8s.io/${container}@sha256:${"0".repeat(64)}`,
          containerID: `containerd://${"a".repeat(64)}`,
          state: crash
            ? { waiting: { reason: "CrashLoopBackOff", message: `back-off 5m0s restarting failed container=${container} pod=${name}_kube-system(uid-${name})` } }
            : { running: { startedAt: TIME } },
          ...(crash ? { lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: TIME, finishedAt: TIME } } } : {}),
        },
      ],
    },
  };
}

/** The static pods kubeadm runs on a control-plane node (`<component>-<node>`, labels component and tier). */
export function staticPods(nodeName: string): Json[] {
  return ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((component) => pod(`${component}-${nodeName}`, nodeName, { component, tier: "control-plane" }));
}

export function deployment(name: string, replicas: number, available = replicas): Json {
  const ok = available >= replicas;
  return {
    metadata: { name, namespace: "kube-system", labels: { "k8s-app": name === "coredns" ? "kube-dns" : name } },
    spec: { replicas },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: available,
      availableReplicas: available,
      ...(ok ? {} : { unavailableReplicas: replicas - available }),
      conditions: [
        ok
          ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
          : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
      ],
    },
  };
}

export function daemonSet(name: string, desired: number, available = desired): Json {
  return {
    metadata: { name, namespace: "kube-system", labels: { "k8s-app": name } },
    status: {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: available,
      numberAvailable: available,
      ...(available < desired ? { numberUnavailable: desired - available } : {}),
      updatedNumberScheduled: desired,
      observedGeneration: 1,
    },
  };
}

const list = (kind: string, apiVersion: string, items: Json[]) => ({ kind, apiVersion, metadata: { resourceVersion: "1000" }, items });

/** A running test API server. */
export interface KubeApiServer {
  readonly url: string;
  readonly objects: ClusterObjects;
  /** The request paths served, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with `objects` (which tests may change while it runs). */
export async function startKubeApiServer(pki: TestPki, objects: ClusterObjects): Promise<KubeApiServer> {
  const requests: string[] = [];
  const server: Server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    requests.push(url.pathname);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    // Without a client certificate the API server answers 401 with a Status (authentication failed).
    if (!(req.socket as import("tls").TLSSocket).authorized) {
      return send(401, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    }
    switch (url.pathname) {
      // kubectl asks for the server's version first (version.Info, k8s.io/apimachinery/pkg/version/types.go).
      case "/version":
        return send(200, { major: "1", minor: "36", gitVersion: "v1.36.5", gitCommit: "0".repeat(40), gitTreeState: "clean", buildDate: TIME, goVersion: "go1.25.4", compiler: "gc", platform: "linux/amd64" });
      case "/api/v1/nodes":
        return send(200, list("NodeList", "v1", objects.nodes));
      case "/api/v1/namespaces/kube-system/pods":
        return send(200, list("PodList", "v1", objects.pods));
      case "/apis/apps/v1/namespaces/kube-system/deployments":
        return send(200, list("DeploymentList", "apps/v1", objects.deployments));
      case "/apis/apps/v1/namespaces/kube-system/daemonsets":
        return send(200, list("DaemonSetList", "apps/v1", objects.daemonSets));
      default:
        return send(404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, objects, requests, close: () => new Promise((r) => server.close(() => r())) };
}
