/** The evaluator wrapper: AWS's evaluation of the cases the node policies rely on. */
import { evaluate } from "../../support/iam/simulate";

const account = "123456789012";
const instance = (id: string) => `arn:aws:ec2:eu-west-1:${account}:instance/${id}`;
const principal = `arn:aws:sts::${account}:assumed-role/kubeplane-dev-worker/i-0aaaaaaaaaaaaaaaa`;
const tagOwnInstance = {
  name: "p",
  policy: {
    Version: "2012-10-17",
    Statement: [{ Sid: "Own", Effect: "Allow", Action: ["ec2:CreateTags"], Resource: ["${ec2:SourceInstanceARN}"], Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["kubeplane:bootstrap"] } } }],
  },
};
const tagging = (resource: string, context: Record<string, string | string[]>) => ({
  principal,
  action: "ec2:CreateTags",
  resource,
  context: { "aws:TagKeys": ["kubeplane:bootstrap"], "aws:RequestTag/kubeplane:bootstrap": "ready", ...context },
});

describe("evaluate", () => {
  test("a Resource that is a whole policy variable is the request's value of the key", async () => {
    const own = instance("i-0aaaaaaaaaaaaaaaa");
    await expect(evaluate([tagOwnInstance], tagging(own, { "ec2:SourceInstanceARN": own }))).resolves.toMatchObject({ result: "Allowed", allowedBy: ["p#Own"] });
    await expect(evaluate([tagOwnInstance], tagging(instance("i-0bbbbbbbbbbbbbbbb"), { "ec2:SourceInstanceARN": own }))).resolves.toMatchObject({ result: "ImplicitlyDenied" });
  });

  test("a whole-variable Resource whose key the request lacks matches nothing", async () => {
    await expect(evaluate([tagOwnInstance], tagging(instance("i-0aaaaaaaaaaaaaaaa"), {}))).resolves.toMatchObject({ result: "ImplicitlyDenied" });
  });

  test("a KMS key whose policy does not name the role refuses it, whatever its IAM policy says", async () => {
    const key = `arn:aws:kms:eu-west-1:${account}:key/0b1c2d3e-0000-4000-8000-000000000000`;
    const iam = { name: "p", policy: { Version: "2012-10-17", Statement: [{ Sid: "Use", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key] }] } };
    const adminOnly = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ["kms:DescribeKey"], Resource: "*" }] };
    const namesRole = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:role/kubeplane-dev-worker` }, Action: ["kms:Decrypt"], Resource: "*" }] };
    const decrypt = { principal, action: "kms:Decrypt", resource: key, context: { "aws:PrincipalArn": `arn:aws:iam::${account}:role/kubeplane-dev-worker` } };
    await expect(evaluate([iam], { ...decrypt, resourcePolicy: adminOnly })).resolves.toMatchObject({ result: "ImplicitlyDenied" });
    await expect(evaluate([iam], { ...decrypt, resourcePolicy: namesRole })).resolves.toMatchObject({ result: "Allowed" });
  });

  test("a request the evaluator cannot read (an action AWS does not have) is an error, not a denial", async () => {
    await expect(evaluate([tagOwnInstance], { principal, action: "ec2:CreateTagz", resource: "*", context: {} })).rejects.toThrow(/iam-simulate refused ec2:CreateTagz/);
  });
});
