/**
 * The operator policy (kubeplane-<cluster>-operator, providers/aws/aws-operator-access.ts),
 * evaluated with AWS's action data by the IAM evaluator the node policies use (iam-simulate):
 *  1. every call `kubeplane kubeconfig`, `tunnel` and `validate` make (providers/aws/aws-operator-access-runtime.ts,
 *     and the aws CLI's start-session and the plugin's terminate) is allowed, on the resource it is on;
 *  2. what an operator of the cluster must not get through it is denied: a shell on a node,
 *     commands on workers or another cluster's nodes, any other document, the join lease, the KMS key;
 *  3. every statement is used by some call in (1).
 * For every example, and for dev with joinTokens.backend secretsmanager (the hand-back is then
 * secrets under kubeplane/<cluster>/access/, which nodes create under Secrets Manager's own key
 * aws/secretsmanager: backends/secretsmanager.sh, so no KMS statement is needed for them).
 */
import type { ClusterDefinition } from "../../../definition";
import { AWS_EXAMPLES, exampleDefinition, ExampleName, resourcesOf, synthesizeCluster } from "../../support/examples";
import type { NamedPolicy } from "../../support/iam/simulate";
import { evaluate, IamRequest } from "../../support/iam/simulate";
import { deploymentOf, resolveReferences } from "../../support/iam/terraform-references";

const NOW = "2026-12-02T03:00:00Z";
const SESSION_USER = "AROA3EXAMPLEOPERATOR:alice";

interface Model {
  name: string;
  policy: NamedPolicy;
  arn: (service: string, resource: string) => string;
  instance: (id: string) => string;
  documentArn: string;
  region: string;
  partition: string;
  inSecretsManager: boolean;
}

function modelOf(definition: ClusterDefinition): Model {
  const json = synthesizeCluster(definition).clusterJson;
  const at = deploymentOf(json);
  const policies = resourcesOf(json, "aws_iam_policy").filter((p) => String(p.name).endsWith("-operator"));
  expect(policies).toHaveLength(1);
  const document = resourcesOf(json, "aws_ssm_document").find((d) => String(d.name).endsWith("-mint-kubeconfig"))!;
  return {
    name: definition.name,
    policy: { name: String(policies[0].name), policy: JSON.parse(resolveReferences(json, String(policies[0].policy), at)) },
    arn: (service, resource) => `arn:${at.partition}:${service}:${at.region}:${at.account}:${resource}`,
    instance: (id) => `arn:${at.partition}:ec2:${at.region}:${at.account}:instance/${id}`,
    documentArn: `arn:${at.partition}:ssm:${at.region}:${at.account}:document/${document.name}`,
    region: at.region,
    partition: at.partition,
    inSecretsManager: definition.joinTokens.backend === "secretsmanager",
  };
}

/**
 * The operator's session: an assumed role, as SSO or a CI role gives one. AWS-owned documents
 * (AWS-StartPortForwardingSessionToRemoteHost, AWS-RunShellScript) have no account in their ARN,
 * but iam-simulate matches a resource type only with one: they are asked for with the account's
 * (the policy's `*` account matches both).
 */
function request(m: Model, action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest {
  return {
    principal: `arn:${m.partition}:sts::123456789012:assumed-role/platform-operators/alice`,
    action,
    resource,
    context: {
      "aws:PrincipalArn": "arn:aws:iam::123456789012:role/platform-operators",
      "aws:PrincipalAccount": "123456789012",
      "aws:PrincipalType": "AssumedRole",
      "aws:userid": SESSION_USER,
      "aws:SecureTransport": "true",
      "aws:RequestedRegion": m.region,
      "aws:CurrentTime": NOW,
      ...context,
    },
  };
}

/** An instance's tags under the keys SendCommand and StartSession read (Systems Manager spells it ssm:resourceTag/). */
const tagged = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], [`ssm:resourceTag/${k}`, v]]));
const node = (cluster: string, role: string) => tagged({ "kubeplane:cluster": cluster, "kubeplane:role": role });

const CP = "i-0c0000000000000a1";
const HANDBACK = "/access/0123456789abcdef0123456789abcdef";
/** A secret's ARN ends with a dash and six random characters Secrets Manager adds. */
const secret = (m: Model, name: string) => m.arn("secretsmanager", `secret:${name}-AbCdEf`);

function handbackCalls(m: Model): [string, IamRequest][] {
  if (m.inSecretsManager) {
    const path = `kubeplane/${m.name}`;
    return [
      ["kubeconfig: read a hand-back part", request(m, "secretsmanager:GetSecretValue", secret(m, `${path}${HANDBACK}/1`))],
      ["kubeconfig: read the hand-back's count", request(m, "secretsmanager:GetSecretValue", secret(m, `${path}${HANDBACK}/parts`))],
      ["kubeconfig: delete the hand-back", request(m, "secretsmanager:DeleteSecret", secret(m, `${path}${HANDBACK}/1`))],
    ];
  }
  const path = `/kubeplane/${m.name}`;
  return [
    ["kubeconfig: read a hand-back part", request(m, "ssm:GetParameter", m.arn("ssm", `parameter${path}${HANDBACK}/1`))],
    ["kubeconfig: read the hand-back's count", request(m, "ssm:GetParameter", m.arn("ssm", `parameter${path}${HANDBACK}/parts`))],
    ["kubeconfig: delete the hand-back", request(m, "ssm:DeleteParameter", m.arn("ssm", `parameter${path}${HANDBACK}/1`))],
  ];
}

function legitimate(m: Model): [string, IamRequest][] {
  return [
    ["validate, kubeconfig, tunnel: find the cluster's instances", request(m, "ec2:DescribeInstances", "*")],
    ["validate: the worker groups' InService counts", request(m, "autoscaling:DescribeAutoScalingGroups", "*")],
    ["kubeconfig: the mint document", request(m, "ssm:SendCommand", m.documentArn)],
    ["kubeconfig: on a control-plane node of the cluster", request(m, "ssm:SendCommand", m.instance(CP), node(m.name, "control-plane"))],
    ...handbackCalls(m),
    m.inSecretsManager
      ? ["validate: the last etcd backup's record", request(m, "secretsmanager:GetSecretValue", secret(m, `kubeplane/${m.name}/status/etcd-backup`))]
      : ["validate: the last etcd backup's record", request(m, "ssm:GetParameter", m.arn("ssm", `parameter/kubeplane/${m.name}/status/etcd-backup`))],
    ["tunnel: the port-forwarding document", request(m, "ssm:StartSession", m.arn("ssm", "document/AWS-StartPortForwardingSessionToRemoteHost"))],
    ["tunnel: through a control-plane node", request(m, "ssm:StartSession", m.instance(CP), { ...node(m.name, "control-plane"), "ssm:SessionDocumentAccessCheck": "true" })],
    ["tunnel: the plugin ends the operator's own session", request(m, "ssm:TerminateSession", m.arn("ssm", `session/${SESSION_USER}-0a1b2c3d4e5f67890`))],
  ];
}

function forbidden(m: Model): [string, IamRequest][] {
  const path = `/kubeplane/${m.name}`;
  return [
    ["a command on a worker", request(m, "ssm:SendCommand", m.instance("i-0a0000000000000b1"), node(m.name, "worker"))],
    ["a command on another cluster's control plane", request(m, "ssm:SendCommand", m.instance("i-0c0000000000000f1"), node("other", "control-plane"))],
    ["a command on an untagged instance", request(m, "ssm:SendCommand", m.instance("i-0d0000000000000e1"))],
    ["AWS-RunShellScript (any command as root)", request(m, "ssm:SendCommand", m.arn("ssm", "document/AWS-RunShellScript"))],
    ["the join-lease refresh document", request(m, "ssm:SendCommand", m.arn("ssm", `document/kubeplane-${m.name}-refresh-join-lease`))],
    ["a shell session (Session Manager's default document)", request(m, "ssm:StartSession", m.arn("ssm", "document/SSM-SessionManagerRunShell"))],
    ["a session on a worker", request(m, "ssm:StartSession", m.instance("i-0a0000000000000b1"), { ...node(m.name, "worker"), "ssm:SessionDocumentAccessCheck": "true" })],
    ["a session on a control-plane node without the document check", request(m, "ssm:StartSession", m.instance(CP), { ...node(m.name, "control-plane"), "ssm:SessionDocumentAccessCheck": "false" })],
    ["the worker join lease", request(m, "ssm:GetParameter", m.arn("ssm", `parameter${path}/join/worker`))],
    ["the cluster claim", request(m, "ssm:DeleteParameter", m.arn("ssm", `parameter${path}/cluster/claim`))],
    ["a node's bootstrap status (only the backup record is read)", request(m, "ssm:GetParameter", m.arn("ssm", `parameter${path}/status/i-0c0000000000000a1`))],
    ["overwriting the backup record", request(m, "ssm:PutParameter", m.arn("ssm", `parameter${path}/status/etcd-backup`))],
    ["another cluster's hand-back", request(m, "ssm:GetParameter", m.arn("ssm", `parameter/kubeplane/other${HANDBACK}/1`))],
    ["writing a hand-back (only nodes mint)", request(m, "ssm:PutParameter", m.arn("ssm", `parameter${path}${HANDBACK}/1`))],
    ["the join-lease key", request(m, "kms:Decrypt", m.arn("kms", "key/0b1e0b1e-0000-4000-8000-000000000000"))],
    ["someone else's session", request(m, "ssm:TerminateSession", m.arn("ssm", "session/AROA3EXAMPLEOTHER000:bob-0a1b2c3d4e5f67890"))],
    ["the command's output (GetCommandInvocation is not needed)", request(m, "ssm:GetCommandInvocation", "*")],
    ...(m.inSecretsManager
      ? ([
          ["the worker join-lease secret", request(m, "secretsmanager:GetSecretValue", secret(m, `kubeplane/${m.name}/join/worker`))],
          ["deleting the control-plane join-lease secret", request(m, "secretsmanager:DeleteSecret", secret(m, `kubeplane/${m.name}/join/control-plane`))],
          ["a node's bootstrap status secret", request(m, "secretsmanager:GetSecretValue", secret(m, `kubeplane/${m.name}/status/i-0c0000000000000a1`))],
          ["a secret named like the backup record, longer", request(m, "secretsmanager:GetSecretValue", secret(m, `kubeplane/${m.name}/status/etcd-backup-old`))],
          ["another cluster's hand-back secret", request(m, "secretsmanager:GetSecretValue", secret(m, `kubeplane/other${HANDBACK}/1`))],
          ["writing a hand-back secret (only nodes mint)", request(m, "secretsmanager:CreateSecret", secret(m, `kubeplane/${m.name}${HANDBACK}/1`))],
          ["the join-lease key through Secrets Manager", request(m, "kms:Decrypt", m.arn("kms", "key/0b1e0b1e-0000-4000-8000-000000000000"), { "kms:ViaService": `secretsmanager.${m.region}.amazonaws.com` })],
        ] as [string, IamRequest][])
      : []),
  ];
}

const dev = exampleDefinition("dev");
const CASES: [string, ClusterDefinition][] = [
  // AWS's operator policy; GCP's operator account is in __tests__/unit/providers/gcp/.
  ...AWS_EXAMPLES.map((e): [string, ClusterDefinition] => [e, exampleDefinition(e as ExampleName)]),
  ["dev with joinTokens.backend secretsmanager", { ...dev, joinTokens: { ...dev.joinTokens, backend: "secretsmanager" } }],
];

describe.each(CASES)("%s: the operator policy", (_name, definition) => {
  const m = modelOf(definition);

  test("allows every call the operator commands make", async () => {
    const denied: string[] = [];
    for (const [what, r] of legitimate(m)) {
      const d = await evaluate([m.policy], r);
      if (d.result !== "Allowed") denied.push(`${what}: ${r.action} on ${r.resource} is ${d.result}`);
      expect(d.ignoredContextKeys.filter((k) => k.startsWith("ssm:resourceTag") || k.startsWith("ssm:Session"))).toEqual([]);
    }
    expect(denied).toEqual([]);
  });

  test("denies what an operator must not get through it", async () => {
    const allowed: string[] = [];
    for (const [what, r] of forbidden(m)) {
      const d = await evaluate([m.policy], r);
      if (d.result === "Allowed") allowed.push(`${what}: ${r.action} on ${r.resource} allowed by ${d.allowedBy.join(", ")}`);
    }
    expect(allowed).toEqual([]);
  });

  test("every statement is used by a legitimate call", async () => {
    const used = new Set<string>();
    for (const [, r] of legitimate(m)) for (const s of (await evaluate([m.policy], r)).allowedBy) used.add(s.split("#")[1]);
    const sids = m.policy.policy.Statement.map((s) => String(s.Sid));
    expect(sids.filter((sid) => !used.has(sid))).toEqual([]);
  });
});
