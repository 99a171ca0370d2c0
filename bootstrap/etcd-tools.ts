/**
 * The etcd tools a control-plane node takes, restores and checks snapshots with: etcd's own
 * release (etcdctl and etcdutl) of the minor kubeadm runs, pinned by version and SHA-256, which
 * the node downloads and verifies before it uses them (bootstrap/node/etcd-tools.sh).
 *
 * Why not Ubuntu's etcd-client: it is etcd 3.4, while kubeadm runs etcd 3.6 (Kubernetes 1.35,
 * 1.36) or 3.7 (1.37). etcd 3.6 removed `etcdctl snapshot status/restore` (etcdutl has them since
 * 3.5), and etcd supports "upgrading one minor version at a time" only (etcd.io "Upgrading
 * etcd clusters and applications", Upgrade policy): a data directory written by 3.4's restore is
 * two minors behind 3.6. Why
 * not kubeadm's etcd image (registry.k8s.io/etcd): it carries etcd and etcdctl but no etcdutl
 * (kubernetes/kubernetes cluster/images/etcd/Makefile installs `etcd` and `etcdctl` from each
 * release; etcd-io/etcd#13764 "The new(-ish) etcdutl utility isn't included in etcd container
 * image", sent to Kubernetes). kubespray downloads etcd's release the same way (roles/
 * kubespray_defaults/defaults/main/download.yml etcd_download_url, checked against
 * etcd_binary_checksums).
 *
 * One release per etcd minor: etcd's patch releases of a minor read and write the same data, so
 * the newest patch serves every kubeadm release of that minor. Cloud-neutral.
 */
import { kubernetesSupportFor, supportedKubernetesRange } from "../definition/kubernetes-versions";

/** One pinned etcd release for linux/amd64 (the architecture kubeplane's nodes boot). */
export interface EtcdToolsRelease {
  /** The etcd release, e.g. `3.6.14`. */
  readonly version: string;
  /** The SHA-256 of `etcd-v<version>-linux-amd64.tar.gz`, lower-case hex. */
  readonly sha256: string;
}

/**
 * The pinned release per etcd minor.
 * - 3.6.14: kubespray roles/kubespray_defaults/vars/main/checksums.yml etcd_binary_checksums
 *   amd64 (kubernetes-sigs/kubespray 46dbdd3, 2026-08-21; its newest 3.6).
 * - 3.7.1: no kubespray release pins a 3.7 yet; the digest is the one two independent projects
 *   pin for etcd-v3.7.1-linux-amd64.tar.gz "as published on the release page" (a Rust test
 *   harness's etcd download, and a Chef cookbook's etcd_installation_binary spec). v3.7.1 is the
 *   newest 3.7 tag of etcd-io/etcd (stored copy of 2026-08-20).
 */
export const ETCD_TOOLS_RELEASES: Readonly<Record<string, EtcdToolsRelease>> = {
  "3.6": { version: "3.6.14", sha256: "ffe840ff9295808e88cce2794a18a5ac87f12a5203c8314d0bf6aa119b41bac5" },
  "3.7": { version: "3.7.1", sha256: "e8cd3fa8064c98137c5dbd78b76f969417ace84efb83c481041d7a52ffdd8fb9" },
};

/** etcd's release download (github.com/etcd-io/etcd/releases), as etcd's own install docs give it. */
export function etcdToolsUrl(release: EtcdToolsRelease): string {
  return `https://github.com/etcd-io/etcd/releases/download/v${release.version}/etcd-v${release.version}-linux-amd64.tar.gz`;
}

/**
 * The pinned etcd tools for a Kubernetes version: the release of the etcd minor its kubeadm runs.
 * Throws naming `where` for a Kubernetes minor outside the supported table or an etcd minor
 * without a pinned release.
 */
export function etcdToolsFor(kubernetesVersion: string, where: string): EtcdToolsRelease {
  const row = kubernetesSupportFor(kubernetesVersion);
  if (!row) throw new Error(`${where}: kubernetes.version ${kubernetesVersion} is not a Kubernetes minor kubeplane supports (${supportedKubernetesRange()})`);
  const release = ETCD_TOOLS_RELEASES[row.etcdMinor];
  if (!release) throw new Error(`${where}: no etcd ${row.etcdMinor} tools are pinned (bootstrap/etcd-tools.ts), which Kubernetes ${row.minor}'s kubeadm runs`);
  return release;
}

/** The node settings of the etcd tools (bootstrap/node/etcd-tools.sh reads them). */
export function etcdToolsSettings(release: EtcdToolsRelease): Record<string, string> {
  return {
    KUBEPLANE_ETCD_TOOLS_VERSION: release.version,
    KUBEPLANE_ETCD_TOOLS_URL: etcdToolsUrl(release),
    KUBEPLANE_ETCD_TOOLS_SHA256: release.sha256,
  };
}
