/**
 * Rules that tie fields of a definition together (counts, installer options, address space,
 * cloud blocks), on every cloud; each cloud's own limits are its validateDefinition's.
 * They read a value that may be only partly valid, so that they can report their problems
 * alongside the schema's: a field of the wrong type is simply skipped here.
 */
import { contains, Ipv4Cidr, overlaps, parseCidr, size, WORLD_IPV4_PREFIX } from "./cidr";
import { DEFAULTS } from "./defaults";
import { CLOUD_NAMES } from "./cloud-definition";
/** Service network prefixes: kube-apiserver refuses anything larger than a /12; a /24 is the smallest taken. */
export const SERVICE_PREFIX = { largest: 12, smallest: 24 } as const;
/**
 * Pod network: each node gets a /24 of it (kubeadm's node CIDR mask), and kube-controller-manager
 * refuses a cluster CIDR more than 16 bits larger than that, so /8 to /24, with a /24 for every
 * node the cluster may have (controlPlane.count + workers.max, summed over the pools).
 */
export const POD_PREFIX = { largest: 8, smallest: 24, perNode: 24 } as const;

/** A problem at a field path. */
export interface CrossFieldProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

type Fields = Record<string, unknown>;

const fields = (v: unknown): Fields => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Fields) : {});
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
const cidrOf = (v: unknown): Ipv4Cidr | undefined => {
  if (typeof v !== "string") return undefined;
  const parsed = parseCidr(v);
  return typeof parsed === "string" ? undefined : parsed;
};

/** The number of zones a definition asks for (a count or a list), undefined when unreadable. */
function zoneCount(def: Fields): number | undefined {
  const azs = fields(def.network).azs ?? DEFAULTS.network.azs;
  return Array.isArray(azs) ? azs.length : int(azs);
}

/**
 * The fewest zones over which `count` control-plane nodes, placed round-robin, survive the loss
 * of any one zone: the zone holding the most etcd members, ceil(count / zones) of them, must
 * leave a quorum. 3 for every HA size kubeplane allows (3, 5 and 7 nodes).
 */
export function minimumZonesFor(count: number): number {
  let zones = 2;
  while (Math.ceil(count / zones) > (count - 1) / 2) zones++;
  return zones;
}

function controlPlaneRules(def: Fields, problems: CrossFieldProblem[]): void {
  const cp = int(fields(def.controlPlane).count);
  if (cp === 0) problems.push({ path: ["controlPlane", "count"], message: "must be 1, or an odd number of at least 3 for HA (got 0)" });
  else if (cp !== undefined && cp > 1 && cp % 2 === 0) {
    problems.push({ path: ["controlPlane", "count"], message: `must be 1, or an odd number of at least 3 for HA (got ${cp}: etcd needs an odd quorum)` });
  } else if (cp !== undefined && cp > 1) {
    const zones = zoneCount(def);
    const needed = minimumZonesFor(cp);
    if (zones !== undefined && zones < needed) {
      const crowded = Math.ceil(cp / zones);
      problems.push({
        path: ["controlPlane", "count"],
        message:
          `${cp} control-plane nodes need network.azs of at least ${needed} zones (got ${zones}): nodes are spread over the zones in turn, ` +
          `so one zone would hold ${crowded} of the ${cp} etcd members and losing it would lose quorum; ` +
          `set network.azs to ${needed} or more, or controlPlane.count to 1`,
      });
    }
  }
  publicApiRules(def, problems);
}

/**
 * The public API allow-list names networks, not the internet: each entry a /8 or narrower, and
 * all of them together no more addresses than one /8 (so that many broad entries cannot add up
 * to the world either). The rule pack treats anything broader than a /8 as the world: both read
 * WORLD_IPV4_PREFIX.
 */
const PUBLIC_API_LARGEST_PREFIX = WORLD_IPV4_PREFIX;

function publicApiRules(def: Fields, problems: CrossFieldProblem[]): void {
  const allowed = fields(fields(def.controlPlane).publicApi).allowedCidrs;
  if (!Array.isArray(allowed)) return;
  const path = ["controlPlane", "publicApi", "allowedCidrs"];
  const valid: Ipv4Cidr[] = [];
  allowed.forEach((text, i) => {
    const block = cidrOf(text);
    if (!block) return;
    if (block.prefix === 0) {
      problems.push({ path: [...path, i], message: "must not be 0.0.0.0/0: name the networks that may reach the API" });
    } else if (block.prefix < PUBLIC_API_LARGEST_PREFIX) {
      problems.push({
        path: [...path, i],
        message: `a /${block.prefix} is as good as the whole internet: name the networks that may reach the API, each a /${PUBLIC_API_LARGEST_PREFIX} or narrower`,
      });
    } else {
      valid.push(block);
    }
  });
  // Blocks either nest or are disjoint: the union is the blocks no other block contains.
  const outermost = valid.filter((b, i) => !valid.some((o, j) => j !== i && contains(o, b) && (o.prefix < b.prefix || j < i)));
  const total = outermost.reduce((sum, b) => sum + size(b), 0);
  if (total > size({ network: 0, prefix: PUBLIC_API_LARGEST_PREFIX })) {
    problems.push({
      path,
      message: `together admit ${total.toLocaleString("en-US")} addresses, more than one /${PUBLIC_API_LARGEST_PREFIX} (16,777,216): name the networks that may reach the API`,
    });
  }
}

/** The pools as written: the `workers:` mapping (path `workers`) or each list entry (`workers[i]`). */
function writtenPools(def: Fields): { path: (string | number)[]; pool: Fields }[] {
  const w = def.workers;
  if (Array.isArray(w)) return w.map((pool, i) => ({ path: ["workers", i], pool: fields(pool) }));
  return [{ path: ["workers"], pool: fields(w) }];
}

function workerRules(def: Fields, problems: CrossFieldProblem[]): void {
  const names = new Map<string, number>();
  const networkZones = fields(def.network).azs;
  for (const { path, pool } of writtenPools(def)) {
    const min = int(pool.min) ?? DEFAULTS.workers.min;
    const max = int(pool.max) ?? DEFAULTS.workers.max;
    const desired = int(pool.desired) ?? DEFAULTS.workers.desired;
    const field = (name: string) => [...path, name].join(".").replace(/\.(\d+)(?=\.|$)/g, "[$1]");
    if (min > max) problems.push({ path: [...path, "min"], message: `must not exceed ${field("max")} (${min} > ${max})` });
    if (min <= max && (desired < min || desired > max)) {
      problems.push({ path: [...path, "desired"], message: `must be within [${field("min")}, ${field("max")}] = [${min}, ${max}] (got ${desired})` });
    }
    if (typeof pool.name === "string") {
      const first = names.get(pool.name);
      if (first !== undefined) problems.push({ path: [...path, "name"], message: `"${pool.name}" is the name of workers[${first}] too: pool names must be unique` });
      else names.set(pool.name, Number(path[1]));
    }
    if (pool.instanceType !== undefined && pool.instanceTypes !== undefined) {
      problems.push({ path: [...path, "instanceType"], message: "write instanceType or instanceTypes, not both" });
    }
    const types = pool.instanceTypes;
    if (Array.isArray(types)) {
      types.forEach((t, i) => {
        if (types.indexOf(t) !== i) problems.push({ path: [...path, "instanceTypes", i], message: `"${String(t)}" is listed twice` });
      });
    }
    const zones = pool.zones;
    if (Array.isArray(zones)) {
      zones.forEach((zone, i) => {
        if (Array.isArray(networkZones) && !networkZones.includes(zone)) {
          problems.push({ path: [...path, "zones", i], message: `"${String(zone)}" is not one of network.azs (${networkZones.join(", ")})` });
        } else if (zones.indexOf(zone) !== i) {
          problems.push({ path: [...path, "zones", i], message: `"${String(zone)}" is listed twice` });
        }
      });
    }
    const taints = pool.taints;
    if (Array.isArray(taints)) {
      taints.forEach((t, i) => {
        const { key, effect } = fields(t);
        if (taints.findIndex((o) => fields(o).key === key && fields(o).effect === effect) !== i) {
          problems.push({ path: [...path, "taints", i], message: `taint ${String(key)}:${String(effect)} is listed twice (the Node API refuses duplicate key and effect)` });
        }
      });
    }
  }
}

/** The most workers of all pools together. */
function workersMax(def: Fields): number {
  return writtenPools(def).reduce((sum, { pool }) => sum + (int(pool.max) ?? DEFAULTS.workers.max), 0);
}

function installerRules(def: Fields, problems: CrossFieldProblem[]): void {
  const k8s = fields(def.kubernetes);
  const installer = k8s.installer ?? DEFAULTS.kubernetes.installer;
  if (installer === "kurl") {
    if (k8s.kurl === undefined) problems.push({ path: ["kubernetes", "kurl", "installerUrl"], message: "is required when kubernetes.installer is kurl" });
    const cp = int(fields(def.controlPlane).count);
    if (cp !== undefined && cp > 1) {
      problems.push({ path: ["controlPlane", "count"], message: "must be 1 with the kurl installer (kubeplane runs HA control planes with kubeadm only)" });
    }
  } else if (installer === "kubeadm" && k8s.kurl !== undefined) {
    problems.push({ path: ["kubernetes", "kurl"], message: "is only allowed when kubernetes.installer is kurl" });
  }
}

function addressSpaceRules(def: Fields, problems: CrossFieldProblem[]): void {
  const network = fields(def.network);
  const k8s = fields(def.kubernetes);
  // `explicit`: differs from the default (the schema has applied defaults by the time this runs).
  const block = (path: string[], value: unknown, fallback: string) => ({ path, text: value ?? fallback, explicit: value !== undefined && value !== fallback });
  const blocks: { path: string[]; text: unknown; explicit: boolean }[] = [
    block(["network", "cidr"], network.cidr, DEFAULTS.network.cidr),
    block(["kubernetes", "podCidr"], k8s.podCidr, DEFAULTS.kubernetes.podCidr),
    block(["kubernetes", "serviceCidr"], k8s.serviceCidr, DEFAULTS.kubernetes.serviceCidr),
  ];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = cidrOf(blocks[i].text);
      const b = cidrOf(blocks[j].text);
      if (a && b && overlaps(a, b)) {
        // Blame the block the user wrote, when only one of the two is a default.
        const [here, other] = !blocks[j].explicit && blocks[i].explicit ? [blocks[i], blocks[j]] : [blocks[j], blocks[i]];
        const otherText = `${other.path.join(".")} (${String(other.text)}${other.explicit ? "" : ", the default"})`;
        problems.push({
          path: here.path,
          message: `${String(here.text)} overlaps ${otherText}; the VPC, pod and service networks must be disjoint`,
        });
      }
    }
  }
  kubernetesNetworkRules(def, problems);
  const vpc = cidrOf(blocks[0].text);
  if (!vpc) return;
  const azCount = zoneCount(def);
  const seen: { path: (string | number)[]; block: Ipv4Cidr; text: string }[] = [];
  for (const kind of ["privateSubnets", "publicSubnets"] as const) {
    const list = network[kind];
    if (!Array.isArray(list)) continue;
    if (azCount !== undefined && list.length !== azCount) {
      problems.push({ path: ["network", kind], message: `must list one subnet per availability zone (${azCount}), got ${list.length}` });
    }
    list.forEach((text, i) => {
      const block = cidrOf(text);
      if (!block) return;
      const path = ["network", kind, i];
      if (!contains(vpc, block)) problems.push({ path, message: `${text} does not fit in the VPC's ${String(blocks[0].text)}` });
      const clash = seen.find((s) => overlaps(s.block, block));
      if (clash) problems.push({ path, message: `${text} overlaps network.${String(clash.path[1])}[${String(clash.path[2])}] (${clash.text})` });
      seen.push({ path, block, text: String(text) });
    });
  }
}

/** Sizes of the pod and service networks that Kubernetes accepts. */
function kubernetesNetworkRules(def: Fields, problems: CrossFieldProblem[]): void {
  const k8s = fields(def.kubernetes);
  const services = cidrOf(k8s.serviceCidr ?? DEFAULTS.kubernetes.serviceCidr);
  if (services && services.prefix < SERVICE_PREFIX.largest) {
    problems.push({
      path: ["kubernetes", "serviceCidr"],
      message: `a /${services.prefix} is larger than kube-apiserver accepts for the service network; use a /${SERVICE_PREFIX.largest} to /${SERVICE_PREFIX.smallest}`,
    });
  } else if (services && services.prefix > SERVICE_PREFIX.smallest) {
    problems.push({
      path: ["kubernetes", "serviceCidr"],
      message: `a /${services.prefix} is too small for the service network; use a /${SERVICE_PREFIX.largest} to /${SERVICE_PREFIX.smallest}`,
    });
  }
  const pods = cidrOf(k8s.podCidr ?? DEFAULTS.kubernetes.podCidr);
  if (!pods) return;
  if (pods.prefix < POD_PREFIX.largest) {
    problems.push({
      path: ["kubernetes", "podCidr"],
      message:
        `a /${pods.prefix} is larger than Kubernetes allows for the pod network (each node gets a /${POD_PREFIX.perNode} of it, ` +
        `and kube-controller-manager takes at most 16 bits more); use a /${POD_PREFIX.largest} to /${POD_PREFIX.smallest}`,
    });
    return;
  }
  if (pods.prefix > POD_PREFIX.smallest) {
    problems.push({
      path: ["kubernetes", "podCidr"],
      message: `a /${pods.prefix} is smaller than one node's pod range (/${POD_PREFIX.perNode}); use a /${POD_PREFIX.largest} to /${POD_PREFIX.smallest}`,
    });
    return;
  }
  const nodes = (int(fields(def.controlPlane).count) ?? DEFAULTS.controlPlane.count) + workersMax(def);
  const capacity = 2 ** (POD_PREFIX.perNode - pods.prefix);
  if (nodes > capacity) {
    const needed = POD_PREFIX.perNode - Math.ceil(Math.log2(nodes));
    problems.push({
      path: ["kubernetes", "podCidr"],
      message:
        `a /${pods.prefix} holds the pod ranges (/${POD_PREFIX.perNode} each) of ${capacity} node${capacity === 1 ? "" : "s"}, but the cluster may have ` +
        `${nodes} (controlPlane.count + workers.max); use a /${Math.max(needed, POD_PREFIX.largest)} or larger`,
    });
  }
}

/**
 * The API's name, `api.<cluster>.<privateDnsZone>`, must fit DNS's 253 characters with the name
 * the definition has (the zone's own form is the schema's).
 */
export const DNS_NAME_MAX_LENGTH = 253;

function apiNameRules(def: Fields, problems: CrossFieldProblem[]): void {
  const name = def.name;
  const zone = fields(def.network).privateDnsZone ?? DEFAULTS.network.privateDnsZone;
  if (typeof name !== "string" || typeof zone !== "string") return;
  const longest = DNS_NAME_MAX_LENGTH - `api.${name}.`.length;
  if (zone.length > longest) {
    problems.push({
      path: ["network", "privateDnsZone"],
      message: `must be at most ${longest} characters with this cluster's name (the API's name api.<cluster>.<zone> must fit DNS's ${DNS_NAME_MAX_LENGTH}; got ${zone.length})`,
    });
  }
}

/** A cloud's block (`aws:`) belongs to a definition of that cloud only. */
function cloudBlockRules(def: Fields, problems: CrossFieldProblem[]): void {
  const cloud = def.cloud ?? DEFAULTS.cloud;
  for (const name of CLOUD_NAMES) {
    if (name !== cloud && def[name] !== undefined) {
      problems.push({ path: [name], message: `is the block of cloud ${name}, but this cluster's cloud is ${String(cloud)}: remove it, or set cloud: ${name}` });
    }
  }
}

/** Every cross-field problem in a (possibly partly invalid) definition value. */
export function crossFieldProblems(value: unknown): CrossFieldProblem[] {
  const def = fields(value);
  const problems: CrossFieldProblem[] = [];
  cloudBlockRules(def, problems);
  apiNameRules(def, problems);
  controlPlaneRules(def, problems);
  workerRules(def, problems);
  installerRules(def, problems);
  addressSpaceRules(def, problems);
  return problems;
}
