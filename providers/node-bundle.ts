/**
 * Node bundles: the node-side files of a role, delivered outside the user data (which is small on
 * every cloud: EC2 takes 16 KiB) as a versioned archive the cluster's cloud stores, fetched on
 * first boot and checked against its SHA-256 by a small loader (kOps's nodeup works the same way).
 * A bundle holds only static, secret-free files (scripts, units, manifests); the cluster's
 * settings, which may hold Terraform references, stay in the user data.
 */
import type { NodeIdentity } from "./node-identity";

/** One archive: a role's files as a gzip-compressed tar. */
export interface NodeBundleArchive {
  /** The role the archive is for, e.g. `worker`: part of its name. */
  readonly role: string;
  /** The archive's bytes, base64. */
  readonly base64: string;
  /** The archive's SHA-256, hex: part of its name (a new content is a new object) and checked by the node. */
  readonly sha256: string;
  /** The identity of the nodes that read it (they may read only their role's archives). */
  readonly reader: NodeIdentity;
}

/** Props for a node bundle store. */
export interface NodeBundleProps {
  /** The cluster's name; used in names and tags. */
  readonly clusterName: string;
  /** One archive per role; roles are unique. */
  readonly archives: readonly NodeBundleArchive[];
}

/** Where a node finds its archive: the node-side fetcher `kind` and its settings (`KUBEPLANE_BUNDLE_*`). */
export interface NodeBundleLocation {
  readonly kind: string;
  readonly settings: Readonly<Record<string, string>>;
}

/** A provisioned bundle store. */
export interface NodeBundle {
  /** Where each role's archive is, by role. */
  readonly locations: Readonly<Record<string, NodeBundleLocation>>;
}

/**
 * Checks what every cloud's bundle store needs of its props (a cluster name, at least one
 * archive, unique role names, hex SHA-256s); `where` names the construct and its path.
 */
export function validateNodeBundleProps(where: string, props: NodeBundleProps): void {
  if (!props.clusterName) throw new Error(`${where}: clusterName is empty`);
  if (props.archives.length === 0) throw new Error(`${where}: archives must hold at least one role's archive`);
  const roles = props.archives.map((a) => a.role);
  if (new Set(roles).size !== roles.length) throw new Error(`${where}: archives name a role twice: ${roles.join(", ")}`);
  for (const a of props.archives) {
    if (!/^[a-z][-a-z0-9]*$/.test(a.role)) throw new Error(`${where}: archives: role "${a.role}" is not a name like worker`);
    if (!/^[0-9a-f]{64}$/.test(a.sha256)) throw new Error(`${where}: archives (${a.role}): sha256 must be 64 hex digits`);
  }
}
