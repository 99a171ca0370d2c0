/**
 * Cloud integration (issue 14): the kubelet runs with the external cloud provider and the pool's
 * labels and taints from its first start; the first control-plane node installs the AWS cloud
 * controller, the EBS CSI driver (a default encrypted gp3 StorageClass) and, where a pool
 * autoscales, the cluster autoscaler, each pinned to the release the version table names; their
 * IAM is on the control-plane role and passes the rule pack.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { cloudAddons, GP3_STORAGE_CLASS } from "../../../bootstrap/installers/cloud-addons";
import { nodeFiles } from "../../../bootstrap/user-data";
import { kubernetesSupportFor, SUPPORTED_KUBERNETES } from "../../../definition/kubernetes-versions";
import { cloudControllerPolicy, clusterAutoscalerPolicy, ebsCsiControllerPolicy } from "../../../providers/aws/aws-cloud-integration-policies";
import { isWildcardAction, wildcardResourceServices } from "../../../providers/aws/rules/no-iam-wildcards";
import { exampleDefinition, resourcesOf, synthesizeCluster } from "../../support/examples";
import { runWithModules, scratchRoot } from "./node-module-shell";
import { contextFor } from "./rendering-fixtures";

const kubeletDefaults = (env: Record<string, string>) => {
  const root = scratchRoot();
  const run = runWithModules(
    ["installers/kubeadm.sh"],
    'NODE_PROVIDER_ID=aws:///eu-west-1a/i-0abc NODE_IP=10.0.1.5; kubeadm_kubelet_flags; write_kubelet_defaults "${kubelet_flags[@]}"; cat "$KUBEPLANE_ROOT/etc/default/kubelet"',
    { KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "24", KUBEPLANE_LIB: `${root}/usr/local/lib/kubeplane`, ...env },
    root,
  );
  return run;
};

describe("the kubelet's flags (kubeadm)", () => {
  test("the external cloud provider from the first start, with the node's cloud identity", () => {
    const run = kubeletDefaults({});
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe('KUBELET_EXTRA_ARGS="--provider-id=aws:///eu-west-1a/i-0abc --node-ip=10.0.1.5 --cloud-provider=external"\n');
  });

  test("a pool's labels and taints at registration", () => {
    const run = kubeletDefaults({ KUBEPLANE_NODE_LABELS: "example.com/workload=batch,node.kubernetes.io/lifecycle=spot", KUBEPLANE_NODE_TAINTS: "example.com/spot=true:NoSchedule" });
    expect(run.stdout).toContain(" --cloud-provider=external --node-labels=example.com/workload=batch,node.kubernetes.io/lifecycle=spot --register-with-taints=example.com/spot=true:NoSchedule\"");
  });

  test("refuses labels that would break the defaults file", () => {
    const run = kubeletDefaults({ KUBEPLANE_NODE_LABELS: 'a=b" --anonymous-auth=true' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/invalid node labels/);
  });
});

describe("what the first control-plane node installs", () => {
  const row = kubernetesSupportFor("1.36.5")!;

  test("every supported minor pins a cloud controller, an EBS CSI driver and an autoscaler release", () => {
    for (const r of SUPPORTED_KUBERNETES) {
      expect(r.awsCloudControllerVersion).toMatch(/^v1\.\d+\.\d+$/);
      expect(r.awsEbsCsiVersion).toMatch(/^v1\.\d+\.\d+$/);
      expect(r.clusterAutoscalerVersion).toMatch(/^1\.\d+\.\d+$/);
      // The same minor, or one older (the version skew policy for cloud controller managers).
      const minor = Number(r.minor.split(".")[1]);
      expect([minor, minor - 1]).toContain(Number(r.awsCloudControllerVersion.split(".")[1]));
      expect([minor, minor - 1]).toContain(Number(r.clusterAutoscalerVersion.split(".")[1]));
    }
  });

  test("kubeadm init's node: the cloud controller, the EBS CSI driver and the gp3 class, pinned to the table's releases", () => {
    const addons = cloudAddons({ ...contextFor("control-plane-init", "kubeadm"), cloud: "aws" }, row);
    expect(addons.map((a) => a.directory)).toEqual(["10-aws-cloud-controller-manager", "20-aws-ebs-csi-driver", "30-gp3-storage-class"]);
    const [ccm, csi] = addons.map((a) => a.files["kustomization.yaml"]);
    expect(ccm).toContain(`github.com/kubernetes/cloud-provider-aws/examples/existing-cluster/base/?ref=${row.awsCloudControllerVersion}`);
    expect(ccm).toContain(`newTag: ${row.awsCloudControllerVersion}`);
    expect(csi).toContain(`github.com/kubernetes-sigs/aws-ebs-csi-driver/deploy/kubernetes/overlays/stable/?ref=${row.awsEbsCsiVersion}`);
    // The controller reaches IMDS over one hop: host networking, on the control plane.
    expect(csi).toMatch(/path: \/spec\/template\/spec\/hostNetwork\n\s+value: true/);
    expect(csi).toContain("node-role.kubernetes.io~1control-plane");
    expect(GP3_STORAGE_CLASS).toMatch(/is-default-class: "true"/);
    expect(GP3_STORAGE_CLASS).toMatch(/type: gp3\n {2}encrypted: "true"/);
  });

  test("the autoscaler only where a pool autoscales, discovering this cluster's pools", () => {
    const context = { ...contextFor("control-plane-init", "kubeadm"), cloud: "aws" };
    expect(cloudAddons(context, row).some((a) => a.directory.includes("autoscaler"))).toBe(false);
    const addon = cloudAddons({ ...context, clusterAutoscaler: true }, row).find((a) => a.directory === "40-cluster-autoscaler")!;
    const text = addon.files["kustomization.yaml"];
    expect(text).toContain(`kubernetes/autoscaler/cluster-autoscaler-${row.clusterAutoscalerVersion}/cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml`);
    expect(text).toContain(`--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${context.clusterName}`);
    expect(text).toContain(`newTag: v${row.clusterAutoscalerVersion}`);
  });

  test("workers, joining control-plane nodes and kURL install none", () => {
    for (const context of [contextFor("worker", "kubeadm"), contextFor("control-plane-join", "kubeadm")]) {
      expect(nodeFiles({ ...context, cloud: "aws" }).filter((f) => f.path.includes("/addons/"))).toEqual([]);
    }
    expect(nodeFiles({ ...contextFor("control-plane-init", "kurl"), cloud: "aws" }).filter((f) => f.path.includes("/addons/"))).toEqual([]);
    expect(nodeFiles({ ...contextFor("control-plane-init", "kubeadm"), cloud: "aws" }).filter((f) => f.path.includes("/addons/")).map((f) => f.path)).toEqual([
      "/etc/kubeplane/addons/10-aws-cloud-controller-manager/kustomization.yaml",
      "/etc/kubeplane/addons/20-aws-ebs-csi-driver/kustomization.yaml",
      "/etc/kubeplane/addons/30-gp3-storage-class/kustomization.yaml",
      "/etc/kubeplane/addons/30-gp3-storage-class/storageclass.yaml",
    ]);
  });

  test("kubeadm init applies each addon with retries after the CNI", () => {
    const script = readFileSync(path.join(__dirname, "../../../bootstrap/node/installers/kubeadm.sh"), "utf8");
    expect(script).toMatch(/apply -f "\$manifest"[\s\S]*\n {2}kubeadm_apply_addons\n\}/);
    expect(script).toMatch(/retry 5 "\$KUBEADM_RETRY_DELAY_SECONDS" kubectl --kubeconfig "\$KUBEPLANE_KUBECONFIG" apply -k "\$dir"/);
  });
});

describe("the controllers' IAM", () => {
  const at = { partition: "aws", region: "eu-west-1", account: "123456789012" };
  const statements = (text: string) => JSON.parse(text).Statement as { Sid: string; Action: string[]; Resource: string[] }[];

  test("no wildcard ssm, kms or iam action or resource (KP-IAM-1)", () => {
    for (const text of [cloudControllerPolicy(at), ebsCsiControllerPolicy(at), clusterAutoscalerPolicy({ ...at, clusterName: "dev" })]) {
      for (const s of statements(text)) {
        expect(s.Action.filter(isWildcardAction)).toEqual([]);
        const sensitive = s.Action.some((a) => /^(ssm|kms|iam):/.test(a));
        if (sensitive) expect(s.Resource.flatMap(wildcardResourceServices)).toEqual([]);
      }
    }
  });

  test("the cloud controller tags only security groups and creates only the load balancers' service-linked role", () => {
    const byAction = (action: string) => statements(cloudControllerPolicy(at)).filter((s) => s.Action.includes(action));
    expect(byAction("ec2:CreateTags").map((s) => s.Resource)).toEqual([["arn:aws:ec2:eu-west-1:123456789012:security-group/*"]]);
    expect(byAction("iam:CreateServiceLinkedRole").map((s) => s.Resource)).toEqual([
      ["arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"],
    ]);
    expect(statements(cloudControllerPolicy(at)).flatMap((s) => s.Action).filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  test("the autoscaler sizes only this cluster's autoscaled groups", () => {
    const scale = JSON.parse(clusterAutoscalerPolicy({ ...at, clusterName: "dev" })).Statement.find((s: { Sid: string }) => s.Sid === "ScaleThisClustersPools");
    expect(scale.Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true", "aws:ResourceTag/k8s.io/cluster-autoscaler/dev": "owned" } });
  });

  test("on the control-plane role of every cluster; the autoscaler's only where a pool autoscales", () => {
    const policiesOf = (name: "dev" | "pools") =>
      resourcesOf(synthesizeCluster(exampleDefinition(name)).clusterJson, "aws_iam_role_policy").map((p) => [p.name, String(p.role)] as const);
    for (const [name, autoscaler] of [["dev", false], ["pools", true]] as const) {
      const policies = policiesOf(name);
      const onControlPlane = (policy: string) => policies.some(([n, role]) => n === policy && /identities_control-plane_role/.test(role));
      expect(onControlPlane("kubeplane-cloud-controller-manager")).toBe(true);
      expect(onControlPlane("kubeplane-ebs-csi-controller")).toBe(true);
      expect(onControlPlane("kubeplane-cluster-autoscaler")).toBe(autoscaler);
    }
  });
});
