/**
 * What a cluster has in the emulator, read with the aws CLI: found by the `kubeplane:cluster`
 * tag every resource carries (provider default_tags) or by the `kubeplane-<cluster>-` names of
 * those that are untaggable or listed by name.
 */
import { execFile } from "child_process";
import { promisify } from "util";

const run = promisify(execFile);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const CLUSTER_TAG = "kubeplane:cluster";

/** The kinds of resource the inventory lists (and `leftovers` checks after a destroy). */
export const INVENTORY_KINDS = [
  "vpcs",
  "subnets",
  "securityGroups",
  "internetGateways",
  "routeTables",
  "elasticIps",
  "natGateways",
  "instances",
  "launchTemplates",
  "autoScalingGroups",
  "roles",
  "iamPolicies",
  "instanceProfiles",
  "ssmDocuments",
  "kmsAliases",
  "kmsKeys",
  "ssmParameters",
  "flowLogs",
  "logGroups",
  "privateDnsZones",
] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

/** The aws CLI against one emulator and region. */
export class EmulatorInventory {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly region: string,
  ) {}

  /** Runs `aws <args> --output json` and parses the answer. */
  async aws(...args: string[]): Promise<Json> {
    const { stdout } = await run("aws", [...args, "--region", this.region, "--output", "json"], {
      env: this.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  private tagFilter(cluster: string): string[] {
    return ["--filters", `Name=tag:${CLUSTER_TAG},Values=${cluster}`];
  }

  async vpcs(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-vpcs", ...this.tagFilter(cluster))).Vpcs;
  }
  async subnets(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-subnets", ...this.tagFilter(cluster))).Subnets;
  }
  async securityGroups(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-security-groups", ...this.tagFilter(cluster))).SecurityGroups;
  }
  async internetGateways(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-internet-gateways", ...this.tagFilter(cluster))).InternetGateways;
  }
  async routeTables(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-route-tables", ...this.tagFilter(cluster))).RouteTables;
  }
  async elasticIps(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-addresses", ...this.tagFilter(cluster))).Addresses;
  }
  /** NAT gateways not deleted (the emulator keeps deleted ones listed, as AWS does for a while). */
  async natGateways(cluster: string): Promise<Json[]> {
    const all = (await this.aws("ec2", "describe-nat-gateways", "--filter", `Name=tag:${CLUSTER_TAG},Values=${cluster}`)).NatGateways;
    return all.filter((n: Json) => n.State !== "deleted" && n.State !== "deleting");
  }
  /** Instances that are not terminated. */
  async instances(cluster: string): Promise<Json[]> {
    const reservations = (await this.aws("ec2", "describe-instances", ...this.tagFilter(cluster))).Reservations;
    return reservations.flatMap((r: Json) => r.Instances).filter((i: Json) => !["terminated", "shutting-down"].includes(i.State.Name));
  }
  async launchTemplates(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-launch-templates", ...this.tagFilter(cluster))).LaunchTemplates;
  }
  /** The launch template's default version (its data: user data, metadata options, ...). */
  async launchTemplateDefaultVersion(templateId: string): Promise<Json> {
    const versions = (await this.aws("ec2", "describe-launch-template-versions", "--launch-template-id", templateId, "--versions", "$Default")).LaunchTemplateVersions;
    return versions[0];
  }
  async autoScalingGroups(cluster: string): Promise<Json[]> {
    const groups = (await this.aws("autoscaling", "describe-auto-scaling-groups")).AutoScalingGroups;
    return groups.filter((g: Json) => g.AutoScalingGroupName.startsWith(`kubeplane-${cluster}-`));
  }
  async roles(cluster: string): Promise<Json[]> {
    return (await this.aws("iam", "list-roles")).Roles.filter((r: Json) => r.RoleName.startsWith(`kubeplane-${cluster}-`));
  }
  async attachedPolicies(roleName: string): Promise<string[]> {
    return (await this.aws("iam", "list-attached-role-policies", "--role-name", roleName)).AttachedPolicies.map((p: Json) => p.PolicyArn);
  }
  async inlinePolicies(roleName: string): Promise<string[]> {
    return (await this.aws("iam", "list-role-policies", "--role-name", roleName)).PolicyNames;
  }
  /** Customer managed policies of the cluster (the operator policy, `kubeplane-<cluster>-operator`), by name. */
  async iamPolicies(cluster: string): Promise<Json[]> {
    return (await this.aws("iam", "list-policies", "--scope", "Local")).Policies.filter((p: Json) => p.PolicyName.startsWith(`kubeplane-${cluster}-`));
  }
  async instanceProfiles(cluster: string): Promise<Json[]> {
    return (await this.aws("iam", "list-instance-profiles")).InstanceProfiles.filter((p: Json) => p.InstanceProfileName.startsWith(`kubeplane-${cluster}-`));
  }
  async ssmDocuments(cluster: string): Promise<Json[]> {
    return (await this.aws("ssm", "list-documents", "--filters", "Key=Owner,Values=Self")).DocumentIdentifiers.filter((d: Json) => d.Name.startsWith(`kubeplane-${cluster}-`));
  }
  async kmsAliases(cluster: string): Promise<Json[]> {
    return (await this.aws("kms", "list-aliases")).Aliases.filter((a: Json) => a.AliasName === `alias/kubeplane/${cluster}` || a.AliasName.startsWith(`alias/kubeplane/${cluster}/`));
  }
  /** KMS keys of the cluster that are usable (not pending deletion). */
  async enabledKmsKeys(cluster: string): Promise<Json[]> {
    const keys = (await this.aws("kms", "list-keys")).Keys;
    const found: Json[] = [];
    for (const key of keys) {
      const meta = (await this.aws("kms", "describe-key", "--key-id", key.KeyId)).KeyMetadata;
      if (meta.KeyState === "PendingDeletion") continue;
      const tags = (await this.aws("kms", "list-resource-tags", "--key-id", key.KeyId)).Tags ?? [];
      if (tags.some((t: Json) => t.TagKey === CLUSTER_TAG && t.TagValue === cluster)) found.push(meta);
    }
    return found;
  }

  async flowLogs(cluster: string): Promise<Json[]> {
    return (await this.aws("ec2", "describe-flow-logs", "--filter", `Name=tag:${CLUSTER_TAG},Values=${cluster}`)).FlowLogs;
  }
  /** The cluster's log groups (the VPC flow logs'), by their `/kubeplane/<cluster>/` names. */
  async logGroups(cluster: string): Promise<Json[]> {
    return (await this.aws("logs", "describe-log-groups", "--log-group-name-prefix", `/kubeplane/${cluster}/`)).logGroups;
  }

  /** The cluster's hosted zones (the API's private name, `<cluster>.<network.privateDnsZone>`), by their names' first label. */
  async privateDnsZones(cluster: string): Promise<Json[]> {
    const zones = (await this.aws("route53", "list-hosted-zones")).HostedZones as Json[];
    // By name, not by Config.PrivateZone: moto 5.2.1 makes a zone private only on HostedZoneConfig.PrivateZone,
    // which the provider never sends (AWS infers it from the VPC), so in the emulator the zone lists as public.
    return zones.filter((z) => String(z.Name).startsWith(`${cluster}.`));
  }

  /**
   * The SSM parameters under the cluster's path `/kubeplane/<cluster>/` (nodes write them at run
   * time; none is Terraform's), with their tags. Listed by name, tagged or not, so an untagged
   * one counts too, and `/kubeplane/<cluster>-other/` does not.
   */
  async ssmParameters(cluster: string): Promise<Json[]> {
    const all = (await this.aws("ssm", "describe-parameters")).Parameters as Json[];
    const mine = all.filter((p) => p.Name.startsWith(`/kubeplane/${cluster}/`)).sort((a, b) => a.Name.localeCompare(b.Name));
    for (const p of mine) p.Tags = (await this.aws("ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", p.Name)).TagList;
    return mine;
  }

  /**
   * What `kubeplane kubeconfig` may leave under `/kubeplane/<cluster>/access/` (a hand-back: the
   * encrypted kubeconfig's parts, their count, or a node's error): nothing, once it has run.
   */
  async handBackParameters(cluster: string): Promise<string[]> {
    return (await this.ssmParameters(cluster)).map((p) => p.Name as string).filter((name) => name.startsWith(`/kubeplane/${cluster}/access/`));
  }

  /**
   * Everything of the cluster in the emulator, by kind: every kind `leftovers` checks is a key,
   * with an empty list where there is none. Tests check before a destroy that every kind is
   * present, so "nothing left" afterwards cannot pass because a kind was never found at all.
   */
  async everything(cluster: string): Promise<Record<InventoryKind, string[]>> {
    const kinds: Record<InventoryKind, () => Promise<string[]>> = {
      vpcs: async () => (await this.vpcs(cluster)).map((v) => v.VpcId),
      subnets: async () => (await this.subnets(cluster)).map((s) => s.SubnetId),
      securityGroups: async () => (await this.securityGroups(cluster)).map((g) => g.GroupId),
      internetGateways: async () => (await this.internetGateways(cluster)).map((g) => g.InternetGatewayId),
      routeTables: async () => (await this.routeTables(cluster)).map((t) => t.RouteTableId),
      elasticIps: async () => (await this.elasticIps(cluster)).map((a) => a.AllocationId),
      natGateways: async () => (await this.natGateways(cluster)).map((n) => n.NatGatewayId),
      instances: async () => (await this.instances(cluster)).map((i) => i.InstanceId),
      launchTemplates: async () => (await this.launchTemplates(cluster)).map((t) => t.LaunchTemplateName),
      autoScalingGroups: async () => (await this.autoScalingGroups(cluster)).map((g) => g.AutoScalingGroupName),
      roles: async () => (await this.roles(cluster)).map((r) => r.RoleName),
      iamPolicies: async () => (await this.iamPolicies(cluster)).map((p) => p.PolicyName),
      instanceProfiles: async () => (await this.instanceProfiles(cluster)).map((p) => p.InstanceProfileName),
      ssmDocuments: async () => (await this.ssmDocuments(cluster)).map((d) => d.Name),
      kmsAliases: async () => (await this.kmsAliases(cluster)).map((a) => a.AliasName),
      kmsKeys: async () => (await this.enabledKmsKeys(cluster)).map((k) => k.KeyId),
      ssmParameters: async () => (await this.ssmParameters(cluster)).map((p) => p.Name),
      flowLogs: async () => (await this.flowLogs(cluster)).map((f) => f.FlowLogId),
      logGroups: async () => (await this.logGroups(cluster)).map((g) => g.logGroupName),
      privateDnsZones: async () => (await this.privateDnsZones(cluster)).map((z) => z.Name),
    };
    const all = {} as Record<InventoryKind, string[]>;
    for (const kind of INVENTORY_KINDS) all[kind] = await kinds[kind]();
    return all;
  }

  /**
   * Everything of the cluster still in the emulator, by kind; kinds with nothing left are
   * omitted, so a cluster that is entirely gone gives `{}`.
   */
  async leftovers(cluster: string): Promise<Record<string, string[]>> {
    const left: Record<string, string[]> = {};
    for (const [kind, found] of Object.entries(await this.everything(cluster))) {
      if (found.length > 0) left[kind] = found;
    }
    return left;
  }

  /**
   * The kinds with nothing of the cluster, and the instance count, for a check before destroy
   * (`missingKinds` must be empty; `instances` must equal control-plane count + desired workers).
   */
  async deployedSummary(cluster: string): Promise<{ missingKinds: InventoryKind[]; instances: number }> {
    const all = await this.everything(cluster);
    return { missingKinds: INVENTORY_KINDS.filter((k) => all[k].length === 0), instances: all.instances.length };
  }
}
