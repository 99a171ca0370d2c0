/** Minimal AWS building blocks for construct tests. */
import { Construct } from "constructs";
import type { Network } from "../../providers";
import { AwsNodeIdentities } from "../../providers/aws/aws-node-identities";

/** A network with literal ids, as a NetworkStack would hand over. */
export const TEST_NETWORK: Network = {
  networkId: "vpc-0123",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  privateSubnetIds: ["subnet-p1", "subnet-p2", "subnet-p3"],
  publicSubnetIds: ["subnet-u1", "subnet-u2", "subnet-u3"],
};

/** Identities for cluster `test`. */
export function testIdentities(scope: Construct, bastion = false): AwsNodeIdentities {
  return new AwsNodeIdentities(scope, "identities", { clusterName: "test", bastion });
}

/** Parses a synthScope result. */
export function parse(synth: string): { resource: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, unknown>; locals?: Record<string, unknown> } {
  return JSON.parse(synth);
}

/** The resources of one type in a synthScope result. */
export function all(synth: string, type: string): Record<string, unknown>[] {
  return Object.values(parse(synth).resource[type] ?? {});
}
