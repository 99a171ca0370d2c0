/**
 * The GCP constructs on their own: each refuses bad props naming its construct path and the
 * prop, and the shapes the example does not have (no HA, flow logs off, extra egress).
 */
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import type { NodeIdentity } from "../../../../providers";
import { GcpApiLoadBalancer } from "../../../../providers/gcp/gcp-api-load-balancer";
import { GcpControlPlane } from "../../../../providers/gcp/gcp-control-plane";
import { GcpFirewall } from "../../../../providers/gcp/gcp-firewall";
import { GcpNetwork } from "../../../../providers/gcp/gcp-network";
import { GcpNodeIdentities } from "../../../../providers/gcp/gcp-node-identities";
import { GcpSecretManagerParameterBackend, gcpSecretId } from "../../../../providers/gcp/gcp-secret-manager-parameter-backend";
import { GcpWorkerPool } from "../../../../providers/gcp/gcp-worker-pool";
import { TerraformJson } from "../../../support/examples";

const ZONES = ["europe-west1-b", "europe-west1-c"];

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "t");
  new GoogleProvider(s, "google", { project: "my-project", region: "europe-west1" });
  return s;
}
const synth = (s: TerraformStack) => JSON.parse(Testing.synth(s)) as TerraformJson;
const network = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof GcpNetwork>[2]> = {}) => new GcpNetwork(s, "network", { clusterName: "t", cidr: "10.0.0.0/16", zones: ZONES, ...extra });
const FOREIGN: NodeIdentity = { kind: "worker", name: "an-aws-role" };

describe("GcpNetwork", () => {
  test("every placement is a zone and the one regional subnet; no public placements", () => {
    const s = stack();
    const n = network(s);
    expect(n.nodePlacements.map((p) => p.zone)).toEqual(ZONES);
    expect(new Set(n.nodePlacements.map((p) => p.subnetId)).size).toBe(1);
    expect(n.publicPlacements).toEqual([]);
  });
  test("flow logs off: the subnet has no log_config", () => {
    const s = stack();
    network(s, { flowLogs: { enabled: false } });
    expect(Object.values(synth(s).resource.google_compute_subnetwork)[0].log_config).toBeUndefined();
  });
  test.each([
    [{ natGateways: "perAz" as const }, /GcpNetwork t\/network: natGateways "perAz" has no meaning on GCP/],
    [{ publicSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"] }, /GcpNetwork t\/network: publicSubnetCidrs: GCP clusters have no public subnets/],
    [{ privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20"] }, /one regional subnet for the nodes: name one block, not 2/],
    [{ zones: ["europe-west1-b"] }, /GcpNetwork t\/network: zones must name at least 2 zones/],
    [{ flowLogs: { retentionDays: 90 } }, /flowLogs.retentionDays must be 30/],
  ])("refuses %j", (extra, message) => {
    expect(() => network(stack(), extra)).toThrow(message);
  });
});

describe("GcpFirewall", () => {
  test("without HA no health-check rule opens the API; extra egress goes to the nodes' tag", () => {
    const s = stack();
    new GcpFirewall(s, "firewall", {
      clusterName: "t",
      network: network(s),
      apiServerPort: 6443,
      extraEgress: [{ description: "NTP to the corporate servers", protocol: "udp", fromPort: 123, toPort: 123, cidrs: ["192.0.2.0/24"] }],
    });
    const rules = Object.values(synth(s).resource.google_compute_firewall) as Record<string, any>[];
    expect(rules.map((r) => r.name)).not.toContain("kp-t-control-plane-health-checks");
    expect(rules.find((r) => r.name === "kp-t-egress-extra-0")).toMatchObject({ direction: "EGRESS", target_tags: ["kp-t-nodes"], destination_ranges: ["192.0.2.0/24"], allow: [{ protocol: "udp", ports: ["123"] }] });
  });
  test("refuses a bad port and a bad CNI entry, naming itself", () => {
    const s = stack();
    const n = network(s);
    expect(() => new GcpFirewall(s, "a", { clusterName: "t", network: n, apiServerPort: 70000 })).toThrow(/^GcpFirewall t\/a: apiServerPort must be a port number, got 70000$/);
    expect(() => new GcpFirewall(s, "b", { clusterName: "t", network: n, apiServerPort: 6443, cniPorts: [{ description: "bad", protocol: "tcp", fromPort: 0, toPort: 0 }] })).toThrow(/GcpFirewall t\/b: cniPorts entry "bad"/);
  });
});

describe("identities and grants", () => {
  test("a foreign identity is refused by every construct that grants to it", () => {
    const s = stack();
    const ids = new GcpNodeIdentities(s, "ids", { clusterName: "t" });
    expect(() => new GcpSecretManagerParameterBackend(s, "lease", { clusterName: "t", controlPlane: ids.controlPlane, workers: FOREIGN, refreshCommand: "/usr/local/sbin/x" })).toThrow(
      /GcpSecretManagerParameterBackend t\/lease: workers: identity "an-aws-role" is not a GCP service account/,
    );
  });
  test("an AWS store kind is refused", () => {
    const s = stack();
    const ids = new GcpNodeIdentities(s, "ids", { clusterName: "t" });
    expect(() => new GcpSecretManagerParameterBackend(s, "lease", { clusterName: "t", kind: "ssm", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/x" })).toThrow(/kind "ssm" is not a store GCP offers/);
  });
  test("a single control plane makes no control-plane lease; workers' roles are conditioned", () => {
    const s = stack();
    const ids = new GcpNodeIdentities(s, "ids", { clusterName: "t" });
    new GcpSecretManagerParameterBackend(s, "lease", { clusterName: "t", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/x" });
    const json = synth(s);
    expect(Object.values(json.resource.google_secret_manager_secret).map((x) => x.secret_id)).toEqual(["kubeplane_t_join_worker"]);
    expect(Object.values(json.resource.google_service_account).map((x) => x.account_id).sort()).toEqual(["kp-t-cp", "kp-t-worker"]);
  });
  test("secret ids as backends/gcp-secret-manager.sh's gsm_id makes them", () => {
    expect(gcpSecretId("/kubeplane/dev/join/control-plane")).toBe("kubeplane_dev_join_control-plane");
    expect(() => gcpSecretId("/kubeplane/dev/a_b")).toThrow(/has no Secret Manager secret id/);
  });
  test("a name too long for service account ids", () => {
    expect(() => new GcpNodeIdentities(stack(), "ids", { clusterName: "a".repeat(20) })).toThrow(/GcpNodeIdentities t\/ids: clusterName "a{20}" must be a DNS label of at most 19 characters/);
  });
});

describe("GcpControlPlane, GcpApiLoadBalancer, GcpWorkerPool", () => {
  function parts() {
    const s = stack();
    const n = network(s);
    const ids = new GcpNodeIdentities(s, "ids", { clusterName: "t" });
    const base = { clusterName: "t", instanceType: "e2-standard-2", volumeSizeGiB: 50, image: { imageId: "projects/p/global/images/i", rootDeviceName: "boot" }, placements: n.nodePlacements, firewallGroupIds: ["kp-t-nodes"] };
    return { s, n, ids, base };
  }
  test("a single node: the endpoint is its address, no balancer", () => {
    const { s, ids, base } = parts();
    const cp = new GcpControlPlane(s, "cp", { ...base, count: 1, identity: ids.controlPlane, initUserData: "#cloud-config\n" });
    expect(cp.endpointHost).toBe(cp.firstNodeAddress);
    expect(synth(s).resource.google_compute_forwarding_rule).toBeUndefined();
  });
  test("HA without a GCP balancer, an even count, a foreign identity: refused at the prop", () => {
    const { s, ids, base } = parts();
    const foreignLb = { dnsName: "x", isPublic: false, addTarget: () => undefined };
    expect(() => new GcpControlPlane(s, "a", { ...base, count: 3, identity: ids.controlPlane, initUserData: "x", joinUserData: "y", loadBalancer: foreignLb })).toThrow(/GcpControlPlane t\/a: loadBalancer must be a GcpApiLoadBalancer/);
    expect(() => new GcpControlPlane(s, "b", { ...base, count: 2, identity: ids.controlPlane, initUserData: "x" })).toThrow(/GcpControlPlane t\/b: count must be 1, or odd and at least 3 \(got 2\)/);
    expect(() => new GcpControlPlane(s, "c", { ...base, count: 1, identity: FOREIGN, initUserData: "x" })).toThrow(/GcpControlPlane t\/c: identity: identity "an-aws-role" is not a GCP service account/);
  });
  test("the balancer wants a target's zone, and refuses a public or protected balancer", () => {
    const { s, n } = parts();
    const lb = new GcpApiLoadBalancer(s, "lb", { clusterName: "t", network: n, port: 6443 });
    expect(() => lb.addTarget("node-0", "i-1")).toThrow(/GcpApiLoadBalancer t\/lb: addTarget\(node-0\): a GCP target needs its zone/);
    expect(() => lb.addZonalTarget("us-central1-a", "x")).toThrow(/zone "us-central1-a" is not a zone of the network/);
    expect(() => new GcpApiLoadBalancer(s, "pub", { clusterName: "t", network: n, port: 6443, public: true, allowedCidrs: ["203.0.113.0/24"] })).toThrow(/public: an internet-facing API load balancer is not built for GCP/);
    expect(() => new GcpApiLoadBalancer(s, "prot", { clusterName: "t", network: n, port: 6443, deletionProtection: true })).toThrow(/deletionProtection/);
  });
  test("a pool in one zone, named: its group is named after the pool; spot and autoscale are refused", () => {
    const { s, ids, base } = parts();
    const pool = { ...base, min: 0, desired: 1, max: 2, instanceTypes: ["e2-standard-2"], identity: ids.workers, userData: "#cloud-config\n" };
    new GcpWorkerPool(s, "gpu", { ...pool, name: "gpu", placements: base.placements.slice(0, 1) });
    const group = Object.values(synth(s).resource.google_compute_region_instance_group_manager)[0] as Record<string, any>;
    expect(group).toMatchObject({ name: "kp-t-pool-gpu", distribution_policy_zones: ["europe-west1-b"], update_policy: { max_surge_fixed: 1 } });
    expect(() => new GcpWorkerPool(s, "spot", { ...pool, spot: { onDemandBase: 0, onDemandPercentageAboveBase: 0 } })).toThrow(/GcpWorkerPool t\/spot: spot is not built for GCP/);
    expect(() => new GcpWorkerPool(s, "auto", { ...pool, autoscale: true })).toThrow(/GcpWorkerPool t\/auto: autoscale is not built for GCP/);
    expect(() => new GcpWorkerPool(s, "size", { ...pool, min: 3, desired: 1 })).toThrow(/need min <= desired <= max/);
  });
});
