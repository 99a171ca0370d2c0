/** AWS: the first CloudProvider. Each building block is a construct in this folder. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { type ClusterDefinition, type FieldProblem, type NeutralDefinition } from "../../definition";
import { didYouMean } from "../../definition/issue-messages";
import type { CloudProvider } from "../cloud-provider";
import type { BastionProps } from "../bastion";
import type { ClusterFirewallProps } from "../firewall";
import type { ApiDnsNameProps } from "../api-dns-name";
import type { ApiLoadBalancerProps } from "../load-balancer";
import type { ControlPlaneProps } from "../control-plane";
import type { MachineImageProps } from "../machine-image";
import type { NetworkProps } from "../network";
import type { NodeIdentitiesProps } from "../node-identity";
import type { OperatorAccessProps } from "../operator-access";
import type { BackupStoreProps } from "../backup-store";
import { AwsBackupBucket } from "./aws-backup-bucket";
import type { ParameterBackendProps } from "../parameter-backend";
import type { StateStoreProps } from "../state-store";
import type { WorkerPoolProps } from "../worker-pool";
import { AwsApiDnsName } from "./aws-api-dns-name";
import { AwsApiLoadBalancer } from "./aws-api-load-balancer";
import { AwsBastion } from "./aws-bastion";
import { AwsControlPlane } from "./aws-control-plane";
import { AWS_DEFINITION_DEFAULTS, awsBlockOf, awsDefinitionProblems, migrateAwsDefinition } from "./aws-definition";
import { AwsFirewall } from "./aws-firewall";
import { AwsNetwork } from "./aws-network";
import { AwsNodeIdentities } from "./aws-node-identities";
import { AwsOperatorAccess } from "./aws-operator-access";
import { AwsStateBucket } from "./aws-state-bucket";
import { AwsWorkerPool } from "./aws-worker-pool";
import { AwsNodeBundle } from "./aws-node-bundle";
import type { NodeBundleProps } from "../node-bundle";
import { Ec2InstanceType, EC2_INSTANCE_TYPES, INSTANCE_FAMILIES, KUBEADM_CONTROL_PLANE_MINIMUM, meetsControlPlaneMinimum } from "./instance-types";
import { knownRegions, zonesOf } from "./regions";
import { AWS_RULES } from "./rules";
import { configureS3State } from "./s3-remote-state";
import { SecretsManagerRuntimeSecrets } from "./secrets-manager-runtime-secrets";
import { SsmRuntimeParameters } from "./ssm-runtime-parameters";
import { AwsTaggedResources } from "./tagged-resources";
import { SecretsManagerParameterBackend } from "./secrets-manager-parameter-backend";
import { SsmParameterBackend } from "./ssm-parameter-backend";
import { CLUSTER_TAG } from "./tags";
import { UbuntuMachineImage } from "./ubuntu-machine-image";

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The smallest type of a family (fewest vCPUs, then least memory) that meets kubeadm's control-plane minimum. */
function smallestControlPlaneOf(family: string): string | undefined {
  return Object.entries(EC2_INSTANCE_TYPES)
    .filter(([name, type]) => name.startsWith(`${family}.`) && meetsControlPlaneMinimum(type))
    .sort(([, a], [, b]) => a.vcpus - b.vcpus || a.memoryMib - b.memoryMib)[0]?.[0];
}

/** An x86_64 type like an arm64 one: the Intel family of the same generation and size (m7g.large: m7i.large). */
function x86Counterpart(name: string): string {
  const [family, size] = name.split(".");
  const intel = family === "t4g" ? "t3" : family.replace(/g$/, "i");
  return EC2_INSTANCE_TYPES[`${intel}.${size}`] ? `${intel}.${size}` : `${intel}.large`;
}

/** What is wrong with an instance type for a role, or undefined when it will do. */
function instanceTypeProblem(name: string, controlPlane: boolean): string | undefined {
  if (!INSTANCE_TYPE.test(name)) return `"${name}" is not an EC2 instance type like t3.medium`;
  const type: Ec2InstanceType | undefined = EC2_INSTANCE_TYPES[name];
  if (!type) {
    return `"${name}" is not an EC2 instance type kubeplane knows${didYouMean(name, Object.keys(EC2_INSTANCE_TYPES))}; known families: ${INSTANCE_FAMILIES.join(", ")}`;
  }
  if (type.architecture !== "x86_64") {
    return `"${name}" is an arm64 (Graviton) type; kubeplane's nodes boot Ubuntu's amd64 image: choose an x86_64 type such as ${x86Counterpart(name)}`;
  }
  if (controlPlane && !meetsControlPlaneMinimum(type)) {
    const family = name.split(".")[0];
    const smallest = smallestControlPlaneOf(family);
    return (
      `"${name}" has ${plural(type.vcpus, "vCPU")} and ${type.memoryMib} MiB of memory; kubeadm refuses a control-plane node with fewer than ` +
      `${KUBEADM_CONTROL_PLANE_MINIMUM.vcpus} vCPUs or less than ${KUBEADM_CONTROL_PLANE_MINIMUM.memoryMib} MB of memory` +
      (smallest ? ` (${smallest} is the smallest ${family} that passes)` : "")
    );
  }
  return undefined;
}

/** Builds clusters on AWS. */
export class AwsCloud implements CloudProvider {
  readonly name = "aws";
  readonly rules = AWS_RULES;
  readonly definitionDefaults = AWS_DEFINITION_DEFAULTS;

  migrateDefinition(definition: NeutralDefinition) {
    return migrateAwsDefinition(definition);
  }

  validateDefinition(definition: ClusterDefinition): FieldProblem[] {
    // AWS's limits on the neutral fields and the AWS block; then regions, zones and instance types.
    const problems: FieldProblem[] = awsDefinitionProblems(definition);
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
    // Control-plane nodes must meet kubeadm's preflight minimum; workers need only a known type.
    const controlPlaneType = instanceTypeProblem(definition.controlPlane.instanceType, true);
    if (controlPlaneType) problems.push({ path: ["controlPlane", "instanceType"], message: controlPlaneType });
    for (const pool of definition.workerPools) {
      pool.instanceTypes.forEach((type, i) => {
        const message = instanceTypeProblem(type, false);
        if (message) problems.push({ path: [...pool.instanceTypePaths[i]], message });
      });
    }
    // Another cloud's stores (GCP's: gcp-secret-manager, gcs) are refused by name.
    if (definition.joinTokens.backend === "gcp-secret-manager") {
      problems.push({ path: ["joinTokens", "backend"], message: '"gcp-secret-manager" is GCP\'s store; on AWS the join lease lives in "ssm" (the default) or "secretsmanager"' });
    }
    if (definition.state.backend === "gcs") problems.push({ path: ["state", "backend"], message: 'GCS is GCP\'s; on AWS keep remote state in S3: "state: { backend: s3, bucket: <bucket> }"' });
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

  configureRemoteState(stack: TerraformStack, definition: ClusterDefinition, stackName: string): void {
    configureS3State(stack, definition, stackName);
  }

  runtimeData(definition: ClusterDefinition) {
    // Where the nodes wrote depends on the cluster's join-lease store.
    return definition.joinTokens.backend === "secretsmanager"
      ? new SecretsManagerRuntimeSecrets(definition.name, definition.region)
      : new SsmRuntimeParameters(definition.name, definition.region);
  }

  clusterResources(definition: ClusterDefinition) {
    return new AwsTaggedResources(definition.name, definition.region);
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
    switch (props.kind ?? "ssm") {
      case "ssm":
        return new SsmParameterBackend(scope, id, props);
      case "secretsmanager":
        return new SecretsManagerParameterBackend(scope, id, props);
      default:
        throw new Error(`AwsCloud: parameter backend kind "${props.kind}" is not one AWS offers (ssm, secretsmanager)`);
    }
  }
  createMachineImage(scope: Construct, id: string, props: MachineImageProps) {
    // The definition's AWS block may name an AMI (aws.ami); otherwise Canonical's Ubuntu LTS.
    return new UbuntuMachineImage(scope, id, { imageId: awsBlockOf(props.cloudBlock).ami });
  }
  createApiLoadBalancer(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    return new AwsApiLoadBalancer(scope, id, props);
  }
  createApiDnsName(scope: Construct, id: string, props: ApiDnsNameProps) {
    return new AwsApiDnsName(scope, id, props);
  }
  createControlPlane(scope: Construct, id: string, props: ControlPlaneProps) {
    return new AwsControlPlane(scope, id, props);
  }
  createWorkerPool(scope: Construct, id: string, props: WorkerPoolProps) {
    return new AwsWorkerPool(scope, id, props);
  }
  createNodeBundle(scope: Construct, id: string, props: NodeBundleProps) {
    return new AwsNodeBundle(scope, id, props);
  }
  createBastion(scope: Construct, id: string, props: BastionProps) {
    return new AwsBastion(scope, id, props);
  }
  createOperatorAccess(scope: Construct, id: string, props: OperatorAccessProps) {
    return new AwsOperatorAccess(scope, id, props);
  }
  createBackupStore(scope: Construct, id: string, props: BackupStoreProps) {
    return new AwsBackupBucket(scope, id, props);
  }
  createStateStore(scope: Construct, id: string, props: StateStoreProps) {
    return new AwsStateBucket(scope, id, props);
  }
}
