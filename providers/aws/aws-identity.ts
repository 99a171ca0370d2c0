/** Narrows the cloud-neutral types handed to AWS constructs back to their AWS implementations. */
import type { NodeIdentity } from "../node-identity";
import { AwsNodeIdentity } from "./aws-node-identities";

/** The AWS identity behind a NodeIdentity; fails clearly if another cloud's identity is passed. */
export function asAwsIdentity(identity: NodeIdentity, prop: string): AwsNodeIdentity {
  if (!(identity instanceof AwsNodeIdentity)) {
    throw new Error(`${prop}: expected an identity made by the AWS cloud, got ${identity.constructor.name}`);
  }
  return identity;
}
