/**
 * The etcd tools a control-plane node takes snapshots and restores with (bootstrap/etcd-tools.ts,
 * bootstrap/node/etcd-tools.sh): one pinned etcd release per etcd minor, the minor kubeadm runs for
 * each supported Kubernetes minor, rendered into a control plane's settings when it takes backups;
 * and the node's check that the tools are of the minor of the etcd that runs. The download and
 * its checksum are proven against a served release in the emulator suite etcd-backup.test.ts.
 */
import { renderUserData } from "../../../bootstrap/user-data";
import { ETCD_TOOLS_RELEASES, etcdToolsFor, etcdToolsSettings, etcdToolsUrl } from "../../../bootstrap/etcd-tools";
import { SUPPORTED_KUBERNETES } from "../../../definition/kubernetes-versions";
import { runWithModules } from "./node-module-shell";
import { contextFor, readCloudConfig } from "./rendering-fixtures";

const minorOfEtcd = (version: string) => version.split(".").slice(0, 2).join(".");

describe("the pinned etcd releases", () => {
  test("every supported Kubernetes minor names an etcd minor with a pinned release of that minor", () => {
    for (const row of SUPPORTED_KUBERNETES) {
      expect(row.etcdMinor).toMatch(/^3\.\d+$/);
      const release = etcdToolsFor(`${row.minor}.0`, "test");
      expect(minorOfEtcd(release.version)).toBe(row.etcdMinor);
      expect(release.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    for (const [minor, release] of Object.entries(ETCD_TOOLS_RELEASES)) expect(minorOfEtcd(release.version)).toBe(minor);
  });

  test("kubeadm's etcd: 3.6 for Kubernetes 1.35 and 1.36, 3.7 for 1.37", () => {
    expect(etcdToolsFor("1.35.9", "test").version).toBe("3.6.14");
    expect(etcdToolsFor("1.36.5", "test").version).toBe("3.6.14");
    expect(etcdToolsFor("1.37.1", "test").version).toBe("3.7.1");
  });

  test("the download is etcd's GitHub release of linux/amd64", () => {
    expect(etcdToolsUrl({ version: "3.6.14", sha256: "" })).toBe("https://github.com/etcd-io/etcd/releases/download/v3.6.14/etcd-v3.6.14-linux-amd64.tar.gz");
  });

  test("a Kubernetes minor outside the table is refused, naming where", () => {
    expect(() => etcdToolsFor("1.30.2", "cluster prod")).toThrow(/^cluster prod: kubernetes.version 1.30.2 is not a Kubernetes minor kubeplane supports \(1.35 to 1.37\)$/);
  });
});

describe("a control plane's settings", () => {
  const settingsOf = (context: ReturnType<typeof contextFor>) =>
    readCloudConfig(renderUserData(context)).files.find((f) => f.path === "/etc/kubeplane/cluster.env")!.text;

  test("with backups: the release of its Kubernetes minor's etcd", () => {
    const env = settingsOf(contextFor("control-plane-init", "kubeadm"));
    for (const [name, value] of Object.entries(etcdToolsSettings(etcdToolsFor("1.36.5", "test")))) expect(env).toContain(`${name}='${value}'\n`);
    expect(env).toContain("KUBEPLANE_ETCD_TOOLS_VERSION='3.6.14'\n");
    const on137 = settingsOf({ ...contextFor("control-plane-init", "kubeadm"), kubernetes: { ...contextFor("control-plane-init", "kubeadm").kubernetes, version: "1.37.1" } });
    expect(on137).toContain("KUBEPLANE_ETCD_TOOLS_VERSION='3.7.1'\n");
  });

  test("without backups, and on a worker: none", () => {
    const { backups: _none, ...noBackups } = contextFor("control-plane-init", "kubeadm");
    expect(settingsOf(noBackups)).not.toContain("KUBEPLANE_ETCD_TOOLS_");
    expect(settingsOf(contextFor("worker", "kubeadm"))).not.toContain("KUBEPLANE_ETCD_TOOLS_");
  });
});

describe("the node's check of the tools against the etcd that runs (etcd-tools.sh)", () => {
  const check = (server: string, tools = "3.6.14") => runWithModules(["etcd-tools.sh"], `etcd_tools_match_server '${server}'`, { KUBEPLANE_ETCD_TOOLS_VERSION: tools });

  test("the same minor passes, any patch and kubeadm's image revision", () => {
    expect(check("3.6.6").status).toBe(0);
    expect(check("3.6.6-0").status).toBe(0);
    expect(check("3.7.1-0", "3.7.1").status).toBe(0);
  });

  test("another minor fails, naming both", () => {
    const older = check("3.5.24-0");
    expect(older.status).toBe(1);
    expect(older.stderr).toContain("etcd runs 3.5.24-0 but kubeplane's etcd tools are 3.6.14 (another minor)");
    expect(check("3.7.0").status).toBe(1);
    expect(check("3.16.0").status).toBe(1);
    expect(check("latest").stderr).toContain("cannot tell etcd's version from 'latest'");
  });

  test("kubeadm's etcd is the etcd image of `kubeadm config images list`", () => {
    // The list as kubeadm prints it: one image a line, etcd last (cmd/kubeadm/app/images/images.go
    // GetControlPlaneImages); a kubeadm on PATH that prints it.
    const list = ["registry.k8s.io/kube-apiserver:v1.36.5", "registry.k8s.io/coredns/coredns:v1.13.1", "registry.k8s.io/pause:3.10.2", "registry.k8s.io/etcd:3.6.6-0"];
    const run = runWithModules(["etcd-tools.sh"], `kubeadm() { [[ "$*" == "config images list --kubernetes-version v1.36.5" ]] && printf '%s\\n' ${list.map((l) => `'${l}'`).join(" ")}; }\netcd_tools_kubeadm_version`, { KUBEPLANE_KUBERNETES_VERSION: "1.36.5" });
    expect(run).toMatchObject({ status: 0, stdout: "3.6.6-0\n" });
    const none = runWithModules(["etcd-tools.sh"], `kubeadm() { echo registry.k8s.io/pause:3.10.2; }\netcd_tools_kubeadm_version`, { KUBEPLANE_KUBERNETES_VERSION: "1.36.5" });
    expect(none.status).toBe(1);
  });
});
