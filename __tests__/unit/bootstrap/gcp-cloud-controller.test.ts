/**
 * The GCP cloud controller (issue 16): a GCP node's kubelet starts with --cloud-provider=external
 * (installers/kubeadm.sh), so its Node carries node.cloudprovider.kubernetes.io/uninitialized until
 * a cloud controller initialises it. The first control-plane node installs
 * kubernetes/cloud-provider-gcp's own deploy/packages/default at a pinned ccm/ tag with the image
 * kOps runs (registry.k8s.io/cloud-provider-gcp/cloud-controller-manager), and the kustomization
 * is built here with the real kustomize (kubectl kustomize) over a verbatim copy of that manifest.
 */
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { cloudAddons } from "../../../bootstrap/installers/cloud-addons";
import { nodeFiles } from "../../../bootstrap/user-data";
import { kubernetesSupportFor, SUPPORTED_KUBERNETES } from "../../../definition/kubernetes-versions";
import { contextFor } from "./rendering-fixtures";

const FIXTURE = path.join(__dirname, "../providers/gcp/fixtures/cloud-provider-gcp-ccm-v35.0.0-manifest.yaml");
const gcpContext = (role: Parameters<typeof contextFor>[0]) => ({ ...contextFor(role, "kubeadm"), cloud: "gcp" });

describe("the GCP cloud controller", () => {
  const row = kubernetesSupportFor("1.36.5")!;

  test("each minor pins a ccm/ release within the skew policy (the same minor or one older), or none", () => {
    for (const r of SUPPORTED_KUBERNETES) {
      if (r.gcpCloudControllerVersion === undefined) continue;
      const match = /^v(\d+)\.\d+\.\d+$/.exec(r.gcpCloudControllerVersion);
      expect(match).not.toBeNull();
      const minor = Number(r.minor.split(".")[1]);
      expect([minor, minor - 1]).toContain(Number(match![1]));
    }
    expect(row.gcpCloudControllerVersion).toBe("v35.0.0");
  });

  test("kubeadm init's node on GCP installs it, and nothing of AWS's", () => {
    expect(cloudAddons(gcpContext("control-plane-init"), row).map((a) => a.directory)).toEqual(["10-gcp-cloud-controller-manager"]);
    for (const role of ["worker", "control-plane-join"] as const) {
      expect(nodeFiles(gcpContext(role)).filter((f) => f.path.includes("/addons/"))).toEqual([]);
    }
  });

  describe("built by kustomize over the upstream manifest", () => {
    let daemonSet: any;
    let kinds: string[];
    let dir: string;
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeAll(() => {
      const addon = cloudAddons(gcpContext("control-plane-init"), row)[0];
      const text = addon.files["kustomization.yaml"];
      const upstream = `github.com/kubernetes/cloud-provider-gcp/deploy/packages/default?ref=ccm/${row.gcpCloudControllerVersion}`;
      expect(text).toContain(`  - ${upstream}\n`);
      // The same kustomization over a local copy of that base (no network here).
      dir = mkdtempSync(path.join(tmpdir(), "kp-gcp-ccm-"));
      mkdirSync(path.join(dir, "base"));
      copyFileSync(FIXTURE, path.join(dir, "base", "manifest.yaml"));
      writeFileSync(path.join(dir, "base", "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - manifest.yaml\n");
      mkdirSync(path.join(dir, "addon"));
      writeFileSync(path.join(dir, "addon", "kustomization.yaml"), text.replace(upstream, "../base"));
      const built = spawnSync("kubectl", ["kustomize", path.join(dir, "addon")], { encoding: "utf8" });
      expect(built.stderr).toBe("");
      expect(built.status).toBe(0);
      const docs = parseAllDocuments(built.stdout).map((d) => d.toJS());
      kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`);
      daemonSet = docs.find((d) => d.kind === "DaemonSet");
    });

    test("the released image at the pinned tag, as the GCE cloud provider, with no route or IPAM controllers (Calico owns pod addresses)", () => {
      const container = daemonSet.spec.template.spec.containers[0];
      expect(container.image).toBe(`registry.k8s.io/cloud-provider-gcp/cloud-controller-manager:${row.gcpCloudControllerVersion}`);
      expect(container.args).toEqual([
        "--cloud-provider=gce",
        "--leader-elect=true",
        "--use-service-account-credentials=true",
        "--allocate-node-cidrs=false",
        "--configure-cloud-routes=false",
        "--cluster-name=production-eu",
        "--v=2",
      ]);
    });

    test("reaches the local API server on its port (upstream sets the host to 127.0.0.1 and leaves the port to the Service's 443)", () => {
      const env = daemonSet.spec.template.spec.containers[0].env;
      expect(env).toEqual(expect.arrayContaining([{ name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" }, { name: "KUBERNETES_SERVICE_PORT", value: "6443" }]));
    });

    test("takes its project, zone and network from the metadata server: no cloud config file the node would have to write", () => {
      const spec = daemonSet.spec.template.spec;
      expect(spec.volumes ?? []).toEqual([]);
      expect(spec.containers[0].volumeMounts ?? []).toEqual([]);
      expect(spec.hostNetwork).toBe(true);
      expect(spec.tolerations).toEqual(expect.arrayContaining([{ key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" }]));
    });

    test("keeps upstream's RBAC", () => {
      expect(kinds).toEqual(expect.arrayContaining(["ServiceAccount/cloud-controller-manager", "ClusterRole/system:cloud-controller-manager", "ClusterRoleBinding/system:cloud-controller-manager"]));
    });
  });
});
