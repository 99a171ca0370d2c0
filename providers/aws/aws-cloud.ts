/** AWS: the first CloudProvider. Each building block is a construct in this folder. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ClusterDefinition, FieldProblem } from "../../definition";
import type { CloudProvider } from "../cloud-provider";
import type { BastionProps } from "../bastion";
import type { ClusterFirewallProps } from "../firewall";
import type { ApiLoadBalancerProps } from "../load-balancer";
import type { ControlPlaneProps } from "../control-plane";
import type { MachineImageProps } from "../machine-image";
import type { NetworkProps } from "../network";
import type { NodeIdentitiesProps } from "../node-identity";
import type { ParameterBackendProps } from "../parameter-backend";
import type { WorkerPoolProps } from "../worker-pool";
import { AwsApiLoadBalancer } from "./aws-api-load-balancer";
import { AwsBastion } from "./aws-bastion";
import { AwsControlPlane } from "./aws-control-plane";
import { AwsFirewall } from "./aws-firewall";
import { AwsNetwork } from "./aws-network";
import { AwsNodeIdentities } from "./aws-node-identities";
import { AwsWorkerPool } from "./aws-worker-pool";
import { knownRegions, zonesOf } from "./regions";
import { SsmParameterBackend } from "./ssm-parameter-backend";
import { CLUSTER_TAG } from "./tags";
import { UbuntuMachineImage } from "./ubuntu-machine-image";

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Builds clusters on AWS. */
export class AwsCloud implements CloudProvider {
  readonly name = "aws";
  validateDefinition(definition: ClusterDefinition): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const zones = zonesOf(definition.region);
    if (!zones) {
      problems.push({ path: ["region"], message: `"${definition.region}" is not an AWS region kubeplane knows; known: ${knownRegions().join(", ")}` });
    } else if (Array.isArray(definition.network.azs)) {
      definition.network.azs.forEach((zone, i) => {
        if (!zones.includes(zone)) problems.push({ path: ["network", "azs", i], message: `"${zone}" is not a zone of ${definition.region}; its zones: ${zones.join(", ")}` });
      });
      const seen = new Set<string>();
      definition.network.azs.forEach((zone, i) => {
        if (seen.has(zone)) problems.push({ path: ["network", "azs", i], message: `"${zone}" is listed twice` });
        seen.add(zone);
      });
    } else if (definition.network.azs > zones.length) {
      problems.push({ path: ["network", "azs"], message: `${definition.region} has ${zones.length} availability zones (${zones.join(", ")}); asked for ${definition.network.azs}` });
    }
    for (const path of [["controlPlane", "instanceType"], ["workers", "instanceType"]] as const) {
      const value = definition[path[0]].instanceType;
      if (!INSTANCE_TYPE.test(value)) problems.push({ path: [...path], message: `"${value}" is not an EC2 instance type like t3.medium` });
    }
    if (definition.state.backend === "s3" && definition.state.region && !zonesOf(definition.state.region)) {
      problems.push({ path: ["state", "region"], message: `"${definition.state.region}" is not an AWS region kubeplane knows` });
    }
    return problems;
  }

  zonesFor(definition: ClusterDefinition): string[] {
    if (Array.isArray(definition.network.azs)) return [...definition.network.azs];
    const zones = zonesOf(definition.region);
    if (!zones) throw new Error(`region: unknown AWS region "${definition.region}"`);
    return zones.slice(0, definition.network.azs);
  }

  configureStack(stack: TerraformStack, definition: ClusterDefinition): void {
    new AwsProvider(stack, "aws", {
      region: definition.region,
      defaultTags: [{ tags: { ...definition.tags, [CLUSTER_TAG]: definition.name } }],
    });
  }

  createNetwork(scope: Construct, id: string, props: NetworkProps) {
    return new AwsNetwork(scope, id, props);
  }
  createFirewall(scope: Construct, id: string, props: ClusterFirewallProps) {
    return new AwsFirewall(scope, id, props);
  }
  createNodeIdentities(scope: Construct, id: string, props: NodeIdentitiesProps) {
    return new AwsNodeIdentities(scope, id, props);
  }
  createParameterBackend(scope: Construct, id: string, props: ParameterBackendProps) {
    return new SsmParameterBackend(scope, id, props);
  }
  createMachineImage(scope: Construct, id: string, props: MachineImageProps) {
    return new UbuntuMachineImage(scope, id, props);
  }
  createApiLoadBalancer(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    return new AwsApiLoadBalancer(scope, id, props);
  }
  createControlPlane(scope: Construct, id: string, props: ControlPlaneProps) {
    return new AwsControlPlane(scope, id, props);
  }
  createWorkerPool(scope: Construct, id: string, props: WorkerPoolProps) {
    return new AwsWorkerPool(scope, id, props);
  }
  createBastion(scope: Construct, id: string, props: BastionProps) {
    return new AwsBastion(scope, id, props);
  }
}
