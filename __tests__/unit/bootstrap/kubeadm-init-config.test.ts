/**
 * The kubeadm init configuration kubeadm.sh writes, parsed as YAML: the config API version from
 * the cluster settings, the stable endpoint as controlPlaneEndpoint, and the API server
 * certificate's extra names. Field names from kubeadm's API types (cmd/kubeadm/app/apis/kubeadm/
 * v1beta3 and v1beta4 types.go: ClusterConfiguration.ControlPlaneEndpoint `controlPlaneEndpoint`,
 * ClusterConfiguration.APIServer `apiServer` with APIServer.CertSANs `certSANs`, the same in both).
 */
import { readFileSync } from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { runWithModules, scratchRoot } from "./node-module-shell";

const ENV = {
  KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "12",
  KUBEPLANE_CLUSTER: "dev",
  KUBEPLANE_KUBERNETES_VERSION: "1.36.5",
  KUBEPLANE_API_SERVER_PORT: "6443",
  KUBEPLANE_POD_CIDR: "192.168.0.0/16",
  KUBEPLANE_SERVICE_CIDR: "10.96.0.0/12",
  KUBEPLANE_CONTROL_PLANE_ENDPOINT: "api.dev.kubeplane.internal",
  KUBEPLANE_KUBEADM_API_VERSION: "v1beta4",
  NODE_IP: "10.0.1.10",
  NODE_NAME: "ip-10-0-1-10.eu-west-1.compute.internal",
};

function render(env: Record<string, string> = {}) {
  const root = scratchRoot();
  const run = runWithModules(["installers/kubeadm.sh"], 'kubeadm_init_config "$KUBEPLANE_ROOT/init.yaml"', { ...ENV, ...env }, root);
  const file = path.join(root, "init.yaml");
  const docs = run.status === 0 ? parseAllDocuments(readFileSync(file, "utf8")) : [];
  for (const doc of docs) expect(doc.errors).toEqual([]);
  return { run, docs: docs.map((d) => d.toJS() as Record<string, unknown>) };
}

describe("kubeadm init configuration", () => {
  test("an InitConfiguration and a ClusterConfiguration of the settings' API version", () => {
    const { run, docs } = render();
    expect(run.stderr).toBe("");
    expect(docs).toEqual([
      {
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "InitConfiguration",
        localAPIEndpoint: { advertiseAddress: "10.0.1.10", bindPort: 6443 },
        nodeRegistration: { name: "ip-10-0-1-10.eu-west-1.compute.internal" },
      },
      {
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        clusterName: "dev",
        kubernetesVersion: "v1.36.5",
        networking: { podSubnet: "192.168.0.0/16", serviceSubnet: "10.96.0.0/12" },
        controlPlaneEndpoint: "api.dev.kubeplane.internal:6443",
        apiServer: { certSANs: ["api.dev.kubeplane.internal"] },
      },
    ]);
  });

  test("the API version is the settings', not one computed from the Kubernetes version", () => {
    const { docs } = render({ KUBEPLANE_KUBEADM_API_VERSION: "v1beta3", KUBEPLANE_KUBERNETES_VERSION: "1.36.5" });
    expect(docs.map((d) => d.apiVersion)).toEqual(["kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta3"]);
  });

  test("the certificate names the stable endpoint and each extra name, in order", () => {
    const { docs } = render({ KUBEPLANE_API_SERVER_CERT_SANS: "kp-dev-api-0123456789.elb.eu-west-1.amazonaws.com,203.0.113.10" });
    expect((docs[1].apiServer as { certSANs: string[] }).certSANs).toEqual([
      "api.dev.kubeplane.internal",
      "kp-dev-api-0123456789.elb.eu-west-1.amazonaws.com",
      "203.0.113.10",
    ]);
  });

  test.each([
    ["an unknown API version", { KUBEPLANE_KUBEADM_API_VERSION: "v1" }, "KUBEPLANE_KUBEADM_API_VERSION must be v1beta3 or v1beta4, not 'v1'"],
    ["a missing API version", { KUBEPLANE_KUBEADM_API_VERSION: "" }, "KUBEPLANE_KUBEADM_API_VERSION must be v1beta3 or v1beta4, not ''"],
    ["a certificate name that would break the YAML", { KUBEPLANE_API_SERVER_CERT_SANS: 'a.example.com,b"\n  - evil' }, "invalid API server certificate name"],
    ["an empty certificate name", { KUBEPLANE_API_SERVER_CERT_SANS: "a.example.com,,b.example.com" }, "invalid API server certificate name ''"],
  ])("refuses %s", (_, env, message) => {
    const { run } = render(env);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
});
