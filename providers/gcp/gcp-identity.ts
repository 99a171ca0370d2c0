/** A node identity on GCP: a service account of the cluster's own (never the default compute service account). */
import type { NodeIdentity } from "../node-identity";

/** A NodeIdentity that GcpNodeIdentities made. */
export interface GcpNodeIdentity extends NodeIdentity {
  /** The service account's email (a Terraform reference until apply). */
  readonly email: string;
  /** `serviceAccount:<email>`, as IAM bindings name it. */
  readonly member: string;
}

/** The GCP identity behind `identity`, or an error naming `where` when another cloud made it. */
export function asGcpIdentity(identity: NodeIdentity, where: string): GcpNodeIdentity {
  const gcp = identity as Partial<GcpNodeIdentity>;
  if (typeof gcp.email !== "string" || typeof gcp.member !== "string") throw new Error(`${where}: identity "${identity.name}" is not a GCP service account (made by GcpNodeIdentities)`);
  return identity as GcpNodeIdentity;
}
