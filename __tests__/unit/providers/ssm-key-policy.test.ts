/** The join-lease KMS key's own policy: who may administer it and who may use it. */
import { Testing } from "cdktf";
import { SsmParameterBackend } from "../../../providers/aws/ssm-parameter-backend";
import { all, testIdentities } from "../../support/aws-fixtures";
import { iamDefinitionFor } from "../rules/iam-action-data";

type KeyStatement = { Sid: string; Effect: string; Principal: { AWS: string }; Action: string[]; Resource: string; Condition?: unknown };

function keyPolicy(): KeyStatement[] {
  const synth = Testing.synthScope((scope) => {
    const ids = testIdentities(scope);
    new SsmParameterBackend(scope, "lease", { clusterName: "test", controlPlane: ids.controlPlane, workers: ids.workers, refreshCommand: "/usr/local/sbin/refresh" });
  });
  const [key, ...others] = all(synth, "aws_kms_key");
  expect(others).toEqual([]);
  expect(typeof key.policy).toBe("string");
  return JSON.parse(String(key.policy)).Statement;
}

const USE = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"];
const viaSsm = { StringEquals: { "kms:ViaService": expect.stringMatching(/^ssm\.\$\{data\.aws_region\.\S+\.name\}\.amazonaws\.com$/) } };
const roleArn = (kind: string) => expect.stringMatching(new RegExp(`^\\$\\{aws_iam_role\\.identities_${kind}_role_[A-Z0-9]+\\.arn\\}$`));

describe("the join-lease key's policy", () => {
  const statements = keyPolicy();
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));

  test("names three grants: administration for the account, use for the control plane, decryption for workers", () => {
    expect(statements.map((s) => s.Sid)).toEqual(["KeyAdministration", "ControlPlaneUsesKeyThroughSsm", "WorkersDecryptThroughSsm"]);
    expect(statements.every((s) => s.Effect === "Allow" && s.Resource === "*")).toBe(true);
  });

  test("the account administers the key but cannot use it: no kms:*, no glob, no cryptographic action", () => {
    const admin = bySid.KeyAdministration;
    expect(admin.Principal).toEqual({ AWS: expect.stringMatching(/^arn:\$\{data\.aws_partition\.\S+\}:iam::\$\{data\.aws_caller_identity\.\S+\.account_id\}:root$/) });
    expect(admin.Condition).toBeUndefined();
    expect(admin.Action.filter((a) => /[*?]/.test(a))).toEqual([]);
    for (const crypto of [...USE, "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant"]) expect(admin.Action).not.toContain(crypto);
  });

  test("every administration action is a real KMS action on a key (so it belongs in a key policy)", () => {
    for (const action of bySid.KeyAdministration.Action) {
      expect({ action, takes: iamDefinitionFor(action).resourceTypes.map((r) => r.name) }).toEqual({ action, takes: expect.arrayContaining(["key"]) });
    }
  });

  test("administration keeps the key manageable by Terraform (no PutKeyPolicy lockout): read, update, rotate, tag, delete", () => {
    expect(bySid.KeyAdministration.Action).toEqual(
      expect.arrayContaining([
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateKeyDescription",
        "kms:CreateAlias",
        "kms:DeleteAlias",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
      ]),
    );
  });

  test("only the control-plane role encrypts and decrypts, and only through Parameter Store", () => {
    const use = bySid.ControlPlaneUsesKeyThroughSsm;
    expect(use.Principal).toEqual({ AWS: roleArn("control-plane") });
    expect(use.Action).toEqual(USE);
    expect(use.Condition).toEqual(viaSsm);
  });

  test("the worker role may only decrypt, and only through Parameter Store", () => {
    const read = bySid.WorkersDecryptThroughSsm;
    expect(read.Principal).toEqual({ AWS: roleArn("worker") });
    expect(read.Action).toEqual(["kms:Decrypt"]);
    expect(read.Condition).toEqual(viaSsm);
  });
});
