/**
 * The GCP cloud's part of a cluster definition: its defaults (E2 machine types, the Secret
 * Manager join lease), its block (`gcp: { project, image }`), and GCP's limits on the neutral
 * fields (gcp-definition-limits.ts), each reported at its field with GCP's reason. GcpCloud
 * (gcp-cloud.ts) is the DefinitionCloud that uses them. The region is the definition's own
 * `region` (a GCP region such as europe-west1), as on every cloud.
 */
import { z } from "zod";
import type { CloudBlock, CloudDefaults, ClusterDefinition, FieldProblem } from "../../definition";
import { parseCidr } from "../../definition/cidr";
import { describeValue, didYouMean, issueMessage } from "../../definition/issue-messages";
import { formatPath } from "../../definition/problems";
import {
  GCP_BOOT_DISK_GB,
  GCP_CLUSTER_NAME_MAX_LENGTH,
  GCP_FLOW_LOG_RETENTION_DAYS,
  GCP_LABEL_KEY,
  GCP_LABEL_VALUE,
  GCP_PROJECT_ID,
  GCP_SUBNET_PREFIX,
} from "./gcp-definition-limits";

/** The join-lease store GCP offers (and its default), and the ones it refuses, with where they belong. */
export const GCP_JOIN_LEASE_BACKEND = "gcp-secret-manager";

/**
 * The machine types of a definition that names none: e2-standard-2 (2 vCPUs, 8 GB) for both, the
 * smallest E2 with dedicated cores that passes kubeadm's control-plane minimum, and the size of
 * AWS's worker default (t3.large: 2 vCPUs, 8 GiB).
 */
export const GCP_DEFINITION_DEFAULTS: CloudDefaults = {
  controlPlane: { instanceType: "e2-standard-2" },
  workers: { instanceType: "e2-standard-2" },
  joinTokens: { backend: GCP_JOIN_LEASE_BACKEND },
};

/**
 * An image nodes boot instead of Canonical's Ubuntu LTS family: a self link or a partial URL
 * `projects/<project>/global/images/<image>` or `.../images/family/<family>`
 * (https://cloud.google.com/compute/docs/reference/rest/v1/disks, sourceImage).
 */
const IMAGE = /^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[a-z][-a-z0-9.:]*\/global\/images\/(family\/)?[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The GCP block of a definition (`gcp:`). */
export const GCP_BLOCK_SCHEMA = z.strictObject({
  /** The project every resource is made in. */
  project: z.string().regex(GCP_PROJECT_ID, {
    message: "must be a GCP project id: 6-30 lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen",
  }),
  /** The image nodes boot. @default Canonical's ubuntu-2404-lts-amd64 family (project ubuntu-os-cloud) */
  image: z.string().regex(IMAGE, { message: "must be an image like projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" }).optional(),
});
export type GcpBlock = z.output<typeof GCP_BLOCK_SCHEMA>;

/** The GCP block of a loaded (so validated) definition. */
export function gcpBlockOf(block: CloudBlock | undefined): GcpBlock {
  const parsed = GCP_BLOCK_SCHEMA.safeParse(block ?? {});
  if (!parsed.success) throw new Error(`gcp: the block was not validated: ${parsed.error.issues.map((i) => `${formatPath(["gcp", ...i.path])}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The GCP block's problems, at their fields under `gcp`. */
function blockProblems(block: CloudBlock | undefined): FieldProblem[] {
  if (block === undefined) return [{ path: ["gcp"], message: 'is required on cloud: gcp: name the project, e.g. "gcp: { project: my-project }"' }];
  const parsed = GCP_BLOCK_SCHEMA.safeParse(block);
  if (parsed.success) return [];
  const allowed = Object.keys(GCP_BLOCK_SCHEMA.shape);
  return parsed.error.issues.flatMap((issue): FieldProblem[] => {
    const path = ["gcp", ...issue.path.map((k) => (typeof k === "number" ? k : String(k)))];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown field${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}${key === "region" ? " (the region is the definition's own region)" : ""}`,
      }));
    }
    const got = issue.path.reduce<unknown>((node, k) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined), block);
    return [{ path, message: issueMessage(issue, got, formatPath(path)) }];
  });
}

/** Every problem GCP has with a definition's neutral fields and its block (regions, zones and machine types are GcpCloud's). */
export function gcpDefinitionProblems(def: ClusterDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (def.name.length > GCP_CLUSTER_NAME_MAX_LENGTH) {
    problems.push({
      path: ["name"],
      message: `must be at most ${GCP_CLUSTER_NAME_MAX_LENGTH} characters on GCP (got ${def.name.length}): it is part of the nodes' service account ids (kp-<name>-bastion), which GCP limits to 30`,
    });
  }
  if (def.joinTokens.backend !== GCP_JOIN_LEASE_BACKEND) {
    problems.push({ path: ["joinTokens", "backend"], message: `"${def.joinTokens.backend}" is an AWS store; on GCP the join lease lives in Secret Manager: "${GCP_JOIN_LEASE_BACKEND}" (the default)` });
  }
  if (def.state.backend === "s3") problems.push({ path: ["state", "backend"], message: 'S3 is AWS\'s; on GCP keep remote state in GCS: "state: { backend: gcs, bucket: <bucket> }"' });
  if (def.network.natGateways !== "single") {
    problems.push({ path: ["network", "natGateways"], message: 'must be "single" on GCP: Cloud NAT is one regional, zone-redundant service, there is no gateway per zone to make' });
  }
  if (def.network.publicSubnets !== undefined) {
    problems.push({ path: ["network", "publicSubnets"], message: "GCP clusters have no public subnets (egress is Cloud NAT, a public API's address is regional): leave it out" });
  }
  if (def.network.privateSubnets !== undefined && def.network.privateSubnets.length !== 1) {
    problems.push({ path: ["network", "privateSubnets"], message: `GCP subnets are regional: name one block for the nodes, not ${def.network.privateSubnets.length}` });
  }
  const ranges: { path: (string | number)[]; text: string }[] = [{ path: ["network", "cidr"], text: def.network.cidr }, ...(def.network.privateSubnets ?? []).map((text, i) => ({ path: ["network", "privateSubnets", i], text }))];
  for (const { path, text } of ranges) {
    const parsed = parseCidr(text);
    if (typeof parsed === "string") continue;
    if (parsed.prefix > GCP_SUBNET_PREFIX.smallest) problems.push({ path, message: `a /${parsed.prefix} is smaller than GCP's smallest subnet (/${GCP_SUBNET_PREFIX.smallest})` });
    else if (parsed.prefix < GCP_SUBNET_PREFIX.largest) problems.push({ path, message: `a /${parsed.prefix} is larger than kubeplane takes for a subnet (/${GCP_SUBNET_PREFIX.largest})` });
  }
  if (def.network.flowLogs.enabled && def.network.flowLogs.retentionDays !== GCP_FLOW_LOG_RETENTION_DAYS) {
    problems.push({
      path: ["network", "flowLogs", "retentionDays"],
      message: `must be ${GCP_FLOW_LOG_RETENTION_DAYS} on GCP (got ${def.network.flowLogs.retentionDays}): subnet flow logs go to Cloud Logging's _Default bucket, which keeps ${GCP_FLOW_LOG_RETENTION_DAYS} days`,
    });
  }
  const sized = [{ path: ["controlPlane"], size: def.controlPlane.volumeSize }, ...def.workerPools.map((p) => ({ path: p.path, size: p.volumeSize }))];
  for (const { path, size } of sized) {
    if (size < GCP_BOOT_DISK_GB.min) problems.push({ path: [...path, "volumeSize"], message: `must be at least ${GCP_BOOT_DISK_GB.min} GB on GCP (the Ubuntu image's size) (got ${size})` });
    else if (size > GCP_BOOT_DISK_GB.max) problems.push({ path: [...path, "volumeSize"], message: `must be at most ${GCP_BOOT_DISK_GB.max} GB on GCP (a persistent disk's largest) (got ${size})` });
  }
  def.workerPools.forEach((pool) => {
    if (pool.spot) problems.push({ path: [...pool.path, "spot"], message: "spot capacity is not built for GCP yet (Spot VMs in a managed instance group): leave it out" });
  });
  for (const [key, value] of Object.entries(def.tags)) {
    if (!GCP_LABEL_KEY.test(key)) problems.push({ path: ["tags", key], message: "GCP label keys are 1-63 lower-case letters, digits, '_' and '-', starting with a letter" });
    if (!GCP_LABEL_VALUE.test(value)) problems.push({ path: ["tags", key], message: `GCP label values are at most 63 lower-case letters, digits, '_' and '-' (got ${describeValue(value)})` });
  }
  problems.push(...blockProblems(def.gcp));
  return problems;
}
