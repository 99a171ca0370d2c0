/**
 * A synthesized example cluster as IAM sees it once deployed: its node roles with their
 * (resolved) inline policies, the join-lease key and its key policy, the refresh document, the
 * parameters nodes use, and made-up running instances with the tags Terraform gives them.
 */
import { createHash } from "crypto";
import type { SynthesizedCluster, TerraformJson } from "../examples";
import { resourcesOf } from "../examples";
import type { NamedPolicy } from "./simulate";
import { Deployment, deploymentOf, resolveReferences, secretArnFor } from "./terraform-references";

export type NodeKind = "control-plane" | "worker" | "bastion";

export interface ModelInstance {
  readonly id: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly privateIp: string;
}

export interface ModelRole {
  readonly kind: NodeKind;
  readonly name: string;
  readonly arn: string;
  readonly policies: NamedPolicy[];
}

export interface ClusterModel {
  readonly name: string;
  readonly at: Deployment;
  readonly ha: boolean;
  readonly roles: Partial<Record<NodeKind, ModelRole>>;
  readonly instances: Record<NodeKind, ModelInstance[]>;
  /** The node settings (/etc/kubeplane/cluster.env) rendered into the control plane's user data, resolved. */
  readonly settings: Readonly<Record<string, string>>;
  readonly keyArn: string;
  readonly keyPolicy: NamedPolicy["policy"];
  /** The join-lease store (KUBEPLANE_PARAMETER_BACKEND): `ssm` or `secretsmanager`. */
  readonly backend: "ssm" | "secretsmanager";
  /** The Run Command refresh document (SSM only; a Secrets Manager cluster has none). */
  readonly documentArn: string;
  readonly documentName: string;
  readonly vpcId: string;
  /** The workers' auto-scaling group (its ARN carries a made-up group id). */
  readonly workerGroup?: { readonly name: string; readonly arn: string; readonly tags: Readonly<Record<string, string>> };
  /** ARN of a parameter by name. */
  parameterArn(name: string): string;
  /** ARN of a secret by name (Secrets Manager appends six random characters). */
  secretArn(name: string): string;
  /** ARN of a record of the cluster's store by name: a parameter (SSM) or a secret. */
  recordArn(name: string): string;
}

/** A made-up instance id (i- and 17 hex digits) stable for a cluster, kind and index. */
function instanceId(cluster: string, kind: string, i: number): string {
  return `i-0${createHash("sha256").update(`${cluster}/${kind}/${i}`).digest("hex").slice(0, 16)}`;
}

function uuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function literalTags(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === "string" && !v.includes("${"))) as Record<string, string>;
}

/** The settings (`NAME='value'` lines) in rendered user data. */
function settingsOf(userData: string): Record<string, string> {
  return Object.fromEntries([...userData.matchAll(/^\s*(KUBEPLANE_[A-Z0-9_]+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
}

/** Builds the model of one synthesized cluster (the cluster stack). */
export function clusterModel(synth: SynthesizedCluster, overrides: Partial<Deployment> = {}): ClusterModel {
  const json: TerraformJson = synth.clusterJson;
  const at = { ...deploymentOf(json), ...overrides };
  const resolve = (text: string) => resolveReferences(json, text, at);
  const defaultTags = literalTags(json.provider?.aws?.[0]?.default_tags && (json.provider.aws[0].default_tags as { tags: unknown }[])[0]?.tags);

  const roles: Partial<Record<NodeKind, ModelRole>> = {};
  const roleBlocks = json.resource.aws_iam_role ?? {};
  let clusterName = "";
  for (const [logicalId, role] of Object.entries(roleBlocks)) {
    const name = String(role.name);
    const match = /^kubeplane-(.+)-(control-plane|worker|bastion)$/.exec(name);
    if (!match) continue;
    clusterName = match[1];
    const kind = match[2] as NodeKind;
    const policies = Object.entries(json.resource.aws_iam_role_policy ?? {})
      .filter(([, p]) => String(p.role) === `\${aws_iam_role.${logicalId}.id}` || String(p.role) === `\${aws_iam_role.${logicalId}.name}`)
      .map(([id, p]) => ({ name: id, policy: JSON.parse(resolve(String(p.policy))) }));
    roles[kind] = { kind, name, arn: resolve(`\${aws_iam_role.${logicalId}.arn}`), policies };
  }
  // A policy on a node role that the model did not read (say, attached by ARN) would go unchecked.
  const nodeRoleIds = Object.keys(roleBlocks).filter((id) => /^kubeplane-.+-(control-plane|worker|bastion)$/.test(String(roleBlocks[id].name)));
  const read = new Set(Object.values(roles).flatMap((r) => r!.policies.map((p) => p.name)));
  const unread = Object.entries(json.resource.aws_iam_role_policy ?? {}).filter(
    ([id, p]) => !read.has(id) && nodeRoleIds.some((r) => String(p.role).includes(`aws_iam_role.${r}.`)),
  );
  if (unread.length) throw new Error(`clusterModel: node role policies the model does not read: ${unread.map(([id]) => id).join(", ")}`);
  for (const type of ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment"]) {
    const onNodes = resourcesOf(json, type).filter((a) => nodeRoleIds.some((r) => JSON.stringify(a).includes(`aws_iam_role.${r}.`)));
    if (onNodes.length) throw new Error(`clusterModel: ${type} on a node role; the model reads only inline aws_iam_role_policy`);
  }

  // The join lease's key (the backup bucket has a key of its own, issue 15).
  const [keyId, key] = Object.entries(json.resource.aws_kms_key ?? {}).find(([id]) => id.startsWith("join-lease")) ?? [];
  if (!keyId) throw new Error("clusterModel: the cluster stack has no aws_kms_key");

  const instanceArn = (id: string) => `arn:${at.partition}:ec2:${at.region}:${at.account}:instance/${id}`;
  const make = (kind: NodeKind, i: number, tags: Record<string, string>): ModelInstance => {
    const id = instanceId(clusterName, kind, i);
    return { id, arn: instanceArn(id), tags: { ...defaultTags, ...tags }, privateIp: `10.0.${kind.length}.${10 + i}` };
  };
  const roleTag = (t: Record<string, string>) => t["kubeplane:role"];
  const ec2 = resourcesOf(json, "aws_instance");
  const controlPlaneInstances = ec2.filter((i) => roleTag(literalTags(i.tags)) === "control-plane");
  const bastionInstances = ec2.filter((i) => roleTag(literalTags(i.tags)) === "bastion");
  const workerTags = Object.fromEntries(
    resourcesOf(json, "aws_autoscaling_group").flatMap((g) => ((g.tag ?? []) as { key: string; value: string; propagate_at_launch: boolean }[]).filter((t) => t.propagate_at_launch).map((t) => [t.key, t.value])),
  );
  const group = resourcesOf(json, "aws_autoscaling_group")[0];
  const groupName = group && typeof group.name === "string" ? group.name : undefined;
  // arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<group id>:autoScalingGroupName/<name> (Service Authorization Reference, Amazon EC2 Auto Scaling resource types)
  const workerGroup = groupName
    ? {
        name: groupName,
        arn: `arn:${at.partition}:autoscaling:${at.region}:${at.account}:autoScalingGroup:${uuid(`${clusterName}/${groupName}`)}:autoScalingGroupName/${groupName}`,
        tags: { ...defaultTags, ...Object.fromEntries(((group.tag ?? []) as { key: string; value: string }[]).map((t) => [t.key, t.value])) },
      }
    : undefined;
  // The control plane's rendered user data: on the instance, or in a local the instance
  // compresses (`user_data_base64 = base64gzip(local.x)`).
  const userData =
    [...controlPlaneInstances.map((i) => i.user_data), ...Object.values(json.locals ?? {})]
      .filter((u): u is string => typeof u === "string")
      .find((u) => /^\s*KUBEPLANE_ROLE='control-plane-init'$/m.test(u)) ?? "";
  if (!userData) throw new Error("clusterModel: no control-plane user data (KUBEPLANE_ROLE='control-plane-init') on an instance or in a local");
  const settings = Object.fromEntries(Object.entries(settingsOf(userData)).map(([k, v]) => [k, resolve(v)]));
  const backend = settings.KUBEPLANE_PARAMETER_BACKEND;
  if (backend !== "ssm" && backend !== "secretsmanager") throw new Error(`clusterModel: unknown parameter backend "${backend}"`);
  const [docId] = Object.entries(json.resource.aws_ssm_document ?? {})[0] ?? [];
  if (backend === "ssm" && !docId) throw new Error("clusterModel: the SSM cluster stack has no aws_ssm_document");
  const parameterArn = (name: string) => `arn:${at.partition}:ssm:${at.region}:${at.account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
  const secretArn = (name: string) => secretArnFor(name, at);

  return {
    name: clusterName,
    at,
    ha: controlPlaneInstances.length > 1,
    roles,
    instances: {
      "control-plane": controlPlaneInstances.map((i, n) => make("control-plane", n, literalTags(i.tags))),
      worker: [0, 1].map((n) => make("worker", n, workerTags)),
      bastion: bastionInstances.map((i, n) => make("bastion", n, literalTags(i.tags))),
    },
    settings,
    keyArn: resolve(`\${aws_kms_key.${keyId}.arn}`),
    keyPolicy: JSON.parse(resolve(String(key!.policy))),
    backend,
    documentArn: docId ? resolve(`\${aws_ssm_document.${docId}.arn}`) : "",
    documentName: docId ? resolve(`\${aws_ssm_document.${docId}.name}`) : "",
    workerGroup,
    vpcId: `vpc-0${createHash("sha256").update(clusterName).digest("hex").slice(0, 16)}`,
    parameterArn,
    secretArn,
    recordArn: backend === "ssm" ? parameterArn : secretArn,
  };
}
