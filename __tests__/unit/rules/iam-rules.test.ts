/** KP-IAM-1 (no wildcards), KP-IAM-2 (workers read only their join parameter), KP-IAM-3 (only the control plane writes). */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamPolicyAttachment } from "@cdktf/provider-aws/lib/iam-policy-attachment";
import { IamUserPolicyAttachment } from "@cdktf/provider-aws/lib/iam-user-policy-attachment";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Fn, Testing, TerraformStack } from "cdktf";
import { auditStack, findingsOf, ruleIds } from "./rule-harness";

const ASSUME = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const policy = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const role = (s: TerraformStack, kind: string) => new IamRole(s, `${kind}-role`, { name: `kubeplane-t-${kind}`, assumeRolePolicy: ASSUME });
const WORKER_JOIN = "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/join/worker";

describe("KP-IAM-1 no-iam-wildcards", () => {
  it("fires on Action * and service wildcards, NotAction, and ssm/kms/iam on Resource *", () => {
    const { stack, findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      new IamRolePolicy(s, "star", { role: r.id, policy: policy({ Effect: "Allow", Action: "*", Resource: "*" }) });
      new IamRolePolicy(s, "kms-star", { role: r.id, policy: policy({ Effect: "Allow", Action: ["kms:*"], Resource: ["arn:aws:kms:eu-west-1:1:key/abc"] }) });
      new IamRolePolicy(s, "ssm-any", { role: r.id, policy: policy({ Effect: "Allow", Action: ["ssm:GetParameter"], Resource: "*" }) });
      new IamRolePolicy(s, "not-action", { role: r.id, policy: policy({ Effect: "Allow", NotAction: ["s3:*"], Resource: "arn:aws:s3:::b" }) });
      new IamPolicy(s, "iam-star", { policy: policy({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }) });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_role_policy.star: policy statement 1 allows Action "*"',
      'aws_iam_role_policy.star: policy statement 1 allows ssm/kms/iam actions on Resource "*"',
      'aws_iam_role_policy.kms-star: policy statement 1 allows Action "kms:*"',
      'aws_iam_role_policy.ssm-any: policy statement 1 allows ssm actions on Resource "*"',
      "aws_iam_role_policy.not-action: policy statement 1 allows everything but s3:* (NotAction), which includes ssm, kms, iam",
      'aws_iam_policy.iam-star: policy statement 1 allows iam actions on Resource "*"',
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-IAM-1 no-iam-wildcards \[error\] aws_iam_role_policy\.star/);
  });

  it("reads AWS managed policies and policy documents", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "bastion");
      new IamRolePolicyAttachment(s, "ssm-core", { role: r.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
      new IamRolePolicyAttachment(s, "admin", { role: r.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      new IamRolePolicyAttachment(s, "unknown", { role: r.name, policyArn: "arn:aws:iam::aws:policy/SomethingNew" });
      const doc = new DataAwsIamPolicyDocument(s, "doc", { statement: [{ effect: "Allow", actions: ["kms:Decrypt"], resources: ["*"] }] });
      new IamRolePolicy(s, "from-doc", { role: r.id, policy: doc.json });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_role_policy_attachment.ssm-core: attached policy statement 1 allows ssm actions on Resource "*"',
      'aws_iam_role_policy_attachment.admin: attached policy statement 1 allows Action "*"',
      'aws_iam_role_policy_attachment.admin: attached policy statement 1 allows ssm/kms/iam actions on Resource "*"',
      "aws_iam_role_policy_attachment.unknown: attached policy: cannot be checked: kubeplane does not know what the AWS managed policy SomethingNew grants",
      'aws_iam_role_policy.from-doc: policy statement 1 allows kms actions on Resource "*"',
    ]);
  });

  it("treats any glob over ssm, kms or iam actions as a wildcard action", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      const scoped = "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/x";
      new IamRolePolicy(s, "globs", {
        role: r.id,
        policy: policy({ Effect: "Allow", Action: ["iam:?*", "ssm:Get*", "s?m:PutParameter", "kms:Decrypt", "ec2:Describe*"], Resource: [scoped] }),
      });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_role_policy.globs: policy statement 1 allows Action "iam:?*"',
      'aws_iam_role_policy.globs: policy statement 1 allows Action "ssm:Get*"',
      'aws_iam_role_policy.globs: policy statement 1 allows Action "s?m:PutParameter"',
    ]);
  });

  it("treats an ARN of every parameter, key or role as Resource *, whatever its region and account", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      new IamRolePolicy(s, "wide", {
        role: r.id,
        policy: policy(
          { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: ["arn:aws:ssm:*:*:parameter/*", "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*"] },
          { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:eu-west-1:123456789012:key/*"] },
          { Effect: "Allow", Action: ["iam:PassRole"], Resource: ["arn:aws:iam::*:role/*", "arn:aws:iam::1:role/kubeplane-t-*"] },
          { Effect: "Allow", Action: ["ssm:GetParameter", "s3:GetObject"], Resource: ["arn:aws:s3:::bucket/*"] },
        ),
      });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_role_policy.wide: policy statement 1 allows ssm actions on Resource "arn:aws:ssm:*:*:parameter/*"',
      'aws_iam_role_policy.wide: policy statement 2 allows kms actions on Resource "arn:aws:kms:eu-west-1:123456789012:key/*"',
      'aws_iam_role_policy.wide: policy statement 3 allows iam actions on Resource "arn:aws:iam::*:role/*"',
    ]);
  });

  it("reads the source and override documents a policy document merges", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      const base = new DataAwsIamPolicyDocument(s, "base", { statement: [{ sid: "Keys", effect: "Allow", actions: ["kms:*"], resources: ["*"] }] });
      const merged = new DataAwsIamPolicyDocument(s, "merged-doc", {
        sourcePolicyDocuments: [base.json, policy({ Effect: "Allow", Action: "iam:*", Resource: "*" })],
        overridePolicyDocuments: [policy({ Sid: "Later", Effect: "Allow", Action: "ssm:*", Resource: "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/x" })],
      });
      new IamRolePolicy(s, "merged", { role: r.id, policy: merged.json });
      const legacy = new DataAwsIamPolicyDocument(s, "legacy-doc", { sourceJson: policy({ Effect: "Allow", Action: "ssm:GetParameter", Resource: "*" }) });
      new IamRolePolicy(s, "legacy", { role: r.id, policy: legacy.json });
      // An override with the same Sid replaces the wildcard statement: nothing left to find.
      const fixed = new DataAwsIamPolicyDocument(s, "fixed-doc", {
        sourcePolicyDocuments: [base.json],
        overrideJson: policy({ Sid: "Keys", Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:1:key/abc" }),
      });
      new IamRolePolicy(s, "fixed", { role: r.id, policy: fixed.json });
      const opaque = new DataAwsIamPolicyDocument(s, "opaque-doc", { sourcePolicyDocuments: [Fn.file("./policy.json")] });
      new IamRolePolicy(s, "opaque", { role: r.id, policy: opaque.json });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_role_policy.merged: policy statement 1 allows Action "kms:*"',
      'aws_iam_role_policy.merged: policy statement 1 allows kms actions on Resource "*"',
      'aws_iam_role_policy.merged: policy statement 2 allows Action "iam:*"',
      'aws_iam_role_policy.merged: policy statement 2 allows iam actions on Resource "*"',
      'aws_iam_role_policy.merged: policy statement 3 allows Action "ssm:*"',
      'aws_iam_role_policy.legacy: policy statement 1 allows ssm actions on Resource "*"',
      expect.stringMatching(/^aws_iam_role_policy\.opaque: policy: cannot be checked: the policy document opaque-doc's source_policy_documents\[0\] cannot be read: the policy is not literal JSON/),
    ]);
  });

  it("reads policies attached to users and groups", () => {
    const { findings } = auditStack((s) => {
      new IamUserPolicyAttachment(s, "user-admin", { user: "ci", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      new IamGroupPolicyAttachment(s, "group-iam", { group: "ops", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" });
      new IamPolicyAttachment(s, "users-ssm", { name: "ssm", users: ["ci"], policyArn: "arn:aws:iam::aws:policy/AmazonSSMFullAccess" });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([
      'aws_iam_user_policy_attachment.user-admin: attached policy statement 1 allows Action "*"',
      'aws_iam_user_policy_attachment.user-admin: attached policy statement 1 allows ssm/kms/iam actions on Resource "*"',
      'aws_iam_group_policy_attachment.group-iam: attached policy statement 1 allows Action "iam:*"',
      'aws_iam_group_policy_attachment.group-iam: attached policy statement 1 allows iam actions on Resource "*"',
      'aws_iam_policy_attachment.users-ssm: attached policy statement 1 allows Action "ssm:*"',
      'aws_iam_policy_attachment.users-ssm: attached policy statement 1 allows ssm actions on Resource "*"',
    ]);
  });

  it("says so when a policy cannot be read", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      new IamRolePolicy(s, "encoded", { role: r.id, policy: Fn.jsonencode({ Statement: [] }) });
    });
    expect(findingsOf(findings, "KP-IAM-1")).toEqual([expect.stringMatching(/^aws_iam_role_policy\.encoded: policy: cannot be checked: the policy is not literal JSON/)]);
  });

  it("is quiet on scoped policies, with references in their ARNs", () => {
    const { findings } = auditStack((s) => {
      const r = role(s, "control-plane");
      const key = new KmsKey(s, "key", {});
      new IamRolePolicy(s, "scoped", {
        role: r.id,
        policy: policy(
          { Effect: "Allow", Action: ["ssm:PutParameter", "ssm:GetParameter"], Resource: ["arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*"] },
          { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key.arn] },
          { Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
          { Effect: "Deny", Action: "*", Resource: "*" },
        ),
      });
    });
    // The policy-less key is KP-KMS-1's business (hardening-rules.test.ts), not the IAM rules'.
    expect(findings.filter((f) => f.rule.id !== "KP-KMS-1")).toEqual([]);
  });
});

describe("KP-IAM-2 worker-reads-only-join-parameter", () => {
  it("fires when a worker may read other parameters, through any kind of grant", () => {
    const { stack, findings } = auditStack((s) => {
      const r = role(s, "worker");
      new IamRolePolicy(s, "path", { role: r.id, policy: policy({ Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*" }) });
      new IamRolePolicy(s, "cp-join", { role: r.name, policy: policy({ Effect: "Allow", Action: "ssm:Get*", Resource: "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/join/control-plane" }) });
      new IamRolePolicyAttachment(s, "ssm-core", { role: r.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
    });
    expect(findingsOf(findings, "KP-IAM-2")).toEqual([
      "aws_iam_role_policy.path: lets the worker role kubeplane-t-worker ssm:GetParametersByPath on arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*; workers may read only /kubeplane/t/join/worker",
      expect.stringMatching(/^aws_iam_role_policy\.cp-join: lets the worker role kubeplane-t-worker ssm:GetParameter\/ssm:GetParameters\/ssm:GetParametersByPath\/ssm:GetParameterHistory on .*join\/control-plane/),
      "aws_iam_role_policy_attachment.ssm-core: lets the worker role kubeplane-t-worker ssm:GetParameter/ssm:GetParameters on *; workers may read only /kubeplane/t/join/worker",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-IAM-2/);
  });

  it("is quiet when a worker reads exactly its join parameter, and on other roles", () => {
    const { findings } = auditStack((s) => {
      const w = role(s, "worker");
      new IamRolePolicy(s, "join", { role: w.id, policy: policy({ Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [WORKER_JOIN] }) });
      const cp = role(s, "control-plane");
      new IamRolePolicy(s, "cp", { role: cp.id, policy: policy({ Effect: "Allow", Action: ["ssm:GetParameter"], Resource: ["arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*"] }) });
    });
    expect(findings).toEqual([]);
  });
});

describe("KP-IAM-3 only-control-plane-writes-cluster-path", () => {
  it("fires when a role other than the control plane's may write under the cluster's path", () => {
    const { stack, findings } = auditStack((s) => {
      const w = role(s, "worker");
      new IamRolePolicy(s, "worker-put", { role: w.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: [WORKER_JOIN] }) });
      const other = new IamRole(s, "ci", { name: "ci-deployer", assumeRolePolicy: ASSUME });
      new IamRolePolicy(s, "ci-delete", { role: other.id, policy: policy({ Effect: "Allow", Action: ["ssm:DeleteParameter*"], Resource: ["arn:aws:ssm:*:*:parameter/kubeplane/*"] }) });
    });
    expect(findingsOf(findings, "KP-IAM-3")).toEqual([
      `aws_iam_role_policy.worker-put: lets the role kubeplane-t-worker, not a control-plane role, ssm:PutParameter on ${WORKER_JOIN}, which covers /kubeplane/t/`,
      "aws_iam_role_policy.ci-delete: lets the role ci-deployer, not a control-plane role, ssm:DeleteParameter/ssm:DeleteParameters on arn:aws:ssm:*:*:parameter/kubeplane/*, which covers /kubeplane/t/",
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/KP-IAM-3/);
  });

  it("fires on any pattern that reaches under the cluster's path, not only the worker join parameter", () => {
    const resources = [
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/join/control-plane",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/anything",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kube*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/?/join/control-plane",
      "arn:aws:ssm:*:*:*",
      "arn:aws:*",
      "*",
    ];
    const { findings } = auditStack((s) => {
      const w = role(s, "worker");
      resources.forEach((r, i) => new IamRolePolicy(s, `put-${i}`, { role: w.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: [r] }) }));
    });
    expect(findingsOf(findings, "KP-IAM-3")).toEqual(
      resources.map((r, i) => `aws_iam_role_policy.put-${i}: lets the role kubeplane-t-worker, not a control-plane role, ssm:PutParameter on ${r}, which covers /kubeplane/t/`),
    );
  });

  it("is quiet on patterns that cannot reach under the cluster's path", () => {
    const { findings } = auditStack((s) => {
      const w = role(s, "worker");
      for (const [i, r] of [
        "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/tt/*",
        "arn:aws:ssm:eu-west-1:1:parameter/kubeplane/other/join/worker",
        "arn:aws:ssm:eu-west-1:1:parameter/app/kubeplane/t/*",
        "arn:aws:s3:::kubeplane/t/*",
        "arn:aws:ssm:eu-west-1:1:document/kubeplane/t/*",
      ].entries()) {
        new IamRolePolicy(s, `put-${i}`, { role: w.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: [r] }) });
      }
    });
    expect(findingsOf(findings, "KP-IAM-3")).toEqual([]);
  });

  it("is quiet on writes to the status subtree only (nodes record their bootstrap status there), not on patterns that escape it", () => {
    const allowed = [
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/status/*",
      "arn:aws:ssm:*:*:parameter/kubeplane/t/status/i-0123456789abcdef0",
      "arn:${data.aws_partition.p.partition}:ssm:eu-west-1:1:parameter/kubeplane/t/status/replacements/*",
    ];
    const escaping = [
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/status*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/*/status/*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/?/status/*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/t/statuses/*",
    ];
    const { findings } = auditStack((s) => {
      const w = role(s, "worker");
      [...allowed, ...escaping].forEach((r, i) =>
        new IamRolePolicy(s, `put-${i}`, { role: w.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: [r] }) }),
      );
    });
    expect(findingsOf(findings, "KP-IAM-3")).toEqual(
      escaping.map((r, i) => `aws_iam_role_policy.put-${allowed.length + i}: lets the role kubeplane-t-worker, not a control-plane role, ssm:PutParameter on ${r}, which covers /kubeplane/t/`),
    );
  });

  it("is quiet on the control plane's writes and on writes elsewhere", () => {
    const { findings } = auditStack((s) => {
      const cp = role(s, "control-plane");
      new IamRolePolicy(s, "cp-put", { role: cp.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: ["arn:aws:ssm:eu-west-1:1:parameter/kubeplane/t/*"] }) });
      const other = new IamRole(s, "app", { name: "app", assumeRolePolicy: ASSUME });
      new IamRolePolicy(s, "app-put", { role: other.id, policy: policy({ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: ["arn:aws:ssm:eu-west-1:1:parameter/app/*"] }) });
    });
    expect(ruleIds(findings)).toEqual([]);
  });
});
