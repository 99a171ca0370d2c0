/**
 * The AWS rule pack: every rule kubeplane holds an AWS cluster's Terraform to. The engine that runs
 * them (the pack, the stack view, the Rule type) is cloud-neutral and lives in rules/; a cloud
 * brings its own rules (`CloudProvider.rules`).
 */
import type { Rule } from "../../../rules/rule";
import { apiLoadBalancerDeletionProtection } from "./api-load-balancer-deletion-protection";
import { defaultSecurityGroupClosed } from "./default-security-group-closed";
import { encryptedVolumes } from "./encrypted-volumes";
import { imdsv2Required } from "./imdsv2-required";
import { internalApiLoadBalancer } from "./internal-api-load-balancer";
import { kmsKeyPolicy } from "./kms-key-policy";
import { noIamWildcards } from "./no-iam-wildcards";
import { noJoinTokenInParameters } from "./no-join-token-in-parameters";
import { noPublicIpOnNodes } from "./no-public-ip-on-nodes";
import { noSecretsInUserData } from "./no-secrets-in-user-data";
import { noSshFromWorld } from "./no-ssh-from-world";
import { noWorldEgressAllPorts } from "./no-world-egress-all-ports";
import { noWorldIngress } from "./no-world-ingress";
import { onlyControlPlaneWritesClusterPath } from "./only-control-plane-writes-cluster-path";
import { s3BucketEncrypted } from "./s3-bucket-encrypted";
import { s3BucketPublicAccessBlocked } from "./s3-bucket-public-access-blocked";
import { s3BucketVersioned } from "./s3-bucket-versioned";
import { vpcFlowLogs } from "./vpc-flow-logs";
import { workerReadsOnlyJoinParameter } from "./worker-reads-only-join-parameter";

/** Every AWS rule, in the order findings are listed. */
export const AWS_RULES: readonly Rule[] = [
  imdsv2Required,
  encryptedVolumes,
  noSshFromWorld,
  noWorldIngress,
  internalApiLoadBalancer,
  noPublicIpOnNodes,
  noIamWildcards,
  workerReadsOnlyJoinParameter,
  onlyControlPlaneWritesClusterPath,
  noJoinTokenInParameters,
  noSecretsInUserData,
  s3BucketVersioned,
  s3BucketEncrypted,
  s3BucketPublicAccessBlocked,
  vpcFlowLogs,
  defaultSecurityGroupClosed,
  noWorldEgressAllPorts,
  kmsKeyPolicy,
  apiLoadBalancerDeletionProtection,
];
