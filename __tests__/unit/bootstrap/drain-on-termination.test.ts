/**
 * kubeplane-drain (bootstrap/node/drain-on-termination.sh, issue 14): when the worker's group
 * terminates it, the node cordons itself, evicts its pods through the Eviction API (not DaemonSet
 * pods, not mirror pods; a pod a disruption budget protects is retried until the timeout) and
 * completes the pool's lifecycle hook. Run on a scratch node root with stubs on PATH for curl
 * (IMDSv2), kubectl and the aws CLI, each answering and failing as the real tool does.
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";

/**
 * curl against IMDSv2: a token for the PUT, the instance's metadata for GETs; the target
 * lifecycle state (EC2 Auto Scaling User Guide, "Retrieve the target lifecycle state through
 * instance metadata") is InService for the first $STUB_IN_SERVICE_POLLS reads, then Terminated.
 */
const CURL = `#!/usr/bin/env bash
url="\${*: -1}"
case $url in
  */latest/api/token) echo token ;;
  */meta-data/instance-id) echo i-0abc123def4567890 ;;
  */meta-data/placement/region) echo eu-west-1 ;;
  */meta-data/placement/availability-zone) echo eu-west-1a ;;
  */meta-data/local-hostname) echo ip-10-0-1-5.eu-west-1.compute.internal ;;
  */meta-data/local-ipv4) echo 10.0.1.5 ;;
  */meta-data/autoscaling/target-lifecycle-state)
    n=$(($(cat "$STUB_DIR/polls" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB_DIR/polls"
    if ((n <= \${STUB_IN_SERVICE_POLLS:-0})); then echo InService; else echo Terminated; fi ;;
  *) echo "curl: (22) The requested URL returned error: 404" >&2; exit 22 ;;
esac
`;

/**
 * kubectl with the kubelet's credentials: the node's pods as the script's jsonpath prints them
 * (from $STUB_DIR/pods: "namespace|name|ownerKind|mirror"), evictions (a pod named in
 * $STUB_DIR/pdb is refused as the API server refuses it: 429, "Cannot evict pod as it would
 * violate the pod's disruption budget.", pkg/registry/core/pod/storage/eviction.go), cordon.
 */
const KUBECTL = `#!/usr/bin/env bash
echo "kubectl $*" >>"$STUB_DIR/calls"
args=" $* "
case $args in
  *" cordon "*) echo "node/\${*: -1} cordoned" ;;
  *" get pods "*) cat "$STUB_DIR/pods" ;;
  *" create --raw "*)
    uri=$(sed -E 's/.* --raw ([^ ]+) .*/\\1/' <<<"$args"); cat >/dev/null
    ns=$(cut -d/ -f5 <<<"$uri"); name=$(cut -d/ -f7 <<<"$uri")
    if grep -qx "$name" "$STUB_DIR/pdb" 2>/dev/null; then
      echo "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget." >&2; exit 1
    fi
    grep -v "^$ns|$name|" "$STUB_DIR/pods" >"$STUB_DIR/pods.new" || true; mv "$STUB_DIR/pods.new" "$STUB_DIR/pods" ;;
  *) echo "error: unknown command" >&2; exit 1 ;;
esac
`;

/** The aws CLI: the instance's group (describe-auto-scaling-instances --query ... --output text) and the hook's completion. */
const AWS = `#!/usr/bin/env bash
echo "aws $*" >>"$STUB_DIR/calls"
case " $* " in
  *" describe-auto-scaling-instances "*) echo kubeplane-dev-workers-batch ;;
  *" complete-lifecycle-action "*) ;;
  *) echo "aws: error: argument operation: Invalid choice" >&2; exit 252 ;;
esac
`;

function worker(pods: string, options: { pdb?: string[]; env?: Record<string, string>; args?: string[] } = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), "kubeplane-drain-"));
  mkdirSync(path.join(root, "usr/local/lib"), { recursive: true });
  symlinkSync(NODE_SOURCE_DIR, path.join(root, "usr/local/lib/kubeplane"));
  mkdirSync(path.join(root, "etc/kubeplane"), { recursive: true });
  const env = {
    KUBEPLANE_CLUSTER: "dev", KUBEPLANE_ROLE: "worker", KUBEPLANE_INSTALLER: "kubeadm", KUBEPLANE_KUBERNETES_VERSION: "1.36.5",
    KUBEPLANE_PARAMETER_BACKEND: "ssm", KUBEPLANE_CLOUD: "aws", KUBEPLANE_API_SERVER_PORT: "6443", KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "24",
    KUBEPLANE_PARAMETER_PATH: "/kubeplane/dev", KUBEPLANE_WORKER_JOIN_PARAMETER: "/kubeplane/dev/join/worker",
    KUBEPLANE_CONTROL_PLANE_ENDPOINT: "api.dev.kubeplane.internal", KUBEPLANE_AWS_REGION: "eu-west-1",
  };
  writeFileSync(path.join(root, "etc/kubeplane/cluster.env"), Object.entries(env).map(([k, v]) => `${k}='${v}'\n`).join(""));
  const stubs = path.join(root, "stubs");
  mkdirSync(stubs);
  for (const [name, text] of Object.entries({ curl: CURL, kubectl: KUBECTL, aws: AWS })) {
    writeFileSync(path.join(stubs, name), text);
    chmodSync(path.join(stubs, name), 0o755);
  }
  writeFileSync(path.join(stubs, "pods"), pods);
  writeFileSync(path.join(stubs, "pdb"), (options.pdb ?? []).map((p) => `${p}\n`).join(""));
  const result = spawnSync("bash", [path.join(NODE_SOURCE_DIR, "drain-on-termination.sh"), ...(options.args ?? ["--now"])], {
    env: { PATH: `${stubs}:${process.env.PATH}`, KUBEPLANE_ROOT: root, STUB_DIR: stubs, KUBEPLANE_DRAIN_RETRY_SECONDS: "0", KUBEPLANE_DRAIN_POLL_SECONDS: "0", ...options.env },
    encoding: "utf8",
    timeout: 30_000,
  });
  const calls = readFileSync(path.join(stubs, "calls"), "utf8").trim().split("\n");
  return { result, calls, podsLeft: readFileSync(path.join(stubs, "pods"), "utf8") };
}

const PODS = [
  "default|web-1|ReplicaSet|",
  "default|web-2|ReplicaSet|",
  "default|bare||",
  "kube-system|calico-node-x|DaemonSet|",
  "kube-system|kube-proxy-y|DaemonSet|",
  "kube-system|static-z||3f1c0e9a",
  "",
].join("\n");
const COMPLETE = "aws --region eu-west-1 autoscaling complete-lifecycle-action --lifecycle-hook-name kubeplane-drain --auto-scaling-group-name kubeplane-dev-workers-batch --instance-id i-0abc123def4567890 --lifecycle-action-result CONTINUE";

test("cordons, evicts what a drain evicts (not DaemonSet or mirror pods), then completes the hook", () => {
  const { result, calls, podsLeft } = worker(PODS);
  expect(result.stderr).toContain("node ip-10-0-1-5.eu-west-1.compute.internal is drained");
  expect(result.status).toBe(0);
  expect(calls[0]).toMatch(/^kubectl --kubeconfig \S+\/etc\/kubernetes\/kubelet\.conf cordon ip-10-0-1-5\.eu-west-1\.compute\.internal$/);
  expect(calls.filter((c) => c.includes("/eviction"))).toEqual([
    expect.stringContaining("create --raw /api/v1/namespaces/default/pods/web-1/eviction -f -"),
    expect.stringContaining("create --raw /api/v1/namespaces/default/pods/web-2/eviction -f -"),
    expect.stringContaining("create --raw /api/v1/namespaces/default/pods/bare/eviction -f -"),
  ]);
  expect(podsLeft).toBe("kube-system|calico-node-x|DaemonSet|\nkube-system|kube-proxy-y|DaemonSet|\nkube-system|static-z||3f1c0e9a\n");
  expect(calls[calls.length - 1]).toBe(COMPLETE);
});

test("a pod its disruption budget protects is retried until the timeout; then the termination goes on", () => {
  // Rounds a second apart for 4 s: at least two attempts even on a loaded machine (a round with
  // the stubs takes well under a second; a 1 s timeout with no pause made a single round).
  const { result, calls, podsLeft } = worker(PODS, { pdb: ["web-2"], env: { KUBEPLANE_DRAIN_TIMEOUT_SECONDS: "4", KUBEPLANE_DRAIN_RETRY_SECONDS: "1" } });
  expect(result.status).toBe(0);
  expect(result.stderr).toMatch(/1 pod\(s\) not evicted yet \(a disruption budget\)/);
  expect(result.stderr).toContain("drain timed out after 4s");
  expect(calls.filter((c) => c.includes("pods/web-2/eviction")).length).toBeGreaterThan(1);
  expect(podsLeft).toContain("default|web-2|");
  expect(podsLeft).not.toContain("default|web-1|");
  expect(calls[calls.length - 1]).toBe(COMPLETE);
});

test("the watch waits while the instance is in service and drains once it is terminating", () => {
  const { result, calls } = worker(PODS, { args: [], env: { STUB_IN_SERVICE_POLLS: "3" } });
  expect(result.status).toBe(0);
  expect(result.stderr).toContain("the auto-scaling group is terminating i-0abc123def4567890: draining ip-10-0-1-5.eu-west-1.compute.internal");
  expect(calls[calls.length - 1]).toBe(COMPLETE);
});
