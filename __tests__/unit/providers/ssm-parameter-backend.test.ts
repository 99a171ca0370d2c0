import { Testing } from "cdktf";
import { SsmParameterBackend } from "../../../providers/aws/ssm-parameter-backend";
import type { NodeIdentity } from "../../../providers";
import { all, testIdentities } from "../../support/aws-fixtures";

type Statement = { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown };
const statements = (synth: string, name: string): Statement[] =>
  JSON.parse(String(all(synth, "aws_iam_role_policy").find((p) => p.name === name)!.policy)).Statement;

function synthBackend(controlPlaneJoins = true) {
  let backend: SsmParameterBackend | undefined;
  const synth = Testing.synthScope((scope) => {
    const ids = testIdentities(scope);
    backend = new SsmParameterBackend(scope, "lease", {
      clusterName: "test",
      controlPlane: ids.controlPlane,
      workers: ids.workers,
      refreshCommand: "/usr/local/sbin/refresh",
      controlPlaneJoins,
    });
  });
  return { synth, backend: backend! };
}

describe("SsmParameterBackend", () => {
  const { synth, backend } = synthBackend();

  test("a single control plane, whose node never joins with a lease, may not ask for refreshes (workers still may)", () => {
    const single = synthBackend(false).synth;
    expect(statements(single, "kubeplane-join-lease-publish").map((x) => x.Sid)).toEqual(["JoinLeaseReadWrite", "JoinLeaseEncryption"]);
    expect(statements(single, "kubeplane-join-lease-read").map((x) => x.Sid)).toEqual(
      expect.arrayContaining(["FindControlPlane", "AskForRefreshDocument", "AskForRefreshOnControlPlane"]),
    );
  });

  test("the control plane reads parameters one at a time: no GetParameters", () => {
    expect(statements(synth, "kubeplane-join-lease-publish").flatMap((x) => x.Action)).not.toContain("ssm:GetParameters");
  });

  test("workers may read only the worker join parameter, decrypt only through SSM", () => {
    const s = statements(synth, "kubeplane-join-lease-read");
    const ssmReads = s.filter((x) => x.Action.some((a) => a.startsWith("ssm:Get")));
    expect(ssmReads).toHaveLength(1);
    expect(ssmReads[0].Action).toEqual(["ssm:GetParameter"]);
    expect(ssmReads[0].Resource).toHaveLength(1);
    expect(ssmReads[0].Resource[0]).toMatch(/:parameter\/kubeplane\/test\/join\/worker$/);
    expect(s.find((x) => x.Sid === "WorkerJoinLeaseDecrypt")!.Condition).toEqual({ StringEquals: { "kms:ViaService": expect.stringMatching(/^ssm\..*\.amazonaws\.com$/) } });
    expect(s.flatMap((x) => x.Action).some((a) => /^ssm:(Put|Delete)/.test(a))).toBe(false);
  });

  test.each(["kubeplane-join-lease-read", "kubeplane-join-lease-publish"])(
    "%s: joiners may ask only this cluster's control plane for a refresh, with the refresh document",
    (policy) => {
      const s = statements(synth, policy);
      const onInstances = s.find((x) => x.Sid === "AskForRefreshOnControlPlane")!;
      expect(onInstances.Action).toEqual(["ssm:SendCommand"]);
      expect(onInstances.Condition).toEqual({ StringEquals: { "ssm:resourceTag/kubeplane:cluster": "test", "ssm:resourceTag/kubeplane:role": "control-plane" } });
      expect(s.find((x) => x.Sid === "AskForRefreshDocument")!.Resource).toEqual([expect.stringMatching(/aws_ssm_document\./)]);
    },
  );

  test("the control plane may write under the cluster's path only, with the cluster's key", () => {
    const s = statements(synth, "kubeplane-join-lease-publish");
    expect(s[0].Action).toContain("ssm:PutParameter");
    expect(s[0].Resource).toEqual([expect.stringMatching(/:parameter\/kubeplane\/test\/\*$/)]);
    const onEverything = s.filter((x) => x.Resource.includes("*")).flatMap((x) => x.Action);
    expect(onEverything).toEqual(["ec2:DescribeInstances"]);
  });

  test("workers may record their bootstrap status under status/ only, tagged, and never delete", () => {
    expect(statements(synth, "kubeplane-bootstrap-status-record")).toEqual([
      {
        Sid: "WorkerRecordsBootstrapStatus",
        Effect: "Allow",
        Action: ["ssm:PutParameter", "ssm:AddTagsToResource"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:ssm:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:parameter\/kubeplane\/test\/status\/\*$/)],
      },
    ]);
    const policy = all(synth, "aws_iam_role_policy").find((p) => p.name === "kubeplane-bootstrap-status-record")!;
    expect(String(policy.role)).toMatch(/^\$\{aws_iam_role\.identities_worker_role_[A-Z0-9]+\.id\}$/);
  });

  test("the refresh document runs the refresh command", () => {
    const [doc] = all(synth, "aws_ssm_document");
    const content = JSON.parse(String(doc.content));
    expect(content.mainSteps[0].inputs.runCommand).toEqual(["/usr/local/sbin/refresh"]);
  });

  test("nodes learn the parameter names, the key and the document from the node config", () => {
    expect(backend.nodeConfig.kind).toBe("ssm");
    expect(backend.nodeConfig.settings).toMatchObject({
      KUBEPLANE_PARAMETER_PATH: "/kubeplane/test",
      KUBEPLANE_WORKER_JOIN_PARAMETER: "/kubeplane/test/join/worker",
      KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: "/kubeplane/test/join/control-plane",
      KUBEPLANE_CONTROL_PLANE_TAG_KEY: "kubeplane:role",
      KUBEPLANE_CONTROL_PLANE_TAG_VALUE: "control-plane",
    });
  });

  test("rejects a relative refresh command, and identities of another cloud", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const ids = testIdentities(scope);
        new SsmParameterBackend(scope, "l", { clusterName: "t", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "refresh" });
      }),
    ).toThrow(/refreshCommand must be an absolute path/);
    const foreign: NodeIdentity = { kind: "worker", name: "gcp-sa" };
    expect(() =>
      Testing.synthScope((scope) => {
        const ids = testIdentities(scope);
        new SsmParameterBackend(scope, "l", { clusterName: "t", controlPlane: ids.controlPlane, workers: foreign, refreshCommand: "/r" });
      }),
    ).toThrow(/workers: expected an identity made by the AWS cloud/);
  });
});
