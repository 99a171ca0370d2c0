/**
 * The AWS cloud's part of a cluster definition: its defaults (instance types), its block
 * (`aws: { ami }`), the move of the old top-level `ami` into that block, and AWS's limits on the
 * neutral fields (aws-definition-limits.ts), each reported at its field with AWS's reason.
 * AwsCloud (aws-cloud.ts) is the DefinitionCloud that uses them.
 */
import { z } from "zod";
import type { CloudBlock, CloudDefaults, CloudMigration, ClusterDefinition, FieldProblem, NeutralDefinition } from "../../definition";
import { planAddresses, PUBLIC_BLOCK_OFFSET } from "./aws-address-plan";
import { format, Ipv4Cidr, overlaps, parseCidr } from "../../definition/cidr";
import { describeValue, didYouMean, issueMessage } from "../../definition/issue-messages";
import { formatPath } from "../../definition/problems";
import {
  AWS_CLUSTER_NAME_MAX_LENGTH,
  AWS_LOAD_BALANCER_NAME_MAX_LENGTH,
  AWS_RESERVED_TAG_PREFIX,
  AWS_ROOT_VOLUME_GIB,
  AWS_SUBNET_SMALLEST_PREFIX,
  AWS_TAG_KEY_MAX_LENGTH,
  AWS_TAG_VALUE_MAX_LENGTH,
  AWS_VPC_PREFIX,
  EC2_RULE_DESCRIPTION,
} from "./aws-definition-limits";
import { flowLogRetentionProblem } from "./aws-network";

export { AWS_CLUSTER_NAME_MAX_LENGTH, AWS_ROOT_VOLUME_GIB, AWS_VPC_PREFIX } from "./aws-definition-limits";

/** The instance types of a definition that names none: the smallest t3 that passes kubeadm's control-plane minimum, and a t3 with room for pods. */
export const AWS_DEFINITION_DEFAULTS: CloudDefaults = {
  controlPlane: { instanceType: "t3.medium" },
  workers: { instanceType: "t3.large" },
};

/** An AMI id, as EC2 writes them (`ami-` and 8 or 17 hexadecimal digits). */
const AMI_ID = /^ami-[0-9a-z]{8,17}$/;
const AMI_MESSAGE = "must be an AMI id like ami-0123456789abcdef0";

/** The AWS block of a definition (`aws:`). */
export const AWS_BLOCK_SCHEMA = z.strictObject({
  /** The AMI every node boots instead of Canonical's current Ubuntu LTS image. @default the Ubuntu lookup */
  ami: z.string().regex(AMI_ID, { message: AMI_MESSAGE }).optional(),
});
export type AwsBlock = z.output<typeof AWS_BLOCK_SCHEMA>;

/** The AWS block of a loaded (so validated) definition; `{}` when it has none. */
export function awsBlockOf(block: CloudBlock | undefined): AwsBlock {
  const parsed = AWS_BLOCK_SCHEMA.safeParse(block ?? {});
  if (!parsed.success) throw new Error(`aws: the block was not validated: ${parsed.error.issues.map((i) => `${formatPath(["aws", ...i.path])}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The old top-level `ami`, moved into `aws.ami` with a warning that says what to write. */
export function migrateAwsDefinition(definition: NeutralDefinition): CloudMigration {
  const { ami, ...rest } = definition;
  if (ami === undefined) return { definition, warnings: [], problems: [] };
  if (definition.aws?.ami !== undefined) {
    return { definition: rest, warnings: [], problems: [{ path: ["ami"], message: "is deprecated and aws.ami is set too: keep only aws.ami" }] };
  }
  if (!AMI_ID.test(ami)) return { definition: rest, warnings: [], problems: [{ path: ["ami"], message: `${AMI_MESSAGE} (got ${describeValue(ami)})` }] };
  return {
    definition: { ...rest, aws: { ...definition.aws, ami } },
    warnings: [{ path: ["ami"], message: `is deprecated: write it in the AWS block instead, as "aws: { ami: ${ami} }"` }],
    problems: [],
  };
}

/** The AWS block's problems, at their fields under `aws`. */
function blockProblems(block: CloudBlock | undefined): FieldProblem[] {
  if (block === undefined) return [];
  const parsed = AWS_BLOCK_SCHEMA.safeParse(block);
  if (parsed.success) return [];
  const allowed = Object.keys(AWS_BLOCK_SCHEMA.shape);
  return parsed.error.issues.flatMap((issue): FieldProblem[] => {
    const path = ["aws", ...issue.path.map((k) => (typeof k === "number" ? k : String(k)))];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}` }));
    }
    const got = issue.path.reduce<unknown>((node, k) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined), block);
    return [{ path, message: issueMessage(issue, got, formatPath(path)) }];
  });
}

const cidrOf = (text: string): Ipv4Cidr | undefined => {
  const parsed = parseCidr(text);
  return typeof parsed === "string" ? undefined : parsed;
};

/** The VPC's size, subnets AWS can make, and subnets written beside the ones carved from the VPC. */
function addressProblems(def: ClusterDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const vpc = cidrOf(def.network.cidr);
  if (!vpc) return problems;
  if (vpc.prefix > AWS_VPC_PREFIX.smallest) {
    problems.push({ path: ["network", "cidr"], message: `a /${vpc.prefix} is too small: subnets are 1/16th of the VPC and AWS needs at least a /${AWS_SUBNET_SMALLEST_PREFIX} (use /${AWS_VPC_PREFIX.smallest} or larger)` });
  } else if (vpc.prefix < AWS_VPC_PREFIX.largest) {
    problems.push({
      path: ["network", "cidr"],
      message: `a /${vpc.prefix} is larger than AWS allows for a VPC (/${AWS_VPC_PREFIX.largest} to /${AWS_SUBNET_SMALLEST_PREFIX}); use a /${AWS_VPC_PREFIX.largest} to /${AWS_VPC_PREFIX.smallest}`,
    });
  }
  for (const kind of ["privateSubnets", "publicSubnets"] as const) {
    (def.network[kind] ?? []).forEach((text, i) => {
      const block = cidrOf(text);
      if (block && block.prefix > AWS_SUBNET_SMALLEST_PREFIX) problems.push({ path: ["network", kind, i], message: `${text} is smaller than AWS's minimum subnet (/${AWS_SUBNET_SMALLEST_PREFIX})` });
    });
  }
  problems.push(...plannedSubnetProblems(def, vpc));
  return problems;
}

/**
 * When only one subnet list is written, the other is carved from the VPC (aws-address-plan.ts):
 * the written subnets must not overlap the carved ones.
 */
function plannedSubnetProblems(def: ClusterDefinition, vpc: Ipv4Cidr): FieldProblem[] {
  const network = def.network;
  const written = (["privateSubnets", "publicSubnets"] as const).filter((kind) => network[kind] !== undefined);
  const azCount = Array.isArray(network.azs) ? network.azs.length : network.azs;
  if (written.length !== 1 || azCount < 1 || azCount > PUBLIC_BLOCK_OFFSET || vpc.prefix > AWS_VPC_PREFIX.smallest) return [];
  const kind = written[0];
  const other = kind === "privateSubnets" ? "publicSubnets" : "privateSubnets";
  const plan = planAddresses(format(vpc), azCount);
  const planned = (other === "privateSubnets" ? plan.privateSubnetCidrs : plan.publicSubnetCidrs).map((text) => ({ text, block: cidrOf(text) }));
  const problems: FieldProblem[] = [];
  (network[kind] ?? []).forEach((text, i) => {
    const block = cidrOf(text);
    const clash = block && planned.find((p) => p.block && overlaps(p.block, block));
    if (clash) {
      problems.push({
        path: ["network", kind, i],
        message:
          `${text} overlaps ${clash.text}, one of the ${other} carved from the VPC when network.${other} is not written ` +
          `(${planned.map((p) => p.text).join(", ")}); choose other blocks, or write network.${other} too`,
      });
    }
  });
  return problems;
}

/** Every problem AWS has with a definition's neutral fields and its block (regions, zones and instance types are AwsCloud's). */
export function awsDefinitionProblems(def: ClusterDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (def.name.length > AWS_CLUSTER_NAME_MAX_LENGTH) {
    problems.push({
      path: ["name"],
      message: `must be at most ${AWS_CLUSTER_NAME_MAX_LENGTH} characters on AWS (got ${def.name.length}): it is part of the API's load balancer names, which AWS limits to ${AWS_LOAD_BALANCER_NAME_MAX_LENGTH}`,
    });
  }
  problems.push(...addressProblems(def));
  const days = def.network.flowLogs.retentionDays;
  const retention = flowLogRetentionProblem(days);
  if (retention) problems.push({ path: ["network", "flowLogs", "retentionDays"], message: retention });
  (def.network.extraEgress ?? []).forEach((rule, i) => {
    if (!EC2_RULE_DESCRIPTION.test(rule.description)) {
      problems.push({
        path: ["network", "extraEgress", i, "description"],
        message: `must be 1-255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (what EC2 accepts) (got ${describeValue(rule.description)})`,
      });
    }
  });
  const sized = [{ path: ["controlPlane"], size: def.controlPlane.volumeSize }, ...def.workerPools.map((p) => ({ path: p.path, size: p.volumeSize }))];
  for (const { path, size } of sized) {
    if (size < AWS_ROOT_VOLUME_GIB.min) {
      problems.push({ path: [...path, "volumeSize"], message: `must be at least ${AWS_ROOT_VOLUME_GIB.min} GiB on AWS (the Ubuntu image's root snapshot) (got ${size})` });
    } else if (size > AWS_ROOT_VOLUME_GIB.max) {
      problems.push({ path: [...path, "volumeSize"], message: `must be at most ${AWS_ROOT_VOLUME_GIB.max} GiB on AWS (gp3's largest volume) (got ${size})` });
    }
  }
  for (const [key, value] of Object.entries(def.tags)) {
    if (AWS_RESERVED_TAG_PREFIX.test(key)) problems.push({ path: ["tags", key], message: 'tag keys starting with "aws:" are reserved by AWS' });
    else if (key.length > AWS_TAG_KEY_MAX_LENGTH) problems.push({ path: ["tags", key], message: `AWS tag keys are at most ${AWS_TAG_KEY_MAX_LENGTH} characters (got ${key.length})` });
    if (value.length > AWS_TAG_VALUE_MAX_LENGTH) problems.push({ path: ["tags", key], message: `AWS tag values are at most ${AWS_TAG_VALUE_MAX_LENGTH} characters (got ${value.length})` });
  }
  problems.push(...blockProblems(def.aws));
  return problems;
}
