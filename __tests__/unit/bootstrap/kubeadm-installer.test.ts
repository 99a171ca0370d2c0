/** The kubeadm installer pins Calico, the kubeadm config API and containerd from the supported-versions table. */
import { CALICO_MANIFEST_URL, calicoManifestUrlFor, kubeadmInstaller } from "../../../bootstrap/installers/kubeadm";
import { DEFAULTS } from "../../../definition";
import { SUPPORTED_KUBERNETES } from "../../../definition/kubernetes-versions";
import { contextFor } from "./rendering-fixtures";

const settingsFor = (version: string) => {
  const context = contextFor("control-plane-init", "kubeadm");
  return kubeadmInstaller.settings({ ...context, kubernetes: { ...context.kubernetes, version } });
};

describe("kubeadm installer versions", () => {
  test.each(SUPPORTED_KUBERNETES.map((row) => [row.minor, row] as const))("Kubernetes %s takes its row of the table", (_, row) => {
    expect(settingsFor(row.latestPatch)).toMatchObject({
      KUBEPLANE_CNI_MANIFEST_URL: `https://raw.githubusercontent.com/projectcalico/calico/${row.calicoVersion}/manifests/calico.yaml`,
      KUBEPLANE_KUBEADM_API_VERSION: row.kubeadmApiVersion,
      KUBEPLANE_CONTAINERD_VERSION: row.containerdAptVersion,
    });
  });

  test("1.37 applies Calico 3.33, the first release tested on it; 1.36 keeps 3.32", () => {
    expect(settingsFor("1.37.1").KUBEPLANE_CNI_MANIFEST_URL).toContain("/v3.33.");
    expect(settingsFor("1.36.5").KUBEPLANE_CNI_MANIFEST_URL).toContain("/v3.32.");
  });

  test("containerd comes from Ubuntu's 2.x series: 1.7 is not supported by Kubernetes 1.36", () => {
    expect(settingsFor("1.36.5").KUBEPLANE_CONTAINERD_VERSION).toBe("2.*");
  });

  test("CALICO_MANIFEST_URL is the default version's manifest", () => {
    expect(CALICO_MANIFEST_URL).toBe(calicoManifestUrlFor(DEFAULTS.kubernetes.version));
  });

  test("a version outside the table is refused, naming the field and the supported range", () => {
    expect(() => settingsFor("1.33.5")).toThrow(
      /cluster production-eu: kubernetes\.version 1\.33\.5 is not a Kubernetes minor kubeplane supports \(1\.35 to 1\.37\)/,
    );
  });
});
