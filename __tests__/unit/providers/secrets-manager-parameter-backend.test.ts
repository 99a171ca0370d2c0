import { Testing } from "cdktf";
import { AwsCloud } from "../../../providers/aws/aws-cloud";
import { SecretsManagerParameterBackend } from "../../../providers/aws/secrets-manager-parameter-backend";
import { SsmParameterBackend } from "../../../providers/aws/ssm-parameter-backend";
import { all, testIdentities } from "../../support/aws-fixtures";

type Statement = { Sid: string; Action: string[]; Resource: string[] | string; Condition?: unknown; Principal?: { AWS: string } };
const statements = (synth: string, name: string): Statement[] =>
  JSON.parse(String(all(synth, "aws_iam_role_policy").find((p) => p.name === name)!.policy)).Statement;

function synthBackend(controlPlaneJoins = true) {
  let backend: SecretsManagerParameterBackend | undefined;
  const synth = Testing.synthScope((scope) => {
    const ids = testIdentities(scope);
    backend = new SecretsManagerParameterBackend(scope, "lease", {
      clusterName: "test",
      kind: "secretsmanager",
      controlPlane: ids.controlPlane,
      workers: ids.workers,
      refreshCommand: "/usr/local/sbin/refresh",
      controlPlaneJoins,
    });
  });
  return { synth, backend: backend! };
}

describe("SecretsManagerParameterBackend", () => {
  const { synth, backend } = synthBackend();

  test("Terraform creates the lease secrets empty, under the cluster's key, and never a secret version (no value in state)", () => {
    const secrets = all(synth, "aws_secretsmanager_secret");
    expect(secrets.map((s) => s.name).sort()).toEqual(["kubeplane/test/join/control-plane", "kubeplane/test/join/worker"]);
    for (const s of secrets) {
      expect(s.kms_key_id).toMatch(/^\$\{aws_kms_key\.lease_key_[A-Z0-9]+\.arn\}$/);
      expect(s.recovery_window_in_days).toBe(0);
    }
    expect(all(synth, "aws_secretsmanager_secret_version")).toEqual([]);
    expect(all(synth, "aws_ssm_parameter")).toEqual([]);
    expect(all(synth, "aws_ssm_document")).toEqual([]);
  });

  test("a single control plane gets no control-plane lease secret", () => {
    expect(all(synthBackend(false).synth, "aws_secretsmanager_secret").map((s) => s.name)).toEqual(["kubeplane/test/join/worker"]);
  });

  test("workers may read only the worker lease secret, by its ARN, and decrypt only through Secrets Manager", () => {
    const s = statements(synth, "kubeplane-join-lease-read");
    const reads = s.filter((x) => x.Action.some((a) => /^secretsmanager:(Get|Describe|List|BatchGet)/.test(a)));
    expect(reads).toEqual([
      { Sid: "WorkerJoinLeaseRead", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [expect.stringMatching(/^\$\{aws_secretsmanager_secret\.lease_worker-secret_[A-Z0-9]+\.arn\}$/)] },
    ]);
    expect(s.find((x) => x.Sid === "WorkerJoinLeaseDecrypt")!.Condition).toEqual({ StringEquals: { "kms:ViaService": expect.stringMatching(/^secretsmanager\..*\.amazonaws\.com$/) } });
    expect(s.flatMap((x) => x.Action).some((a) => /^(ssm|ec2):/.test(a))).toBe(false);
  });

  test("workers may create only the refresh request and status records, never delete, never under join/", () => {
    const ask = statements(synth, "kubeplane-join-lease-read").find((x) => x.Sid === "AskForRefresh")!;
    expect(ask.Action).toEqual(["secretsmanager:CreateSecret", "secretsmanager:TagResource"]);
    expect(ask.Resource).toEqual([expect.stringMatching(/:secretsmanager:.*:secret:kubeplane\/test\/refresh\/request-\?\?\?\?\?\?$/)]);
    const status = statements(synth, "kubeplane-bootstrap-status-record");
    expect(status).toEqual([
      {
        Sid: "WorkerRecordsBootstrapStatus",
        Effect: "Allow",
        Action: ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:TagResource"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:secretsmanager:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:secret:kubeplane\/test\/status\/\*$/)],
      },
    ]);
    const workerActions = [...statements(synth, "kubeplane-join-lease-read"), ...status].flatMap((x) => x.Action);
    expect(workerActions.filter((a) => /Delete|Restore|Policy|UpdateSecret|Rotate/.test(a))).toEqual([]);
  });

  test("the control plane reads and writes under the cluster's prefix only, with the cluster's key", () => {
    const s = statements(synth, "kubeplane-join-lease-publish");
    expect(s.map((x) => x.Sid)).toEqual(["JoinLeaseReadWrite", "JoinLeaseEncryption"]);
    expect(s[0].Resource).toEqual([expect.stringMatching(/:secret:kubeplane\/test\/\*$/)]);
    expect(s[1]).toMatchObject({ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [expect.stringMatching(/^\$\{aws_kms_key\./)] });
    expect(s.flatMap((x) => ([] as string[]).concat(x.Resource))).not.toContain("*");
  });

  test("the key may be used by the node roles only through Secrets Manager; the account only administers it", () => {
    const key = all(synth, "aws_kms_key")[0];
    expect(key.enable_key_rotation).toBe(true);
    const policy = JSON.parse(String(key.policy)).Statement as Statement[];
    expect(policy.map((x) => x.Sid)).toEqual(["KeyAdministration", "ControlPlaneUsesKeyThroughSecretsManager", "WorkersDecryptThroughSecretsManager"]);
    expect(policy[0].Action).not.toEqual(expect.arrayContaining([expect.stringMatching(/^kms:(Encrypt|Decrypt|GenerateDataKey|CreateGrant|\*)/)]));
    for (const use of policy.slice(1)) {
      expect(use.Condition).toEqual({ StringEquals: { "kms:ViaService": expect.stringMatching(/^secretsmanager\..*\.amazonaws\.com$/) } });
    }
    expect(policy[2].Action).toEqual(["kms:Decrypt"]);
  });

  test("nodes get the secret names and the region: no key id, no Run Command document", () => {
    expect(backend.nodeConfig.kind).toBe("secretsmanager");
    expect(backend.path).toBe("kubeplane/test");
    expect(backend.workerJoinParameter).toBe("kubeplane/test/join/worker");
    expect(Object.keys(backend.nodeConfig.settings).sort()).toEqual([
      "KUBEPLANE_AWS_REGION",
      "KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER",
      "KUBEPLANE_PARAMETER_PATH",
      "KUBEPLANE_WORKER_JOIN_PARAMETER",
    ]);
  });

  test("bad props name the construct and the prop", () => {
    const make = (props: { clusterName?: string; kind?: string; refreshCommand?: string }) => () =>
      Testing.synthScope((scope) => {
        const ids = testIdentities(scope);
        new SecretsManagerParameterBackend(scope, "lease", { clusterName: "test", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/r", ...props });
      });
    expect(make({ kind: "ssm" })).toThrow('SecretsManagerParameterBackend: kind must be "secretsmanager" (or left out), got "ssm"');
    expect(make({ refreshCommand: "refresh" })).toThrow("SecretsManagerParameterBackend: refreshCommand must be an absolute path");
    expect(make({ clusterName: "a b" })).toThrow("SecretsManagerParameterBackend: clusterName may hold only");
  });
});

describe("AwsCloud.createParameterBackend", () => {
  const make = (kind?: string) => {
    let made: unknown;
    Testing.synthScope((scope) => {
      const ids = testIdentities(scope);
      made = new AwsCloud().createParameterBackend(scope, "lease", { clusterName: "test", kind, controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/r" });
    });
    return made;
  };

  test("builds the store the definition names, SSM when it names none", () => {
    expect(make("secretsmanager")).toBeInstanceOf(SecretsManagerParameterBackend);
    expect(make("ssm")).toBeInstanceOf(SsmParameterBackend);
    expect(make()).toBeInstanceOf(SsmParameterBackend);
  });

  test("refuses a store AWS does not offer, naming it", () => {
    expect(() => make("vault")).toThrow('AwsCloud: parameter backend kind "vault" is not one AWS offers (ssm, secretsmanager)');
  });
});
