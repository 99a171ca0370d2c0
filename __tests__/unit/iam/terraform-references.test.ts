/** The resolver that gives synthesized policies the concrete values AWS would see. */
import type { TerraformJson } from "../../support/examples";
import { keyIdFor, resolveReference, resolveReferences } from "../../support/iam/terraform-references";

const at = { account: "123456789012", region: "eu-west-1", partition: "aws" };
const json: TerraformJson = {
  resource: {
    aws_kms_key: { k: { description: "kubeplane dev: encrypts the cluster's join lease" }, other: { description: "kubeplane prod: encrypts the cluster's join lease" } },
    aws_ssm_document: { d: { name: "kubeplane-dev-refresh-join-lease" }, computed: { name: "${var.x}" } },
    aws_iam_role: { r: { name: "kubeplane-dev-worker" }, withPath: { name: "n", path: "/kubeplane/" } },
  },
  data: { aws_partition: { p: {} }, aws_region: { g: {} }, aws_caller_identity: { a: {} } },
};

describe("resolveReferences", () => {
  test("data sources give the deployment's partition, region and account", () => {
    expect(resolveReferences(json, "arn:${data.aws_partition.p.partition}:ssm:${data.aws_region.g.name}:${data.aws_caller_identity.a.account_id}:parameter/x", at)).toBe(
      "arn:aws:ssm:eu-west-1:123456789012:parameter/x",
    );
  });

  test("a key's ARN is a KMS key ARN with a UUID key id, different for different keys", () => {
    const arn = resolveReference(json, "aws_kms_key.k.arn", at);
    expect(arn).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(arn).not.toBe(resolveReference(json, "aws_kms_key.other.arn", at));
    expect(resolveReference(json, "aws_kms_key.k.key_id", at)).toBe(keyIdFor(json.resource.aws_kms_key.k));
  });

  test("a document's ARN and a role's ARN are built from their names (and the role's path)", () => {
    expect(resolveReference(json, "aws_ssm_document.d.arn", at)).toBe("arn:aws:ssm:eu-west-1:123456789012:document/kubeplane-dev-refresh-join-lease");
    expect(resolveReference(json, "aws_iam_role.r.arn", at)).toBe("arn:aws:iam::123456789012:role/kubeplane-dev-worker");
    expect(resolveReference(json, "aws_iam_role.withPath.arn", at)).toBe("arn:aws:iam::123456789012:role/kubeplane/n");
    expect(resolveReference(json, "aws_iam_role.r.id", at)).toBe("kubeplane-dev-worker");
  });

  test("$${...} is Terraform's escape: it leaves an IAM policy variable", () => {
    expect(resolveReferences(json, '["$${ec2:SourceInstanceARN}","${data.aws_region.g.name}"]', at)).toBe('["${ec2:SourceInstanceARN}","eu-west-1"]');
  });

  test("an unknown reference, a missing resource or a computed name fails, naming the reference", () => {
    expect(() => resolveReferences(json, "${aws_lb.x.arn}", at)).toThrow(/\$\{aws_lb\.x\.arn\} names resource aws_lb\.x/);
    expect(() => resolveReferences(json, "${aws_kms_key.k.rotation_period}", at)).toThrow(/no rule for \$\{aws_kms_key\.k\.rotation_period\}/);
    expect(() => resolveReferences(json, "${aws_ssm_document.computed.arn}", at)).toThrow(/needs a literal name/);
    expect(() => resolveReferences(json, "${local.x}", at)).toThrow(/not a <type>\.<name>\.<attribute> reference/);
  });
});
