/**
 * The GCP rule pack: clean on the GCP example, and each rule firing on a resource that breaks it
 * (raw provider resources in a small stack, as __tests__/unit/rules/rule-harness.ts does for AWS).
 */
import { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall";
import { ComputeInstance, ComputeInstanceConfig } from "@cdktf/provider-google/lib/compute-instance";
import { ComputeInstanceTemplate } from "@cdktf/provider-google/lib/compute-instance-template";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { SecretManagerSecretVersion } from "@cdktf/provider-google/lib/secret-manager-secret-version";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountKey } from "@cdktf/provider-google/lib/service-account-key";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { TerraformStack, Testing } from "cdktf";
import { GCP_RULES } from "../../../../providers/gcp/rules";
import { ClusterFacts, Finding, RulePack } from "../../../../rules";
import { addClusterStacks } from "../../../../stacks/cluster-stacks";
import { exampleDefinition } from "../../../support/examples";

const FACTS: ClusterFacts = {
  clusterName: "t",
  networkCidr: "10.0.0.0/16",
  parameterPath: "/kubeplane/t",
  workerJoinParameter: "/kubeplane/t/join/worker",
  controlPlaneRoles: ["kp-t-cp"],
  workerRoles: ["kp-t-worker"],
};

/** The findings of the GCP pack on a stack `build` fills, as `rule address: message`. */
function findings(build: (stack: TerraformStack, account: ServiceAccount) => void): string[] {
  const stack = new TerraformStack(Testing.app(), "t-cluster");
  new GoogleProvider(stack, "google", { project: "my-project", region: "europe-west1" });
  build(stack, new ServiceAccount(stack, "identity", { accountId: "kp-t-worker" }));
  return new RulePack({ cluster: FACTS, rules: GCP_RULES }).applyTo(stack).audit(stack).map((f: Finding) => `${f.rule.id} ${f.address}: ${f.message}`);
}

/** A node as kubeplane makes one: every rule holds. */
function goodInstance(account: ServiceAccount, overrides: Partial<ComputeInstanceConfig> = {}): ComputeInstanceConfig {
  return {
    name: "node",
    machineType: "e2-standard-2",
    zone: "europe-west1-b",
    bootDisk: { initializeParams: { image: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" } },
    networkInterface: [{ subnetwork: "nodes" }],
    serviceAccount: { email: account.email, scopes: ["cloud-platform"] },
    shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
    metadata: { "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "serial-port-enable": "FALSE" },
    ...overrides,
  };
}

test("the GCP example has no finding at all (errors nor warnings)", () => {
  const { network, cluster, rulePack } = addClusterStacks(Testing.app(), exampleDefinition("gcp-dev"));
  expect([...rulePack.audit(network), ...rulePack.audit(cluster)].map((f) => `${f.rule.id} ${f.address}: ${f.message}`)).toEqual([]);
  // Every rule read something of the example: none is vacuous on it.
  const types = new Set([network, cluster].flatMap((s) => Object.keys(JSON.parse(Testing.synth(s)).resource ?? {})));
  for (const rule of GCP_RULES) expect(rule.resourceTypes.some((t) => types.has(t))).toBe(true);
});

test("a good node passes every rule", () => {
  expect(findings((s, a) => new ComputeInstance(s, "node", goodInstance(a)))).toEqual([]);
});

describe("each rule fires", () => {
  test("KP-GNET-1: world ingress, and an ingress rule that names no source", () => {
    expect(
      findings((s) => {
        new ComputeFirewall(s, "open", { name: "open", network: "n", sourceRanges: ["0.0.0.0/0"], allow: [{ protocol: "tcp", ports: ["22"] }] });
        new ComputeFirewall(s, "broad", { name: "broad", network: "n", sourceRanges: ["0.0.0.0/1"], allow: [{ protocol: "all" }] });
        new ComputeFirewall(s, "no-source", { name: "no-source", network: "n", targetTags: ["x"], allow: [{ protocol: "tcp", ports: ["6443"] }] });
        new ComputeFirewall(s, "by-tag", { name: "by-tag", network: "n", sourceTags: ["x"], allow: [{ protocol: "tcp", ports: ["10250"] }] });
        new ComputeFirewall(s, "egress", { name: "egress", network: "n", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allow: [{ protocol: "tcp", ports: ["443"] }] });
      }),
    ).toEqual([
      "KP-GNET-1 google_compute_firewall.open: admits 0.0.0.0/0 to tcp 22",
      "KP-GNET-1 google_compute_firewall.broad: admits 0.0.0.0/1 (broader than a /8: as good as anywhere) to all",
      "KP-GNET-1 google_compute_firewall.no-source: admits 0.0.0.0/0 to tcp 6443",
    ]);
  });
  test("KP-GNET-2: an external address", () => {
    expect(findings((s, a) => new ComputeInstance(s, "node", goodInstance(a, { networkInterface: [{ subnetwork: "nodes", accessConfig: [{}] }] })))).toEqual([
      "KP-GNET-2 google_compute_instance.node: network_interface 0 has an access config: an external address",
    ]);
  });
  test("KP-GNET-3: a subnet without flow logs", () => {
    expect(findings((s) => new ComputeSubnetwork(s, "nodes", { name: "nodes", network: "n", ipCidrRange: "10.0.0.0/16" }))).toEqual([
      "KP-GNET-3 google_compute_subnetwork.nodes: has no log_config: its flows are not logged",
    ]);
  });
  test("KP-GIAM-1: a basic role, on the project or on one secret", () => {
    expect(
      findings((s, a) => {
        new ProjectIamMember(s, "editor", { project: "p", role: "roles/editor", member: `serviceAccount:${a.email}` });
        new SecretManagerSecretIamMember(s, "owner", { secretId: "x", role: "roles/owner", member: `serviceAccount:${a.email}` });
      }),
    ).toEqual(["KP-GIAM-1 google_project_iam_member.editor: grants the basic role roles/editor", "KP-GIAM-1 google_secret_manager_secret_iam_member.owner: grants the basic role roles/owner"]);
  });
  test("KP-GIAM-2: no service account, or the default compute one", () => {
    expect(
      findings((s, a) => {
        new ComputeInstance(s, "none", goodInstance(a, { serviceAccount: undefined }));
        new ComputeInstanceTemplate(s, "default", {
          machineType: "e2-standard-2",
          disk: [{ sourceImage: "i" }],
          networkInterface: [{ subnetwork: "nodes" }],
          serviceAccount: { email: "123456789012-compute@developer.gserviceaccount.com", scopes: ["cloud-platform"] },
          shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
          metadata: { "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE" },
        });
      }),
    ).toEqual([
      "KP-GIAM-2 google_compute_instance.none: names no service_account: Compute Engine gives it the default compute service account",
      "KP-GIAM-2 google_compute_instance_template.default: runs as 123456789012-compute@developer.gserviceaccount.com, not a service account of the cluster",
    ]);
  });
  test("KP-GIAM-3: a project-wide Secret Manager or Storage role without a condition", () => {
    expect(
      findings((s, a) => {
        new ProjectIamMember(s, "secrets", { project: "p", role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${a.email}` });
        new ProjectIamMember(s, "narrowed", { project: "p", role: "roles/secretmanager.admin", member: `serviceAccount:${a.email}`, condition: { title: "t", expression: 'resource.name.startsWith("projects/1/secrets/kubeplane_t_")' } });
        new ProjectIamMember(s, "logs", { project: "p", role: "roles/logging.logWriter", member: `serviceAccount:${a.email}` });
      }),
    ).toEqual(["KP-GIAM-3 google_project_iam_member.secrets: grants roles/secretmanager.secretAccessor on the whole project with no condition"]);
  });
  test("KP-GSEC-1: a secret version, a service account key, a raw disk key", () => {
    expect(
      findings((s, a) => {
        new SecretManagerSecretVersion(s, "lease", { secret: "x", secretData: "abcdef.0123456789abcdef" });
        new ServiceAccountKey(s, "key", { serviceAccountId: a.name });
        new ComputeInstance(s, "keyed", goodInstance(a, { bootDisk: { diskEncryptionKeyRaw: "c2VjcmV0", initializeParams: { image: "i" } } }));
      }),
    ).toEqual([
      "KP-GSEC-1 google_secret_manager_secret_version.lease: writes a secret version: its data lands in Terraform state (the control plane writes the lease at run time)",
      "KP-GSEC-1 google_service_account_key.key: makes a service account key: its private key lands in Terraform state (nodes use their metadata server's tokens)",
      "KP-GSEC-1 google_compute_instance.keyed: carries a customer-supplied disk key: it lands in Terraform state",
    ]);
  });
  test("KP-GSEC-2: a token in user data, ssh-keys in metadata", () => {
    const metadata = { "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE" };
    expect(
      findings((s, a) => {
        new ComputeInstance(s, "token", goodInstance(a, { metadata: { ...metadata, "user-data": "#cloud-config\nruncmd:\n  - kubeadm join --token abcdef.0123456789abcdef\n" } }));
        new ComputeInstance(s, "keys", goodInstance(a, { metadata: { ...metadata, "ssh-keys": "admin:ssh-ed25519 AAAA admin" } }));
      }),
    ).toEqual(["KP-GSEC-2 google_compute_instance.token: user-data contains what looks like a kubeadm bootstrap token", "KP-GSEC-2 google_compute_instance.keys: metadata ssh-keys hands out SSH keys: use OS Login"]);
  });
  test("KP-GVM-1: Shielded VM off or partly on", () => {
    expect(
      findings((s, a) => {
        new ComputeInstance(s, "plain", goodInstance(a, { shieldedInstanceConfig: undefined }));
        new ComputeInstance(s, "partly", goodInstance(a, { shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: false, enableIntegrityMonitoring: true } }));
      }),
    ).toEqual(["KP-GVM-1 google_compute_instance.plain: has no shielded_instance_config: secure boot is off", "KP-GVM-1 google_compute_instance.partly: shielded_instance_config.enable_vtpm is not true"]);
  });
  test("KP-GVM-2: no OS Login, project keys allowed, the serial console on", () => {
    expect(findings((s, a) => new ComputeInstance(s, "node", goodInstance(a, { metadata: { "serial-port-enable": "TRUE" } })))).toEqual([
      "KP-GVM-2 google_compute_instance.node: metadata enable-oslogin is not TRUE",
      "KP-GVM-2 google_compute_instance.node: metadata block-project-ssh-keys is not TRUE",
      "KP-GVM-2 google_compute_instance.node: metadata serial-port-enable turns the interactive serial console on",
    ]);
  });
  test("KP-GCS-1: a bucket with ACLs, public access allowed, no versioning", () => {
    expect(findings((s) => new StorageBucket(s, "loose", { name: "loose", location: "EU", publicAccessPrevention: "inherited" }))).toEqual([
      "KP-GCS-1 google_storage_bucket.loose: uniform_bucket_level_access is not true",
      'KP-GCS-1 google_storage_bucket.loose: public_access_prevention is "inherited", not "enforced"',
      "KP-GCS-1 google_storage_bucket.loose: versioning is not enabled",
    ]);
  });
});

test("a definition's suppression names a GCP rule, and an AWS rule id is refused on GCP", () => {
  const { suppressionCheck } = jest.requireActual("../../../../rules") as typeof import("../../../../rules");
  const def = exampleDefinition("gcp-dev");
  expect(suppressionCheck({ ...def, suppressions: [{ rule: "KP-GNET-3", resource: "gcp-dev-network/network/nodes", reason: "flow logs are kept elsewhere" }] })).toEqual([]);
  expect(suppressionCheck({ ...def, suppressions: [{ rule: "KP-NET-2", resource: "x", reason: "an AWS rule on GCP" }] })[0].message).toMatch(/"KP-NET-2" is not a rule of kubeplane's gcp pack/);
});
