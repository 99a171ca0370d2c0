/**
 * The GCP node modules against the GCP fake (one per suite, __tests__/support/gcp-fake): the
 * metadata lookups and the node's own calls (metadata/gcp.sh), the Secret Manager parameter backend
 * (backends/gcp-secret-manager.sh: names to secret ids, the atomic create, versions for leases,
 * etag-conditional deletes, errors as status 3 or logged failures), the bundle loader
 * (bundle/gcs.sh), the preemption watch (termination/gcp.sh) and the control-plane listing
 * (etcd-cloud/gcp.sh). Real curl, jq and base64; the fake answers as Google's APIs do.
 */
import { spawnSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { tarGz } from "../../../bootstrap/bundle";
import { GcpFake } from "../../support/gcp-fake/gcp-fake";
import { runWithModules, scratchRoot, ShellRun } from "./node-module-shell";

let fake: GcpFake;
const GROUP = "projects/480154712953/regions/europe-west1/instanceGroupManagers/kubeplane-dev-workers";

beforeAll(async () => {
  fake = await GcpFake.start();
  await fake.addVm("dev-worker-a1b2", { zone: "europe-west1-c", ip: "10.10.0.7", createdBy: GROUP, labels: { "kubeplane-cluster": "dev", "kubeplane-role": "worker" } });
  await fake.addVm("dev-control-plane-0", { zone: "europe-west1-b", ip: "10.10.0.2", labels: { "kubeplane-cluster": "dev", "kubeplane-role": "control-plane" } });
  await fake.addVm("dev-control-plane-1", { zone: "europe-west1-c", ip: "10.10.0.3", labels: { "kubeplane-cluster": "dev", "kubeplane-role": "control-plane" } });
  await fake.addVm("dev-control-plane-2", { zone: "europe-west1-d", ip: "10.10.0.4", labels: { "kubeplane-cluster": "dev", "kubeplane-role": "control-plane" } });
  await fake.addVm("prod-control-plane-0", { ip: "10.20.0.2", labels: { "kubeplane-cluster": "prod", "kubeplane-role": "control-plane" } });
  await fake.setStatus("dev-control-plane-2", "TERMINATED");
});
afterAll(() => fake.stop());

const CLUSTER_ENV = {
  KUBEPLANE_CLUSTER: "dev",
  KUBEPLANE_GCP_PROJECT: "kubeplane-sim",
  KUBEPLANE_PARAMETER_PATH: "kubeplane/dev",
  KUBEPLANE_REFRESH_REQUEST: "kubeplane/dev/refresh/request",
};

/** Runs `script` on VM `vm` with the GCP cloud module and backend sourced. */
function onVm(vm: string, script: string, extra: Record<string, string> = {}): ShellRun {
  return runWithModules(["metadata/gcp.sh", "backends/gcp-secret-manager.sh"], `mkdir -p "$KUBEPLANE_STATE_DIR"\n${script}`, {
    ...CLUSTER_ENV,
    ...fake.env(vm),
    ...extra,
  });
}

const secret = async (id: string) => (await fake.state()).secrets[id];

describe("metadata/gcp.sh", () => {
  it("reads the node's identity from the metadata server", async () => {
    const vm = await fake.vm("dev-worker-a1b2");
    const run = onVm("dev-worker-a1b2", 'metadata_load\necho "$NODE_INSTANCE_ID|$NODE_NAME|$NODE_ZONE|$NODE_REGION|$NODE_IP|$NODE_PROJECT|$NODE_PROVIDER_ID"');
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(`${vm.id}|dev-worker-a1b2|europe-west1-c|europe-west1|10.10.0.7|kubeplane-sim|gce://kubeplane-sim/europe-west1-c/dev-worker-a1b2`);
  });

  it("fails when the metadata server is not there", () => {
    const run = onVm("dev-worker-a1b2", "metadata_load", { KUBEPLANE_GCP_METADATA_URL: `${fake.url}/vm/no-such-vm/computeMetadata/v1` });
    expect(run.status).not.toBe(0);
  });

  it("records the bootstrap state as the guest attribute kubeplane/bootstrap", async () => {
    const run = onVm("dev-worker-a1b2", 'metadata_load\ncloud_tag_node kubeplane:bootstrap "failed: joining the cluster"');
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect((await fake.vm("dev-worker-a1b2")).guestAttributes).toEqual({ "kubeplane/bootstrap": "failed: joining the cluster" });
  });

  it("leaves a failed worker to the autohealing of the managed instance group that made it: no recreateInstances, which no node is granted", async () => {
    const run = onVm("dev-worker-a1b2", "metadata_load\ncloud_replace_node");
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      "kubeplane node: the managed instance group kubeplane-dev-workers (regions/europe-west1) recreates instance dev-worker-a1b2 by autohealing " +
        "once its health check (kube-proxy's /healthz) fails, after the group's initial delay; nodes are granted no compute.instanceGroupManagers.update to ask sooner\n",
    );
    expect((await fake.state()).recreations).toEqual([]);
  });

  it("refuses to replace a VM no managed instance group made", () => {
    const run = onVm("dev-control-plane-0", "metadata_load\ncloud_replace_node");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("instance dev-control-plane-0 was not created by a managed instance group");
  });

  it("points the clock at the metadata server", () => {
    const root = scratchRoot();
    const run = runWithModules(["metadata/gcp.sh"], "cloud_prepare_node", { PATH: `${stubDir({ systemctl: "exit 0" })}:${process.env.PATH}` }, root);
    expect(run.status).toBe(0);
    expect(spawnSync("cat", [path.join(root, "etc/systemd/timesyncd.conf.d/kubeplane-gcp.conf")], { encoding: "utf8" }).stdout).toBe("[Time]\nNTP=metadata.google.internal\n");
  });
});

describe("backends/gcp-secret-manager.sh", () => {
  it("creates a record once, atomically, with its value, label and name: the second create is status 3", async () => {
    const run = onVm("dev-control-plane-0", [
      'backend_create kubeplane/dev/join/rotation-lock "node-a 100"; echo "first $?"',
      'rc=0; backend_create kubeplane/dev/join/rotation-lock "node-b 200" || rc=$?; echo "second $rc"',
      'echo "$(backend_get kubeplane/dev/join/rotation-lock)"',
    ].join("\n"));
    expect(run.stdout).toBe("first 0\nsecond 3\nnode-a 100\n");
    expect(await secret("kubeplane_dev_join_rotation-lock")).toMatchObject({
      labels: { "kubeplane-cluster": "dev" },
      annotations: { "kubeplane-name": "kubeplane/dev/join/rotation-lock", "kubeplane-value": "node-a 100" },
      versions: [],
    });
  });

  it("maps /kubeplane/<cluster>/... and kubeplane/<cluster>/... to the same id, and refuses a name it cannot map", () => {
    const run = onVm("dev-control-plane-0", [
      'backend_create /kubeplane/dev/status/replacements/1-1 "x"',
      'rc=0; backend_create kubeplane/dev/status/replacements/1-1 "y" || rc=$?; echo "taken $rc"',
      'rc=0; backend_create "kubeplane/dev/with space" "z" || rc=$?; echo "unmappable $rc"',
      'rc=0; backend_create "kubeplane/dev/under_score" "z" || rc=$?; echo "underscore $rc"',
    ].join("\n"));
    expect(run.stdout).toBe("taken 3\nunmappable 1\nunderscore 1\n");
    expect(run.stderr).toContain("the name 'kubeplane/dev/with space' has no Secret Manager secret id");
  });

  it("publishes a lease as a version (base64), reads `latest`, and destroys the version before", async () => {
    await fake.api("POST", "/secretmanager/v1/projects/kubeplane-sim/secrets?secretId=kubeplane_dev_join_worker", { replication: { automatic: {} }, labels: { "kubeplane-cluster": "dev" } });
    const lease = `{"version":1,"command":"kubeadm join api:6443 --token abcdef.0123456789abcdef","note":"quotes \\" and $dollars"}`;
    const run = onVm("dev-control-plane-0", [
      'rc=0; backend_get kubeplane/dev/join/worker || rc=$?; echo "unpublished $rc"',
      "backend_put kubeplane/dev/join/worker first",
      'backend_put kubeplane/dev/join/worker "$LEASE"',
      'echo "$(backend_get kubeplane/dev/join/worker)"',
    ].join("\n"), { LEASE: lease });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`unpublished 3\n${lease}\n`);
    const stored = await secret("kubeplane_dev_join_worker");
    expect(stored.versions.map((v) => v.state)).toEqual(["DESTROYED", "ENABLED"]);
    expect(Buffer.from(stored.versions[1].data, "base64").toString()).toBe(lease);
  });

  it("fails to publish a lease whose secret Terraform did not make", () => {
    const run = onVm("dev-control-plane-0", "backend_put kubeplane/dev/join/control-plane lease");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/gcp POST .*kubeplane_dev_join_control-plane:addVersion failed: HTTP 404 NOT_FOUND/);
  });

  it("overwrites a record (backend_record) whether or not it exists", async () => {
    const run = onVm("dev-worker-a1b2", [
      'backend_record kubeplane/dev/status/42 "{\\"state\\":\\"failed\\"}"',
      'backend_record kubeplane/dev/status/42 "{\\"state\\":\\"ready\\"}"',
      'echo "$(backend_get kubeplane/dev/status/42)"',
    ].join("\n"));
    expect(run.stdout).toBe('{"state":"ready"}\n');
    expect((await secret("kubeplane_dev_status_42")).labels).toEqual({ "kubeplane-cluster": "dev" });
  });

  it("deletes: status 3 when missing; after a read, only if the record is still the one read", async () => {
    const run = onVm("dev-control-plane-0", [
      'backend_create kubeplane/dev/join/control-plane-join-lock "node-a 100"',
      "backend_get kubeplane/dev/join/control-plane-join-lock >/dev/null",
      // Meanwhile another node took the lock over.
      'KUBEPLANE_STATE_DIR=$(mktemp -d) backend_record kubeplane/dev/join/control-plane-join-lock "node-b 300"',
      'rc=0; backend_delete kubeplane/dev/join/control-plane-join-lock || rc=$?; echo "stale $rc"',
      'echo "$(backend_get kubeplane/dev/join/control-plane-join-lock)"',
      "backend_get kubeplane/dev/join/control-plane-join-lock >/dev/null",
      'backend_delete kubeplane/dev/join/control-plane-join-lock; echo "current $?"',
      'rc=0; backend_delete kubeplane/dev/join/control-plane-join-lock || rc=$?; echo "missing $rc"',
      'rc=0; backend_get kubeplane/dev/join/control-plane-join-lock || rc=$?; echo "get $rc"',
    ].join("\n"));
    expect(run.stdout).toBe("stale 3\nnode-b 300\ncurrent 0\nmissing 3\nget 3\n");
    expect(await secret("kubeplane_dev_join_control-plane-join-lock")).toBeUndefined();
  });

  it("leaves the refresh request record, once (a pending one is not an error)", async () => {
    const run = onVm("dev-worker-a1b2", "metadata_load\nbackend_request_refresh\nbackend_request_refresh\nbackend_requests_by_record && echo by-record");
    expect(run.stdout).toBe("by-record\n");
    expect(run.stderr).toContain("asked the control plane for a fresh join lease");
    expect(run.stderr).toContain("a request for a fresh join lease is pending");
    const vm = await fake.vm("dev-worker-a1b2");
    expect((await secret("kubeplane_dev_refresh_request")).annotations["kubeplane-value"]).toMatch(new RegExp(`^${vm.id} \\d+$`));
  });

  it("finds an unpublished lease missing (status 3) for a caller that may only access its versions", async () => {
    await fake.addVm("dev-worker-accessor", { denySecretGet: true });
    await fake.api("POST", "/secretmanager/v1/projects/kubeplane-sim/secrets?secretId=kubeplane_dev_join_unpublished", { replication: { automatic: {} } });
    const run = onVm("dev-worker-accessor", 'rc=0; backend_get kubeplane/dev/join/unpublished || rc=$?; echo "status $rc"');
    expect(run.stdout).toBe("status 3\n");
  });

  it("reports a denial as a logged failure (status 1), not as missing", () => {
    const run = onVm("dev-control-plane-0", 'rc=0; backend_get kubeplane/dev/join/worker || rc=$?; echo "status $rc"', { KUBEPLANE_GCP_PROJECT: "someone-else" });
    expect(run.stdout).toBe("status 1\n");
    expect(run.stderr).toContain("was denied: HTTP 403 PERMISSION_DENIED");
  });

  it("reports a missing token as a failure: the API refuses the call (401)", () => {
    const run = onVm("dev-control-plane-0", 'rc=0; backend_get kubeplane/dev/join/worker || rc=$?; echo "status $rc"', {
      KUBEPLANE_GCP_METADATA_URL: `${fake.url}/vm/no-such-vm/computeMetadata/v1`,
    });
    expect(run.stdout).toBe("status 1\n");
    expect(run.stderr).toContain("could not get an access token from the metadata server");
  });

  it("names gcloud in the operator's removal hint", () => {
    const run = onVm("dev-control-plane-0", "backend_removal_hint /kubeplane/dev/cluster/claim");
    expect(run.stdout).toBe("gcloud secrets delete kubeplane_dev_cluster_claim --project kubeplane-sim --quiet");
  });
});

describe("termination/gcp.sh", () => {
  it("sees a preemption notice, and shortens the drain to fit in it", async () => {
    await fake.addVm("dev-worker-spot");
    const script = ". \"$KUBEPLANE_LIB/termination/gcp.sh\"\nDRAIN_TIMEOUT_SECONDS=$KUBEPLANE_DRAIN_TIMEOUT_SECONDS\nNODE_NAME=dev-worker-spot\nif termination_pending; then echo \"pending $DRAIN_TIMEOUT_SECONDS\"; else echo \"running $DRAIN_TIMEOUT_SECONDS\"; fi";
    expect(onVm("dev-worker-spot", script).stdout).toBe("running 60\n");
    await fake.preempt("dev-worker-spot");
    expect(onVm("dev-worker-spot", script).stdout).toBe("pending 20\n");
  });
});

describe("etcd-cloud/gcp.sh", () => {
  it("lists the cluster's control-plane instances that run, by name and address", () => {
    const run = onVm("dev-control-plane-0", `metadata_load\n. "$KUBEPLANE_LIB/etcd-cloud/gcp.sh"\netcd_cloud_live_nodes`);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n").sort()).toEqual(["10.10.0.2", "10.10.0.3", "dev-control-plane-0", "dev-control-plane-1"]);
  });
});

describe("bundle/gcs.sh", () => {
  // Not under usr/local/lib/kubeplane: in a scratch root that is a link to bootstrap/node itself.
  const archive = tarGz([{ path: "/usr/local/share/kubeplane-test/hello.sh", permissions: "0644", content: "echo hello\n", isStatic: true }]);
  const sha256 = (data: Buffer) => require("crypto").createHash("sha256").update(data).digest("hex") as string;

  function fetchBundle(settings: Record<string, string>): { run: ShellRun; root: string } {
    const root = scratchRoot();
    mkdirSync(path.join(root, "etc/kubeplane"), { recursive: true });
    writeFileSync(path.join(root, "etc/kubeplane/cluster.env"), Object.entries(settings).map(([k, v]) => `${k}='${v}'`).join("\n") + "\n");
    const result = spawnSync("bash", [path.join(root, "usr/local/lib/kubeplane/bundle/gcs.sh")], {
      env: { PATH: process.env.PATH, KUBEPLANE_ROOT: root, KUBEPLANE_BUNDLE_RETRY_SECONDS: "0", ...fake.env("dev-worker-a1b2") },
      encoding: "utf8",
    });
    return { run: { status: result.status, stdout: result.stdout, stderr: result.stderr }, root };
  }

  it("fetches the object with the node's token, checks its SHA-256 and unpacks it", async () => {
    await fake.putObject("kubeplane-dev-bundles", "worker/bundle.tar.gz", archive);
    const { run, root } = fetchBundle({ KUBEPLANE_BUNDLE_BUCKET: "kubeplane-dev-bundles", KUBEPLANE_BUNDLE_OBJECT: "worker/bundle.tar.gz", KUBEPLANE_BUNDLE_SHA256: sha256(archive) });
    expect(run.stderr).toContain("unpacked the bundle worker/bundle.tar.gz");
    expect(run.status).toBe(0);
    expect(spawnSync("cat", [path.join(root, "usr/local/share/kubeplane-test/hello.sh")], { encoding: "utf8" }).stdout).toBe("echo hello\n");
  });

  it("fetches the generation it is pinned to, not the live one", async () => {
    const first = await fake.putObject("kubeplane-dev-bundles", "pinned.tar.gz", archive);
    await fake.putObject("kubeplane-dev-bundles", "pinned.tar.gz", Buffer.from("a newer upload"));
    const { run } = fetchBundle({ KUBEPLANE_BUNDLE_BUCKET: "kubeplane-dev-bundles", KUBEPLANE_BUNDLE_OBJECT: "pinned.tar.gz", KUBEPLANE_BUNDLE_GENERATION: String(first), KUBEPLANE_BUNDLE_SHA256: sha256(archive) });
    expect(run.status).toBe(0);
  });

  it("refuses a bundle whose SHA-256 is not the one the user data names", async () => {
    const { run } = fetchBundle({ KUBEPLANE_BUNDLE_BUCKET: "kubeplane-dev-bundles", KUBEPLANE_BUNDLE_OBJECT: "pinned.tar.gz", KUBEPLANE_BUNDLE_SHA256: sha256(archive) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error: gs://kubeplane-dev-bundles/pinned.tar.gz does not have the SHA-256 the user data names");
  });

  it("gives up after five attempts on a missing object, saying what Cloud Storage answered", () => {
    const { run } = fetchBundle({ KUBEPLANE_BUNDLE_BUCKET: "kubeplane-dev-bundles", KUBEPLANE_BUNDLE_OBJECT: "missing.tar.gz", KUBEPLANE_BUNDLE_SHA256: "0".repeat(64) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Cloud Storage answered HTTP 404: No such object: kubeplane-dev-bundles/missing.tar.gz");
    expect(run.stderr).toContain("fetching the bundle failed (attempt 4 of 5)");
    expect(run.stderr).toContain("error: could not fetch gs://kubeplane-dev-bundles/missing.tar.gz");
  });
});

/** A directory of stub commands, each a bash body. */
function stubDir(stubs: Record<string, string>): string {
  const dir = path.join(scratchRoot(), "bin");
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(stubs)) writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  return dir;
}
