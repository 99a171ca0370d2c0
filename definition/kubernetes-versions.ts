/**
 * The Kubernetes minors kubeplane supports, and per minor what the kubeadm installer pins with
 * it: the Calico release, the kubeadm config API and the containerd series. One table, the only
 * place these versions are written: the schema rejects a `kubernetes.version` outside it, and
 * bootstrap/installers/kubeadm.ts reads its settings from it. Cloud-neutral (no AMI, no region).
 *
 * Sources (stored copies, read on 2026-12-01; the newest of them are from mid-September 2026):
 * - Releases, latest patches and end-of-life dates: https://kubernetes.io/releases/ and each
 *   minor's page (https://kubernetes.io/releases/1.35/, /1.36/, /1.37/), which kubernetes/website's
 *   data/releases/schedule.yaml generates; the support period is the one of
 *   https://kubernetes.io/releases/patch-releases/#support-period (about 14 months).
 *   1.34 reached end of life on 2026-10-27 and 1.33 on 2026-06-28: neither is in the table.
 * - Calico: "Kubernetes requirements" of each release's system requirements
 *   (https://docs.tigera.io/calico/3.32/getting-started/kubernetes/requirements: tested on 1.34,
 *   1.35, 1.36; https://docs.tigera.io/calico/latest/getting-started/kubernetes/requirements,
 *   3.33: 1.35, 1.36, 1.37; from tigera/docs calico_versioned_docs/version-3.3x/_includes/
 *   partials/_system-requirements.mdx). v3.32.1 is the newest v3.32 tag in projectcalico/calico;
 *   v3.33.0 is the release listed in tigera/docs calico_versioned_docs/version-3.33/releases.json.
 *   Both releases ship manifests/calico.yaml with the same defaults as before (BGP, IP-in-IP
 *   Always, VXLAN Never, Typha 5473), so CALICO_NODE_PORTS is unchanged.
 * - kubeadm config API: v1beta4 since 1.31 (kubernetes/kubernetes#125029, which deprecated
 *   v1beta3); v1beta3 was removed in 1.37 (kubernetes/kubernetes#136016, CHANGELOG-1.37.md
 *   "Kubeadm: removed the v1beta3 API which was deprecated since v1.31"). Every supported minor
 *   takes v1beta4; v1 is only a placeholder that "cannot be used yet".
 * - containerd: containerd/containerd RELEASES.md "Kubernetes Support": 1.35 takes 2.2.0+, 2.1.5+
 *   or 1.7.28+; 1.36 takes 2.3.0+ or 2.2.0+ (1.37 is not in the table yet; nor is any 1.x);
 *   containerd 1.7 reached end of life in September 2026. See UBUNTU_NOBLE_CONTAINERD below.
 * - AWS cloud controller manager: the tags of kubernetes/cloud-provider-aws (stored copy of
 *   2026-07-07): v1.35.2 (2026-05-13) and v1.36.1 (2026-07-15) are the newest of their minors; no
 *   v1.37 is tagged yet, so 1.37 takes v1.36.1 (one minor older: within the skew policy).
 * - AWS EBS CSI driver: v1.64.0, the newest tag of kubernetes-sigs/aws-ebs-csi-driver (stored
 *   copy of 2026-08-19); one driver release supports every minor in the table (its README.md,
 *   "Compatibility": every Kubernetes version the Kubernetes project supports).
 * - Cluster autoscaler: the tags of kubernetes/autoscaler: cluster-autoscaler-1.35.2 and
 *   -1.36.1 (2026-07-22) are the newest of their minors; "Releases" in cluster-autoscaler/README.md
 *   pairs each autoscaler minor with the same Kubernetes minor. No 1.37 is tagged yet: 1.37 takes
 *   1.36.1, as the cloud controller does.
 * - GCP cloud controller manager: the ccm/ tags of kubernetes/cloud-provider-gcp (stored copy of
 *   2026-08-19; docs/RELEASE.md: one image line per Kubernetes minor, `ccm/vMINOR.PATCH.CCM_PATCH`,
 *   promoted to registry.k8s.io/cloud-provider-gcp/cloud-controller-manager). ccm/v35.0.5 is the
 *   newest tag and no ccm/v36 exists; v35.0.0 is the release kOps runs (kubernetes/kops
 *   pkg/model/components/gcpcloudcontrollermanager.go, stored copy of 2026-08-22), the one whose
 *   promoted image a shipped installer proves. 1.35 and 1.36 take it (1.36: one minor older,
 *   within the skew policy); 1.37 has none within the skew, so GCP refuses 1.37
 *   (providers/gcp/gcp-cloud.ts) until a ccm/v36 or v37 is tagged.
 * - etcd: the minor of the etcd kubeadm runs (kubernetes/kubernetes cmd/kubeadm/app/constants/
 *   constants.go SupportedEtcdVersion, whose bump etcd-io/etcd's release procedure shows as
 *   34, 35, 36: "3.6.9-0"; kubespray roles/kubespray_defaults/vars/main/main.yml
 *   etcd_supported_versions: 1.35 and 1.36 take the newest 3.6). 1.37 runs etcd 3.7:
 *   CHANGELOG-1.37.md "Updated the default etcd version to 3.7.0-rc.0" (#139427), and
 *   CHANGELOG-1.38.md "Updated the default etcd version to 3.7.1" (#141032). The node's etcd tools
 *   (bootstrap/etcd-tools.ts) are of the same minor.
 */

/** What kubeplane pins for one Kubernetes minor. */
export interface KubernetesMinorSupport {
  /** The minor, e.g. `1.36`. */
  readonly minor: string;
  /** The newest patch release of the minor in the sources above, e.g. `1.36.5`. */
  readonly latestPatch: string;
  /** The day the minor reaches end of life (kubernetes.io/releases), `YYYY-MM-DD`. */
  readonly endOfLife: string;
  /** The Calico release whose manifest the kubeadm installer applies, e.g. `v3.32.1`. */
  readonly calicoVersion: string;
  /** The kubeadm config API the installer writes (`kubeadm.k8s.io/<this>`). */
  readonly kubeadmApiVersion: "v1beta4";
  /** The apt version glob of Ubuntu's `containerd` package the node installs, e.g. `2.*`. */
  readonly containerdAptVersion: string;
  /**
   * The AWS cloud controller manager (kubernetes/cloud-provider-aws release tag, e.g. `v1.36.1`):
   * one release line per Kubernetes minor; a minor without its own yet takes the one before,
   * which the version skew policy allows (a cloud controller manager may be one minor older than
   * the API server: https://kubernetes.io/releases/version-skew-policy/#kube-controller-manager-kube-scheduler-and-cloud-controller-manager).
   */
  readonly awsCloudControllerVersion: string;
  /** The AWS EBS CSI driver (kubernetes-sigs/aws-ebs-csi-driver release tag, e.g. `v1.64.0`). */
  readonly awsEbsCsiVersion: string;
  /** The cluster autoscaler (kubernetes/autoscaler `cluster-autoscaler-<this>` tag; image tag `v<this>`), e.g. `1.36.1`. */
  readonly clusterAutoscalerVersion: string;
  /**
   * The GCP cloud controller manager (kubernetes/cloud-provider-gcp tag `ccm/<this>`, the image's
   * tag, e.g. `v35.0.0`), under the same skew rule as AWS's; absent where no release is within
   * it, and GCP then refuses the minor.
   */
  readonly gcpCloudControllerVersion?: string;
  /**
   * The etcd minor kubeadm runs for this Kubernetes minor, e.g. `3.6`: the node's etcd tools
   * (etcdctl, etcdutl; bootstrap/etcd-tools.ts) are of this minor, since etcd reads the data of
   * its own minor and the one before only.
   */
  readonly etcdMinor: string;
}

/**
 * The containerd series a node installs from Ubuntu 24.04's own archive, as an apt version glob:
 * `2.*`. noble was released with containerd 1.7.12-0ubuntu4; noble-updates and noble-security now
 * carry 2.2.1-0ubuntu1~24.04.3 (packages.ubuntu.com/noble-updates/containerd, source package
 * containerd-app). Ubuntu's container-stack SRU exception
 * (https://documentation.ubuntu.com/project/SRU/reference/exception-Docker-Updates) backports new
 * upstream releases of containerd-app to LTS releases, so the 2.x line follows upstream (2.2 now,
 * 2.3 LTS next) while 1.7 is gone from the archive's candidate and is end of life upstream.
 * `2.*` takes whatever 2.x noble has, which meets every supported minor's requirement (2.2.0+),
 * and refuses to fall back to a 1.x that Kubernetes 1.36 and later do not support.
 */
export const UBUNTU_NOBLE_CONTAINERD = "2.*";

/** Supported minors, oldest first. */
export const SUPPORTED_KUBERNETES: readonly KubernetesMinorSupport[] = [
  // 1.35.9 released 2026-09-15; end of life 2027-02-28 (kubernetes.io/releases/1.35/).
  {
    minor: "1.35", latestPatch: "1.35.9", endOfLife: "2027-02-28", calicoVersion: "v3.32.1", kubeadmApiVersion: "v1beta4", containerdAptVersion: UBUNTU_NOBLE_CONTAINERD,
    awsCloudControllerVersion: "v1.35.2", awsEbsCsiVersion: "v1.64.0", clusterAutoscalerVersion: "1.35.2", gcpCloudControllerVersion: "v35.0.0", etcdMinor: "3.6",
  },
  // 1.36.5 target 2026-09-15 (kubernetes.io/releases/1.36/; released alongside 1.35.9 and 1.37.1);
  // end of life 2027-06-28.
  {
    minor: "1.36", latestPatch: "1.36.5", endOfLife: "2027-06-28", calicoVersion: "v3.32.1", kubeadmApiVersion: "v1beta4", containerdAptVersion: UBUNTU_NOBLE_CONTAINERD,
    awsCloudControllerVersion: "v1.36.1", awsEbsCsiVersion: "v1.64.0", clusterAutoscalerVersion: "1.36.1", gcpCloudControllerVersion: "v35.0.0", etcdMinor: "3.6",
  },
  // 1.37.1 released 2026-09-15; end of life 2027-10-28 (kubernetes.io/releases/1.37/). Calico 3.32
  // is not tested on 1.37; 3.33 is.
  {
    minor: "1.37", latestPatch: "1.37.1", endOfLife: "2027-10-28", calicoVersion: "v3.33.0", kubeadmApiVersion: "v1beta4", containerdAptVersion: UBUNTU_NOBLE_CONTAINERD,
    awsCloudControllerVersion: "v1.36.1", awsEbsCsiVersion: "v1.64.0", clusterAutoscalerVersion: "1.36.1", etcdMinor: "3.7",
  },
];

/** The minor of a version like `1.36.5` (`1.36`), or undefined when it is not x.y.z. */
export function minorOf(version: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
}

/** The table's row for a full version like `1.36.5`, or undefined when its minor is not supported. */
export function kubernetesSupportFor(version: string): KubernetesMinorSupport | undefined {
  const minor = minorOf(version);
  return SUPPORTED_KUBERNETES.find((row) => row.minor === minor);
}

/** `1.35 to 1.37`: the supported minors, for messages. */
export function supportedKubernetesRange(): string {
  return `${SUPPORTED_KUBERNETES[0].minor} to ${SUPPORTED_KUBERNETES[SUPPORTED_KUBERNETES.length - 1].minor}`;
}
