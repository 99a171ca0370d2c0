/**
 * What the first control-plane node installs for its cloud after the CNI (kubeadm installer):
 * on AWS the cloud controller manager, the EBS CSI driver with a default StorageClass of
 * encrypted gp3, and, when a pool autoscales, the cluster autoscaler. Each is a kustomization
 * over the project's own pinned install (a release tag from definition/kubernetes-versions.ts),
 * written to `/etc/kubeplane/addons/<order>-<name>/` and applied in name order with
 * `kubectl apply -k` and retries (installers/kubeadm.sh: kubeadm_apply_addons); kustomize fetches
 * the pinned bases with git.
 *
 * Where they run, and why: every controller that calls AWS runs on the control-plane nodes with
 * host networking, so that it reaches the instance metadata service, and with it the control-plane
 * role's credentials, over one hop. The node hardening keeps http_put_response_hop_limit at 1
 * everywhere (providers/aws/node-hardening.ts, KP-EC2-1), so no pod without host networking can
 * reach any node's credentials; the EBS CSI node plugin reads what it needs from the Kubernetes
 * API instead (the driver falls back to it when IMDS is out of reach).
 */
import { KubernetesMinorSupport } from "../../definition/kubernetes-versions";
import { NodeFile } from "../node-files";
import { UserDataContext } from "../user-data-context";

/** Where the addons' kustomizations go on the node (under KUBEPLANE_ROOT). */
export const ADDONS_DIR = "/etc/kubeplane/addons";

/** One addon: a directory of files, applied with `kubectl apply -k`. */
export interface CloudAddon {
  /** `<order>-<name>`, e.g. `10-aws-cloud-controller-manager`: applied in this order. */
  readonly directory: string;
  /** File name to content; `kustomization.yaml` among them. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The AWS cloud controller manager: kubernetes/cloud-provider-aws examples/existing-cluster/base
 * at the release tag (its documented install: docs/getting_started.md, `kubectl apply -k
 * 'github.com/kubernetes/cloud-provider-aws/examples/existing-cluster/base/?ref=...'`). That base
 * names an older image (v1.27.1 at v1.36.1): the image is set to the release. A DaemonSet on the
 * control-plane nodes with host networking; it tolerates node.cloudprovider.kubernetes.io/uninitialized,
 * which every kubelet started with --cloud-provider=external carries until the controller has
 * initialised its Node.
 */
function cloudControllerManager(versions: KubernetesMinorSupport): CloudAddon {
  const tag = versions.awsCloudControllerVersion;
  return {
    directory: "10-aws-cloud-controller-manager",
    files: {
      "kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        `  - github.com/kubernetes/cloud-provider-aws/examples/existing-cluster/base/?ref=${tag}`,
        "images:",
        "  - name: registry.k8s.io/provider-aws/cloud-controller-manager",
        `    newTag: ${tag}`,
        "",
      ].join("\n"),
    },
  };
}

/** What puts a Deployment's pods on the control-plane nodes with host networking (a JSON 6902 patch). */
const ON_CONTROL_PLANE_WITH_HOST_NETWORK = [
  "      - op: add",
  "        path: /spec/template/spec/hostNetwork",
  "        value: true",
  "      - op: add",
  "        path: /spec/template/spec/nodeSelector/node-role.kubernetes.io~1control-plane",
  '        value: ""',
  "      - op: add",
  "        path: /spec/template/spec/tolerations/-",
  "        value: {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}",
];

/**
 * The EBS CSI driver: kubernetes-sigs/aws-ebs-csi-driver deploy/kubernetes/overlays/stable at the
 * release tag (docs/install.md, "Deploy driver" with kustomize), its controller moved onto the
 * control plane with host networking (above), one replica: two host-network replicas would
 * contend for the healthz port (9808) on a single control-plane node.
 */
function ebsCsiDriver(versions: KubernetesMinorSupport): CloudAddon {
  return {
    directory: "20-aws-ebs-csi-driver",
    files: {
      "kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        `  - github.com/kubernetes-sigs/aws-ebs-csi-driver/deploy/kubernetes/overlays/stable/?ref=${versions.awsEbsCsiVersion}`,
        "replicas:",
        "  - name: ebs-csi-controller",
        "    count: 1",
        "patches:",
        "  - target: {kind: Deployment, name: ebs-csi-controller}",
        "    patch: |-",
        ...ON_CONTROL_PLANE_WITH_HOST_NETWORK,
        "",
      ].join("\n"),
    },
  };
}

/**
 * The default StorageClass: gp3, encrypted (with the account's default EBS key), bound where the
 * pod lands (aws-ebs-csi-driver docs/parameters.md: `type`, `encrypted`; the default-class
 * annotation of the Kubernetes StorageClass documentation).
 */
export const GP3_STORAGE_CLASS = [
  "apiVersion: storage.k8s.io/v1",
  "kind: StorageClass",
  "metadata:",
  "  name: gp3",
  "  annotations:",
  '    storageclass.kubernetes.io/is-default-class: "true"',
  "provisioner: ebs.csi.aws.com",
  "parameters:",
  "  type: gp3",
  '  encrypted: "true"',
  "volumeBindingMode: WaitForFirstConsumer",
  "allowVolumeExpansion: true",
  "reclaimPolicy: Delete",
  "",
].join("\n");

function storageClass(): CloudAddon {
  return {
    directory: "30-gp3-storage-class",
    files: {
      "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - storageclass.yaml\n",
      "storageclass.yaml": GP3_STORAGE_CLASS,
    },
  };
}

/**
 * The cluster autoscaler: cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml
 * at the release tag (its AWS README, "Auto-Discovery Setup"), with the release's image, this
 * cluster's discovery tags (the example's `<YOUR CLUSTER NAME>`), Ubuntu's CA bundle (the example
 * mounts Amazon Linux's), on the control plane with host networking (above).
 */
function clusterAutoscaler(versions: KubernetesMinorSupport, clusterName: string): CloudAddon {
  const tag = `cluster-autoscaler-${versions.clusterAutoscalerVersion}`;
  return {
    directory: "40-cluster-autoscaler",
    files: {
      "kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        `  - https://raw.githubusercontent.com/kubernetes/autoscaler/${tag}/cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml`,
        "images:",
        "  - name: registry.k8s.io/autoscaling/cluster-autoscaler",
        `    newTag: v${versions.clusterAutoscalerVersion}`,
        "patches:",
        "  - target: {kind: Deployment, name: cluster-autoscaler}",
        "    patch: |-",
        "      - op: replace",
        "        path: /spec/template/spec/containers/0/command/6",
        `        value: --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${clusterName}`,
        "      - op: replace",
        "        path: /spec/template/spec/volumes/0/hostPath/path",
        "        value: /etc/ssl/certs/ca-certificates.crt",
        ...ON_CONTROL_PLANE_WITH_HOST_NETWORK,
        "",
      ].join("\n"),
    },
  };
}

/**
 * The GCP cloud controller manager: kubernetes/cloud-provider-gcp deploy/packages/default at the
 * `ccm/<version>` tag, the DaemonSet kOps also derives its GCE addon from (on the control plane,
 * host networking, tolerating the uninitialized taint). Upstream leaves the image
 * (`k8scloudprovidergcp/cloud-controller-manager:latest`) and the arguments ("args must be
 * replaced by tooling") to the installer: the image is the promoted release and the arguments
 * kOps passes (kubernetes/kops, tests/integration/update_cluster/minimal_gce, the rendered
 * gcp-cloud-controller addon) less what Calico owns here (pod CIDR allocation, routes) and less
 * the cloud config file: with none, the GCE provider takes the project, zone and network from the
 * metadata server (providers/gce/gce.go, generateCloudConfig), so the hostPath volume goes.
 * Upstream points the controller at the API server on 127.0.0.1 and leaves the port to the
 * kubernetes Service's (443); the API server here listens on the cluster's port.
 * Its GCP credentials are the control-plane service account's (metadata server); the project role
 * roles/compute.viewer it has (providers/gcp/gcp-node-identities.ts) covers the node controllers
 * (instances.get, zones); nothing grants what Services of type LoadBalancer or routes would need.
 */
function gcpCloudControllerManager(context: UserDataContext, versions: KubernetesMinorSupport): CloudAddon {
  const tag = versions.gcpCloudControllerVersion;
  if (!tag) throw new Error(`Kubernetes ${versions.minor} has no GCP cloud controller release in definition/kubernetes-versions.ts`);
  const args = ["--cloud-provider=gce", "--leader-elect=true", "--use-service-account-credentials=true", "--allocate-node-cidrs=false", "--configure-cloud-routes=false", `--cluster-name=${context.clusterName}`, "--v=2"];
  return {
    directory: "10-gcp-cloud-controller-manager",
    files: {
      "kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        `  - github.com/kubernetes/cloud-provider-gcp/deploy/packages/default?ref=ccm/${tag}`,
        "images:",
        "  - name: k8scloudprovidergcp/cloud-controller-manager",
        "    newName: registry.k8s.io/cloud-provider-gcp/cloud-controller-manager",
        `    newTag: ${tag}`,
        "patches:",
        "  - target: {kind: DaemonSet, name: cloud-controller-manager}",
        "    patch: |-",
        "      - op: replace",
        "        path: /spec/template/spec/containers/0/args",
        `        value: [${args.map((a) => JSON.stringify(a)).join(", ")}]`,
        "      - op: add",
        "        path: /spec/template/spec/containers/0/env/-",
        `        value: {name: KUBERNETES_SERVICE_PORT, value: "${context.apiServerPort}"}`,
        "      - op: remove",
        "        path: /spec/template/spec/containers/0/volumeMounts",
        "      - op: remove",
        "        path: /spec/template/spec/volumes",
        "",
      ].join("\n"),
    },
  };
}

/** The addons the first control-plane node of `context` installs (none on another role). */
export function cloudAddons(context: UserDataContext, versions: KubernetesMinorSupport): CloudAddon[] {
  if (context.role !== "control-plane-init") return [];
  if (context.cloud === "gcp") return [gcpCloudControllerManager(context, versions)];
  if (context.cloud !== "aws") return [];
  return [
    cloudControllerManager(versions),
    ebsCsiDriver(versions),
    storageClass(),
    ...(context.clusterAutoscaler ? [clusterAutoscaler(versions, context.clusterName)] : []),
  ];
}

/** The addons as node files (rendered: they depend on the version and the cluster). */
export function cloudAddonFiles(context: UserDataContext, versions: KubernetesMinorSupport): NodeFile[] {
  return cloudAddons(context, versions).flatMap((addon) =>
    Object.entries(addon.files).map(([name, content]) => ({ path: `${ADDONS_DIR}/${addon.directory}/${name}`, permissions: "0644", content, isStatic: false })),
  );
}
