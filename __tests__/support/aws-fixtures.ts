/** Minimal AWS building blocks for construct tests. */
import { Construct } from "constructs";
import type { MachineImage, Network } from "../../providers";
import { AwsNodeIdentities } from "../../providers/aws/aws-node-identities";

/** A network with literal ids, as a NetworkStack would hand over. */
export const TEST_NETWORK: Network = {
  networkId: "vpc-0123",
  cidr: "10.0.0.0/16",
  zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  nodePlacements: [
    { zone: "eu-west-1a", subnetId: "subnet-p1" },
    { zone: "eu-west-1b", subnetId: "subnet-p2" },
    { zone: "eu-west-1c", subnetId: "subnet-p3" },
  ],
  publicPlacements: [
    { zone: "eu-west-1a", subnetId: "subnet-u1" },
    { zone: "eu-west-1b", subnetId: "subnet-u2" },
    { zone: "eu-west-1c", subnetId: "subnet-u3" },
  ],
};

/** An image with a literal id and Ubuntu's root device, as an explicit AMI would resolve. */
export const TEST_IMAGE: MachineImage = { imageId: "ami-12345678", rootDeviceName: "/dev/sda1" };

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
