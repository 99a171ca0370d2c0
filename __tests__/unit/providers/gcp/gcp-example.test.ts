/**
 * The GCP example (clusters/gcp-dev.yaml), synthesized once as `cdktf synth` does: every piece of
 * issue 16 in its Terraform, the GCP rule pack clean on it, its user data valid cloud-config.
 * Terraform's google provider is not in this machine's mirror, so nothing here runs Terraform.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ComputeForwardingRule } from "@cdktf/provider-google/lib/compute-forwarding-rule";
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeRegionBackendService } from "@cdktf/provider-google/lib/compute-region-backend-service";
import { ComputeRegionInstanceGroupManager } from "@cdktf/provider-google/lib/compute-region-instance-group-manager";
import { ComputeRouterNat } from "@cdktf/provider-google/lib/compute-router-nat";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { DnsManagedZone } from "@cdktf/provider-google/lib/dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { Testing } from "cdktf";
import { exampleDefinition, resourcesOf, synthesizeCluster, TerraformJson } from "../../../support/examples";
import { addClusterStacks } from "../../../../stacks/cluster-stacks";
import { methodOf, RECREATE_INSTANCES, REST_METHODS, RestMethod, ROLE_PERMISSIONS, scriptCalls } from "./gcp-node-calls";

const definition = exampleDefinition("gcp-dev");
const synth = synthesizeCluster(definition);
const { network, cluster, clusterJson } = synth;
afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));

const firewallRules = () => resourcesOf(clusterJson, "google_compute_firewall") as Record<string, any>[];
const ruleNamed = (suffix: string) => {
  const rule = firewallRules().find((r) => r.name === `kp-gcp-dev-${suffix}`);
  if (!rule) throw new Error(`no firewall rule kp-gcp-dev-${suffix}; rules: ${firewallRules().map((r) => r.name).join(", ")}`);
  return rule;
};
const instances = () => resourcesOf(clusterJson, "google_compute_instance") as Record<string, any>[];

describe("network", () => {
  test("a VPC network without automatic subnets, one regional subnet with flow logs and Private Google Access", () => {
    expect(network).toHaveResourceWithProperties(ComputeNetwork, { name: "kp-gcp-dev", auto_create_subnetworks: false });
    expect(network).toHaveResourceWithProperties(ComputeSubnetwork, {
      ip_cidr_range: "10.20.0.0/16",
      private_ip_google_access: true,
      log_config: { aggregation_interval: "INTERVAL_5_SEC", flow_sampling: 1, metadata: "INCLUDE_ALL_METADATA" },
    });
    expect(resourcesOf(synth.networkJson, "google_compute_subnetwork")).toHaveLength(1);
  });
  test("Cloud Router and Cloud NAT for the nodes' subnet", () => {
    expect(network).toHaveResourceWithProperties(ComputeRouterNat, { nat_ip_allocate_option: "AUTO_ONLY", source_subnetwork_ip_ranges_to_nat: "LIST_OF_SUBNETWORKS" });
  });
  test("the remote state of a GCS definition is GCS's, per stack", () => {
    const gcs = { ...definition, state: { backend: "gcs" as const, bucket: "my-state", prefix: "clusters/gcp-dev" } };
    const app = Testing.app();
    const stacks = addClusterStacks(app, gcs);
    const backendOf = (stack: typeof stacks.network | typeof stacks.cluster) => (JSON.parse(Testing.synth(stack)) as TerraformJson).terraform?.backend;
    expect(backendOf(stacks.network)).toEqual({ gcs: { bucket: "my-state", prefix: "clusters/gcp-dev/gcp-dev-network" } });
    expect(backendOf(stacks.cluster)).toEqual({ gcs: { bucket: "my-state", prefix: "clusters/gcp-dev/gcp-dev-cluster" } });
  });
});

describe("firewall: what the AWS firewall opens, by network tag", () => {
  test("the API from inside the network, etcd and the controllers between control-plane nodes", () => {
    expect(ruleNamed("control-plane-api")).toMatchObject({ direction: "INGRESS", source_ranges: ["10.20.0.0/16"], target_tags: ["kp-gcp-dev-control-plane"], allow: [{ protocol: "tcp", ports: ["6443"] }] });
    expect(ruleNamed("control-plane-peers")).toMatchObject({ source_tags: ["kp-gcp-dev-control-plane"], allow: [{ ports: ["2379-2380"] }, { ports: ["10257"] }, { ports: ["10259"] }] });
  });
  test("kubelet and Calico's ports between nodes (IP-in-IP as protocol 4)", () => {
    expect(ruleNamed("nodes-from-nodes").allow).toEqual([
      { protocol: "tcp", ports: ["10250"] },
      { protocol: "tcp", ports: ["179"] },
      { protocol: "4" },
      { protocol: "udp", ports: ["4789"] },
      { protocol: "tcp", ports: ["5473"] },
    ]);
  });
  test("Google's health-check ranges only where a health check probes", () => {
    const healthCheckRules = firewallRules().filter((r) => (r.source_ranges ?? []).includes("35.191.0.0/16"));
    expect(healthCheckRules.map((r) => [r.name, r.source_ranges, r.target_tags, r.allow]).sort()).toEqual([
      ["kp-gcp-dev-control-plane-health-checks", ["35.191.0.0/16", "130.211.0.0/22"], ["kp-gcp-dev-control-plane"], [{ protocol: "tcp", ports: ["6443"] }]],
      ["kp-gcp-dev-workers-health-checks", ["35.191.0.0/16", "130.211.0.0/22"], ["kp-gcp-dev-workers"], [{ protocol: "tcp", ports: ["10256"] }]],
    ]);
  });
  test("IAP's range reaches SSH and the API on the control plane, SSH on the bastion, nothing else", () => {
    const iap = firewallRules().filter((r) => (r.source_ranges ?? []).includes("35.235.240.0/20"));
    expect(iap.map((r) => [r.target_tags, r.allow]).sort()).toEqual([
      [["kp-gcp-dev-bastion"], [{ protocol: "tcp", ports: ["22"] }]],
      [["kp-gcp-dev-control-plane"], [{ protocol: "tcp", ports: ["22"] }, { protocol: "tcp", ports: ["6443"] }]],
    ]);
  });
  test("no ingress from anywhere else; egress is HTTPS/HTTP out and the network, the rest denied", () => {
    const ingressSources = firewallRules().filter((r) => r.direction === "INGRESS").flatMap((r) => r.source_ranges ?? []);
    expect([...new Set(ingressSources)].sort()).toEqual(["10.20.0.0/16", "130.211.0.0/22", "35.191.0.0/16", "35.235.240.0/20"]);
    expect(ruleNamed("egress-web")).toMatchObject({ direction: "EGRESS", destination_ranges: ["0.0.0.0/0"], allow: [{ protocol: "tcp", ports: ["443"] }, { protocol: "tcp", ports: ["80"] }] });
    expect(ruleNamed("egress-deny")).toMatchObject({ direction: "EGRESS", priority: 65000, deny: [{ protocol: "all" }] });
  });
});

describe("identity", () => {
  test("one service account per role, no primitive role, never the default compute account", () => {
    const accounts = resourcesOf(clusterJson, "google_service_account").map((a) => a.account_id).sort();
    expect(accounts).toEqual(["kp-gcp-dev-bastion", "kp-gcp-dev-cp", "kp-gcp-dev-ops", "kp-gcp-dev-worker"]);
    const roles = resourcesOf(clusterJson, "google_project_iam_member").map((m) => m.role);
    expect(roles).not.toEqual(expect.arrayContaining(["roles/owner"]));
    expect(roles.filter((r) => /^roles\/(owner|editor|viewer)$/.test(String(r)))).toEqual([]);
    for (const node of instances()) expect(node.service_account.email).toMatch(/^\$\{google_service_account\./);
  });
  test("the rule facts name the service accounts the stack makes and the worker's lease secret", () => {
    const { cluster: stack } = addClusterStacks(Testing.app(), definition);
    const accounts = resourcesOf(clusterJson, "google_service_account").map((a) => a.account_id);
    for (const name of [...stack.ruleFacts.controlPlaneRoles, ...stack.ruleFacts.workerRoles]) expect(accounts).toContain(name);
    expect(stack.ruleFacts.workerJoinParameter).toBe("/kubeplane/gcp-dev/join/worker");
    expect(resourcesOf(clusterJson, "google_secret_manager_secret").map((s) => s.secret_id)).toContain("kubeplane_gcp-dev_join_worker");
  });
  test("workers may read the worker lease secret alone, and write only their own records", () => {
    const bindings = resourcesOf(clusterJson, "google_secret_manager_secret_iam_member");
    expect(bindings).toHaveLength(1);
    expect(bindings[0]).toMatchObject({ role: "roles/secretmanager.secretAccessor", secret_id: expect.stringMatching(/worker-secret/) });
    const workerRecords = resourcesOf(clusterJson, "google_project_iam_member").find((m) => String((m.condition as any)?.title).endsWith("worker-records")) as any;
    expect(workerRecords.condition.expression).toMatch(/secrets\/kubeplane_gcp-dev_status_"\) \|\| resource\.name\.startsWith\(".*secrets\/kubeplane_gcp-dev_refresh_request"\)/);
    expect(workerRecords.condition.expression).not.toMatch(/join/);
  });
});

describe("control plane and workers", () => {
  const controlPlane = () => instances().filter((i) => i.labels?.["kubeplane-role"] === "control-plane");
  test("three control-plane nodes spread over the three zones", () => {
    expect(controlPlane().map((i) => i.zone)).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
  });
  test("every node: Shielded VM, no external address, OS Login, no serial port, no project SSH keys, no ssh-keys", () => {
    const templates = resourcesOf(clusterJson, "google_compute_instance_template") as Record<string, any>[];
    for (const node of [...instances(), ...templates]) {
      expect(node.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
      expect(node.network_interface.every((n: Record<string, unknown>) => n.access_config === undefined)).toBe(true);
      expect(node.metadata).toMatchObject({ "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "serial-port-enable": "FALSE" });
      expect(Object.keys(node.metadata)).not.toContain("ssh-keys");
    }
    for (const node of controlPlane()) {
      expect(node).toMatchObject({ machine_type: "e2-standard-2", boot_disk: { auto_delete: true, initialize_params: { size: 50, type: "pd-balanced" } } });
      expect(node.boot_disk.disk_encryption_key_raw).toBeUndefined();
    }
    expect(cluster).toHaveResourceWithProperties(ComputeInstance, { name: "kp-gcp-dev-bastion", machine_type: "e2-micro" });
  });
  test("an internal passthrough load balancer on 6443 with a health check of /readyz, a group per zone", () => {
    expect(cluster).toHaveResourceWithProperties(ComputeForwardingRule, { load_balancing_scheme: "INTERNAL", ip_protocol: "TCP", ports: ["6443"] });
    expect(cluster).toHaveResourceWithProperties(ComputeRegionBackendService, { load_balancing_scheme: "INTERNAL", protocol: "TCP" });
    const healthCheck = resourcesOf(clusterJson, "google_compute_region_health_check")[0];
    expect(healthCheck.https_health_check).toEqual({ port: 6443, request_path: "/readyz" });
    const groups = resourcesOf(clusterJson, "google_compute_instance_group") as Record<string, any>[];
    expect(groups.map((g) => [g.zone, g.instances.length])).toEqual([["europe-west1-b", 1], ["europe-west1-c", 1], ["europe-west1-d", 1]]);
  });
  test("the API's name in a Cloud DNS private zone, pointing at the balancer's address", () => {
    expect(cluster).toHaveResourceWithProperties(DnsManagedZone, { dns_name: "gcp-dev.kubeplane.internal.", visibility: "private" });
    expect(cluster).toHaveResourceWithProperties(DnsRecordSet, { name: "api.gcp-dev.kubeplane.internal.", type: "A", rrdatas: [expect.stringMatching(/^\$\{google_compute_forwarding_rule\..*\.ip_address\}$/)] });
  });
  test("workers: an instance template and a regional managed instance group with autohealing on kube-proxy's health port", () => {
    const [template] = resourcesOf(clusterJson, "google_compute_instance_template") as Record<string, any>[];
    expect(template).toMatchObject({ machine_type: "e2-standard-4", metadata: { "shutdown-script": "/usr/local/sbin/kubeplane-drain --now" }, tags: ["kp-gcp-dev-nodes", "kp-gcp-dev-workers"] });
    expect(template.labels).toMatchObject({ "kubeplane-cluster": "gcp-dev", "kubeplane-role": "worker" });
    expect(cluster).toHaveResourceWithProperties(ComputeRegionInstanceGroupManager, {
      target_size: 3,
      distribution_policy_zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
      auto_healing_policies: { health_check: expect.stringMatching(/^\$\{google_compute_health_check\./), initial_delay_sec: 900 },
      update_policy: { type: "PROACTIVE", minimal_action: "REPLACE", max_surge_fixed: 3, max_unavailable_fixed: 0 },
    });
    expect(resourcesOf(clusterJson, "google_compute_health_check")[0].http_health_check).toEqual({ port: 10256, request_path: "/healthz" });
  });
});

describe("join lease and node bundle", () => {
  test("the lease secrets are made with no version: no value in Terraform", () => {
    expect(cluster).toHaveResourceWithProperties(SecretManagerSecret, { secret_id: "kubeplane_gcp-dev_join_control-plane", replication: { auto: {} } });
    expect(clusterJson.resource.google_secret_manager_secret_version).toBeUndefined();
  });
  test("a bundle bucket with uniform access, public access prevention and versioning; each role's archive beside the stack", () => {
    expect(cluster).toHaveResourceWithProperties(StorageBucket, { uniform_bucket_level_access: true, public_access_prevention: "enforced", versioning: { enabled: true } });
    const objects = resourcesOf(clusterJson, "google_storage_bucket_object") as Record<string, any>[];
    expect(objects.map((o) => o.name.replace(/-[0-9a-f]{64}\.tar\.gz$/, "")).sort()).toEqual(["bundles/control-plane-init", "bundles/control-plane-join", "bundles/worker"]);
    for (const o of objects) expect(existsSync(path.join(synth.outdir, "stacks", "gcp-dev-cluster", o.source))).toBe(true);
    const readers = resourcesOf(clusterJson, "google_storage_bucket_iam_member") as Record<string, any>[];
    expect(readers.map((r) => [r.role, r.condition.expression.match(/bundles\/[a-z-]+-/g)])).toEqual([
      ["roles/storage.objectViewer", ["bundles/control-plane-init-", "bundles/control-plane-join-"]],
      ["roles/storage.objectViewer", ["bundles/worker-"]],
    ]);
  });
  test("kubeadm init's bundle carries the GCP cloud controller's kustomization at the table's release; the others none", () => {
    const objects = resourcesOf(clusterJson, "google_storage_bucket_object") as Record<string, any>[];
    const entries = (role: string) => {
      const o = objects.find((x) => x.name.startsWith(`bundles/${role}-`))!;
      const listed = spawnSync("tar", ["-tzf", path.join(synth.outdir, "stacks", "gcp-dev-cluster", o.source)], { encoding: "utf8" });
      expect(listed.status).toBe(0);
      return listed.stdout.split("\n").filter((e) => e.includes("addons/"));
    };
    expect(entries("control-plane-init").filter((e) => e.endsWith(".yaml")).map((e) => e.replace(/^\.?\/?(.*\/)?etc\/kubeplane\//, "etc/kubeplane/"))).toEqual(["etc/kubeplane/addons/10-gcp-cloud-controller-manager/kustomization.yaml"]);
    expect(entries("control-plane-join")).toEqual([]);
    expect(entries("worker")).toEqual([]);
  });
  test("nodes get the loader, the backend and the bundle's settings in metadata user-data, which is valid cloud-config", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kubeplane-gcp-user-data-"));
    try {
      const userData = [...instances().filter((i) => i.metadata["user-data"]), ...(resourcesOf(clusterJson, "google_compute_instance_template") as any[])].map((n) => n.metadata["user-data"] as string);
      expect(userData).toHaveLength(4);
      for (const text of userData) {
        expect(text).toMatch(/KUBEPLANE_CLOUD='gcp'/);
        expect(text).toMatch(/KUBEPLANE_PARAMETER_BACKEND='gcp-secret-manager'/);
        expect(text).toMatch(/KUBEPLANE_GCP_PROJECT='\$\{data\.google_project\./);
        expect(text).toMatch(/KUBEPLANE_BUNDLE_OBJECT='bundles\/[a-z-]+-[0-9a-f]{64}\.tar\.gz'/);
        expect(text).toContain("/usr/local/sbin/kubeplane-fetch-bundle");
      }
      // One cloud-init run per distinct document (the two joining nodes' are the same): init, join, worker.
      const distinct = [...new Set(userData)];
      expect(distinct).toHaveLength(3);
      const files = distinct.map((text, i) => {
        const file = path.join(dir, `user-data-${i}.yaml`);
        writeFileSync(file, text);
        return file;
      });
      const script = files.map((f) => `cloud-init schema --config-file ${f} || exit 1`).join("\n");
      const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
      expect(result.stderr).toBe("");
      expect(result.stdout.match(/Valid cloud-config/g)).toHaveLength(3);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the node grants cover the node scripts' Google API calls, and no more than their reach", () => {
  type Kind = "control-plane" | "worker";
  type Target = { type: string; name: string; secret?: string; bucket?: string };
  const str = (x: unknown) => String(x);
  const json = clusterJson as any;
  const accountKey = (kind: Kind) =>
    Object.entries(json.resource.google_service_account).find(([, a]: [string, any]) => a.account_id === `kp-gcp-dev-${kind === "worker" ? "worker" : "cp"}`)![0];
  const memberOf = (kind: Kind) => `serviceAccount:\${google_service_account.${accountKey(kind)}.email}`;
  const expressions = (Object.values(json.resource.google_project_iam_member) as any[]).map((b) => b.condition?.expression).filter(Boolean).join(" ");
  const projectNumber = /projects\/(\$\{[^}]+\})\/secrets\//.exec(expressions)![1];
  const secretIdOf = (token: string) => {
    const key = /google_secret_manager_secret\.([^.]+)\./.exec(token)![1];
    return json.resource.google_secret_manager_secret[key].secret_id as string;
  };
  const bundleBucket = str((resourcesOf(clusterJson, "google_storage_bucket_object")[0] as any).bucket);
  const secret = (name: string): Target => {
    const id = `kubeplane_gcp-dev_${name.replace(/\//g, "_")}`;
    return { type: "secretmanager.googleapis.com/Secret", name: `projects/${projectNumber}/secrets/${id}`, secret: id };
  };
  const project: Target = { type: "cloudresourcemanager.googleapis.com/Project", name: `projects/${projectNumber}` };
  const bundle = (role: string): Target => ({ type: "storage.googleapis.com/Object", name: `projects/_/buckets/${bundleBucket}/objects/bundles/${role}-${"a".repeat(64)}.tar.gz`, bucket: bundleBucket });
  const group: Target = { type: "compute.googleapis.com/InstanceGroupManager", name: "projects/1/regions/europe-west1/instanceGroupManagers/kp-gcp-dev-workers" };

  // A condition of the forms providers/gcp writes; anything else fails the test rather than pass unread.
  const holds = (expression: string | undefined, target: Target) =>
    !expression ||
    expression.split(" || ").some((term) => {
      const starts = /^resource\.name\.startsWith\("([^"]*)"\)$/.exec(term);
      if (starts) return target.name.startsWith(starts[1]);
      const type = /^resource\.type == "([^"]*)"$/.exec(term);
      if (type) return target.type === type[1];
      throw new Error(`a condition term this test cannot read: ${term}`);
    });
  const grants = (role: string, permission: string) => (ROLE_PERMISSIONS[role] ?? expect(role).toBe("a role in ROLE_PERMISSIONS"), ROLE_PERMISSIONS[role]).includes(permission);
  const allowed = (kind: Kind, permission: string, target: Target) => {
    const member = memberOf(kind);
    const onProject = (Object.values(json.resource.google_project_iam_member) as any[]).some((b) => b.member === member && grants(b.role, permission) && holds(b.condition?.expression, target));
    const onSecret = (Object.values(json.resource.google_secret_manager_secret_iam_member ?? {}) as any[]).some(
      (b) => b.member === member && grants(b.role, permission) && target.secret !== undefined && secretIdOf(str(b.secret_id)) === target.secret,
    );
    const onBucket = (Object.values(json.resource.google_storage_bucket_iam_member ?? {}) as any[]).some(
      (b) => b.member === member && grants(b.role, permission) && target.bucket === str(b.bucket) && holds(b.condition?.expression, target),
    );
    return onProject || onSecret || onBucket;
  };
  const byName = (name: string) => REST_METHODS.find((m) => m.method === name)!;

  // Who calls what, on what (the scripts that call each backend function: bootstrap.sh, join.sh,
  // lock.sh, status.sh, refresh-join-lease.sh, mint-kubeconfig.sh, etcd-common.sh).
  const CALLS: readonly { kind: Kind; fn: string; method: string; target: Target; why: string }[] = [
    { kind: "control-plane", fn: "backend_create", method: "projects.secrets.create", target: project, why: "the claim, locks, hand-backs, records (bootstrap.sh, lock.sh, mint-kubeconfig.sh)" },
    { kind: "control-plane", fn: "backend_get", method: "projects.secrets.versions.access", target: secret("cluster/claim"), why: "reads the claim (bootstrap.sh)" },
    { kind: "control-plane", fn: "backend_get", method: "projects.secrets.get", target: secret("cluster/claim"), why: "a record's value is its annotation" },
    { kind: "control-plane", fn: "backend_record", method: "projects.secrets.patch", target: secret("cluster/claim"), why: "rewrites the claim (bootstrap.sh)" },
    { kind: "control-plane", fn: "backend_get", method: "projects.secrets.get", target: secret("cluster/restore"), why: "the restore request (bootstrap.sh)" },
    { kind: "control-plane", fn: "backend_delete", method: "projects.secrets.delete", target: secret("cluster/restore"), why: "removes it once restored" },
    { kind: "control-plane", fn: "backend_delete", method: "projects.secrets.delete", target: secret("join/rotation-lock"), why: "releases a lock (lock.sh)" },
    { kind: "control-plane", fn: "backend_put", method: "projects.secrets.addVersion", target: secret("join/worker"), why: "publishes the worker lease (refresh-join-lease.sh)" },
    { kind: "control-plane", fn: "backend_put", method: "projects.secrets.versions.destroy", target: secret("join/worker"), why: "destroys the lease before it" },
    { kind: "control-plane", fn: "backend_put", method: "projects.secrets.addVersion", target: secret("join/control-plane"), why: "publishes the control-plane lease" },
    { kind: "control-plane", fn: "backend_put", method: "projects.secrets.versions.destroy", target: secret("join/control-plane"), why: "destroys the lease before it" },
    { kind: "control-plane", fn: "backend_get", method: "projects.secrets.versions.access", target: secret("join/control-plane"), why: "a joining control-plane node reads its lease (join.sh)" },
    { kind: "control-plane", fn: "backend_get", method: "projects.secrets.get", target: secret("refresh/request"), why: "a worker's refresh request (refresh-join-lease.sh)" },
    { kind: "control-plane", fn: "backend_delete", method: "projects.secrets.delete", target: secret("refresh/request"), why: "answered" },
    { kind: "control-plane", fn: "backend_delete", method: "projects.secrets.delete", target: secret("join/control-plane-refresh-request"), why: "answered" },
    { kind: "control-plane", fn: "backend_record", method: "projects.secrets.patch", target: secret("status/etcd-backup"), why: "the backup status (etcd-common.sh)" },
    { kind: "control-plane", fn: "etcd_cloud_live_nodes", method: "instances.aggregatedList", target: project, why: "the control-plane instances that run (etcd-members.sh)" },
    { kind: "control-plane", fn: "(top level)", method: "storage.objects.get", target: bundle("control-plane-init"), why: "its bundle" },
    { kind: "control-plane", fn: "(top level)", method: "storage.objects.get", target: bundle("control-plane-join"), why: "its bundle" },
    { kind: "worker", fn: "backend_get", method: "projects.secrets.versions.access", target: secret("join/worker"), why: "reads the worker lease (join.sh)" },
    { kind: "worker", fn: "backend_create", method: "projects.secrets.create", target: project, why: "its refresh request and status records (join.sh, status.sh)" },
    { kind: "worker", fn: "backend_record", method: "projects.secrets.patch", target: secret("status/4242424242"), why: "its status record (status.sh)" },
    { kind: "worker", fn: "backend_create", method: "projects.secrets.create", target: secret("status/replacements/495000-1"), why: "a replacement slot, created in the project" },
    { kind: "worker", fn: "(top level)", method: "storage.objects.get", target: bundle("worker"), why: "its bundle" },
  ];
  // What a compromised node must not do.
  const FORBIDDEN: readonly { kind: Kind; permission: string; target: Target; why: string }[] = [
    { kind: "worker", permission: "secretmanager.versions.add", target: secret("join/worker"), why: "publish a lease" },
    { kind: "worker", permission: "secretmanager.versions.access", target: secret("join/control-plane"), why: "read the control-plane lease (a certificate key)" },
    { kind: "worker", permission: "secretmanager.secrets.get", target: secret("cluster/claim"), why: "read the claim" },
    { kind: "worker", permission: "secretmanager.secrets.update", target: secret("cluster/claim"), why: "rewrite the claim" },
    { kind: "worker", permission: "secretmanager.secrets.delete", target: secret("join/rotation-lock"), why: "break a lock" },
    { kind: "worker", permission: "secretmanager.secrets.get", target: secret("access/handback-1/parts"), why: "read an operator's kubeconfig" },
    { kind: "worker", permission: "compute.instances.list", target: project, why: "list the project's instances" },
    { kind: "worker", permission: RECREATE_INSTANCES.permission, target: group, why: "recreate its pool's instances (cloud_replace_node leaves that to autohealing)" },
    { kind: "worker", permission: "storage.objects.get", target: bundle("control-plane-init"), why: "read the control plane's bundle" },
    { kind: "control-plane", permission: "secretmanager.versions.access", target: { ...secret("x"), name: `projects/${projectNumber}/secrets/kubeplane_other_join_worker`, secret: "kubeplane_other_join_worker" }, why: "another cluster's lease" },
    { kind: "control-plane", permission: RECREATE_INSTANCES.permission, target: group, why: "no node recreates instances" },
  ];

  test("every call in the scripts is a REST method of the table (with its permission), and every method is called", () => {
    const calls = scriptCalls();
    expect(calls.filter((c) => !methodOf(c)).map((c) => `${c.file} ${c.fn}: ${c.verb} ${c.url}`)).toEqual([]);
    const called = new Set(calls.map((c) => methodOf(c)!.method));
    expect(REST_METHODS.map((m) => m.method).filter((m) => !called.has(m))).toEqual([]);
    // recreateInstances is gone from the node.
    expect(calls.filter((c) => RECREATE_INSTANCES.url.test(c.url))).toEqual([]);
  });

  test("each row of the table is a call its function makes", () => {
    const calls = scriptCalls();
    const made = (fn: string, m: RestMethod) => calls.some((c) => c.fn === fn && methodOf(c) === m);
    expect(CALLS.filter((c) => !made(c.fn, byName(c.method))).map((c) => `${c.kind} ${c.fn} ${c.method}`)).toEqual([]);
    expect(REST_METHODS.filter((m) => !CALLS.some((c) => c.method === m.method)).map((m) => m.method)).toEqual([]);
  });

  test("every call is allowed, for its role, on its resource", () => {
    expect(CALLS.filter((c) => !allowed(c.kind, byName(c.method).permission, c.target)).map((c) => `${c.kind} ${c.method} (${byName(c.method).permission}) on ${c.target.name}: ${c.why}`)).toEqual([]);
  });

  test("what a compromised node must not do is denied", () => {
    expect(FORBIDDEN.filter((f) => allowed(f.kind, f.permission, f.target)).map((f) => `${f.kind} may ${f.permission} on ${f.target.name}: ${f.why}`)).toEqual([]);
  });

  test("the bootstrap state reaches the guest attributes: every node enables them (no IAM: the guest writes its own)", () => {
    const nodes = [...instances(), ...(resourcesOf(clusterJson, "google_compute_instance_template") as any[])];
    expect(nodes.filter((n) => n.metadata?.["enable-guest-attributes"] !== "TRUE").map((n) => n.name)).toEqual([]);
  });
});

test("nothing in the example's Terraform is AWS's", () => {
  expect(`${network}\n${cluster}`).not.toMatch(/"aws_|registry\.terraform\.io\/hashicorp\/aws/);
  expect(readFileSync(path.join(synth.outdir, "manifest.json"), "utf8")).toContain("gcp-dev-cluster");
});
