/**
 * The join-lease rules on a cluster whose lease lives in Secrets Manager (joinTokens.backend:
 * secretsmanager): KP-IAM-2 (workers read only the worker secret), KP-IAM-3 (only the control
 * plane writes the cluster's secrets, but status/ and refresh/), KP-SEC-1 (no lease value in
 * Terraform), and the real backend passing them. Facts as SecretsManagerParameterBackend states them.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Testing, TerraformStack } from "cdktf";
import { AwsNodeIdentities } from "../../../providers/aws/aws-node-identities";
import { SecretsManagerParameterBackend } from "../../../providers/aws/secrets-manager-parameter-backend";
import { auditStack, findingsOf } from "./rule-harness";

const SM_FACTS = { parameterPath: "kubeplane/t", workerJoinParameter: "kubeplane/t/join/worker" };
const ASSUME = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const policy = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const role = (s: TerraformStack, kind: string) => new IamRole(s, `${kind}-role`, { name: `kubeplane-t-${kind}`, assumeRolePolicy: ASSUME });
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:";
const grant = (s: TerraformStack, id: string, roleId: string, action: string[], resource: string[]) =>
  new IamRolePolicy(s, id, { role: roleId, policy: policy({ Effect: "Allow", Action: action, Resource: resource }) });

describe("the real Secrets Manager backend", () => {
  test("passes every rule (the facts it states are the ones the rules check)", () => {
    let facts: { parameterPath: string; workerJoinParameter: string } | undefined;
    const { findings } = auditStack(
      (s) => {
        const ids = new AwsNodeIdentities(s, "identities", { clusterName: "t" });
        const backend = new SecretsManagerParameterBackend(s, "join-lease", { clusterName: "t", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/r", controlPlaneJoins: true });
        facts = { parameterPath: backend.path, workerJoinParameter: backend.workerJoinParameter };
      },
      { facts: SM_FACTS },
    );
    expect(facts).toEqual(SM_FACTS);
    expect(findings.map((f) => `${f.rule.id} ${f.address}: ${f.message}`)).toEqual([]);
  });
});

describe("KP-IAM-2 on secrets: workers read only the worker join secret", () => {
  test("is quiet on the worker secret by reference or by ARN with its suffix, and on the control plane", () => {
    const { findings } = auditStack(
      (s) => {
        const w = role(s, "worker");
        const secret = new SecretsmanagerSecret(s, "worker-secret", { name: "kubeplane/t/join/worker" });
        grant(s, "by-reference", w.id, ["secretsmanager:GetSecretValue"], [secret.arn]);
        grant(s, "by-pattern", w.id, ["secretsmanager:GetSecretValue"], [`${ARN}kubeplane/t/join/worker-??????`]);
        grant(s, "by-arn", w.id, ["secretsmanager:GetSecretValue"], [`${ARN}kubeplane/t/join/worker-AbC123`]);
        grant(s, "cp", role(s, "control-plane").id, ["secretsmanager:GetSecretValue"], [`${ARN}kubeplane/t/*`]);
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-IAM-2")).toEqual([]);
  });

  test("fires when a worker's read is widened: the control-plane secret, a wildcard, another secret's reference, any secret", () => {
    const widened = [
      `${ARN}kubeplane/t/join/control-plane-??????`,
      `${ARN}kubeplane/t/join/*`,
      `${ARN}kubeplane/t/join/worker*`,
      `${ARN}kubeplane/t/join/worker-abc-??????`,
      `${ARN}*`,
      "arn:aws:secretsmanager:*:*:*",
      "*",
    ];
    const { stack, findings } = auditStack(
      (s) => {
        const w = role(s, "worker");
        widened.forEach((r, i) => grant(s, `read-${i}`, w.id, ["secretsmanager:GetSecretValue"], [r]));
        const cpSecret = new SecretsmanagerSecret(s, "cp-secret", { name: "kubeplane/t/join/control-plane" });
        grant(s, "cp-reference", w.id, ["secretsmanager:Get*"], [cpSecret.arn]);
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-IAM-2")).toEqual([
      ...widened.map((r, i) => `aws_iam_role_policy.read-${i}: lets the worker role kubeplane-t-worker secretsmanager:GetSecretValue on ${r}; workers may read only the secret kubeplane/t/join/worker`),
      expect.stringMatching(/^aws_iam_role_policy\.cp-reference: lets the worker role kubeplane-t-worker secretsmanager:GetSecretValue on \$\{aws_secretsmanager_secret\.cp-secret\.arn\}; workers may read only the secret kubeplane\/t\/join\/worker$/),
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-IAM-2/);
  });

  test("still holds an SSM grant in a Secrets Manager cluster to the worker join parameter", () => {
    const { findings } = auditStack((s) => grant(s, "ssm", role(s, "worker").id, ["ssm:GetParameter"], ["arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/join/control-plane"]), { facts: SM_FACTS });
    expect(findingsOf(findings, "KP-IAM-2")).toEqual([
      "aws_iam_role_policy.ssm: lets the worker role kubeplane-t-worker ssm:GetParameter on arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/join/control-plane; workers may read only /kubeplane/t/join/worker",
    ]);
  });
});

describe("KP-IAM-3 on secrets: only the control plane writes the cluster's secrets", () => {
  test("is quiet on the status and refresh subtrees and on the control plane's writes", () => {
    const { findings } = auditStack(
      (s) => {
        const w = role(s, "worker");
        grant(s, "status", w.id, ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:TagResource"], [`${ARN}kubeplane/t/status/*`]);
        grant(s, "request", w.id, ["secretsmanager:CreateSecret", "secretsmanager:TagResource"], [`${ARN}kubeplane/t/refresh/request-??????`]);
        grant(s, "cp", role(s, "control-plane").id, ["secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"], [`${ARN}kubeplane/t/*`]);
        grant(s, "elsewhere", w.id, ["secretsmanager:PutSecretValue"], [`${ARN}kubeplane/tt/*`, `${ARN}app/kubeplane/t/*`]);
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-IAM-3")).toEqual([]);
  });

  test("fires when a worker's write is widened beyond status/ and refresh/", () => {
    const widened = [
      `${ARN}kubeplane/t/join/worker-??????`,
      `${ARN}kubeplane/t/*`,
      `${ARN}kubeplane/t/status*`,
      `${ARN}kubeplane/t/refresh*`,
      `${ARN}kubeplane/?/status/*`,
      `${ARN}kube*`,
      "*",
    ];
    const { stack, findings } = auditStack(
      (s) => {
        const w = role(s, "worker");
        widened.forEach((r, i) => grant(s, `write-${i}`, w.id, ["secretsmanager:PutSecretValue"], [r]));
        const secret = new SecretsmanagerSecret(s, "worker-secret", { name: "kubeplane/t/join/worker" });
        grant(s, "by-reference", w.id, ["secretsmanager:UpdateSecret"], [secret.arn]);
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-IAM-3")).toEqual([
      ...widened.map((r, i) => `aws_iam_role_policy.write-${i}: lets the role kubeplane-t-worker, not a control-plane role, secretsmanager:PutSecretValue on ${r}, which covers the secrets kubeplane/t/`),
      expect.stringMatching(/^aws_iam_role_policy\.by-reference: lets the role kubeplane-t-worker, not a control-plane role, secretsmanager:UpdateSecret on \$\{aws_secretsmanager_secret\.worker-secret\.arn\}, which covers the secrets kubeplane\/t\/$/),
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-IAM-3/);
  });
});

describe("KP-SEC-1 on secrets: no join lease value in Terraform", () => {
  test("fires on a version of a join secret, and on a token in any secret version", () => {
    const { stack, findings } = auditStack(
      (s) => {
        const lease = new SecretsmanagerSecret(s, "lease", { name: "kubeplane/t/join/worker" });
        new SecretsmanagerSecretVersion(s, "lease-version", { secretId: lease.id, secretString: "{}" });
        const other = new SecretsmanagerSecret(s, "other", { name: "app/config" });
        new SecretsmanagerSecretVersion(s, "token-version", { secretId: other.id, secretString: "kubeadm join x --token abcdef.0123456789abcdef" });
        new SecretsmanagerSecretVersion(s, "by-name", { secretId: "kubeplane/t/join/control-plane", secretString: "x" });
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-SEC-1")).toEqual([
      "aws_secretsmanager_secret_version.lease-version: gives kubeplane/t/join/worker, a join lease secret, a version; the control plane writes the join lease at run time, Terraform must not",
      "aws_secretsmanager_secret_version.token-version: secret_string looks like a kubeadm bootstrap token",
      "aws_secretsmanager_secret_version.by-name: gives kubeplane/t/join/control-plane, a join lease secret, a version; the control plane writes the join lease at run time, Terraform must not",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-SEC-1/);
  });

  test("is quiet on an empty join secret (no version) and on other secrets' versions", () => {
    const { findings } = auditStack(
      (s) => {
        new SecretsmanagerSecret(s, "lease", { name: "kubeplane/t/join/worker" });
        const other = new SecretsmanagerSecret(s, "other", { name: "app/config" });
        new SecretsmanagerSecretVersion(s, "other-version", { secretId: other.id, secretString: "plain" });
      },
      { facts: SM_FACTS },
    );
    expect(findingsOf(findings, "KP-SEC-1")).toEqual([]);
  });
});
