/**
 * A network load balancer on the API port: internal (in the private subnets) for an HA control
 * plane, or internet-facing (in the public subnets) as the additional way in of a public API, with
 * its own security group admitting only the allow-list. Client IPs are not preserved, so a
 * control-plane node can reach the API through the balancer even when the balancer picks that
 * node itself, and the nodes' groups see the balancer's addresses inside the VPC.
 * Targets are health-checked with HTTPS `GET /readyz`: an API server that accepts connections but
 * is not ready gets no traffic.
 * A balancer without targets is an endpoint nothing answers on: synthesis fails unless at least
 * one node was registered with `addTarget` (checked at synthesis, when registration is over).
 */
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup, LbTargetGroupHealthCheck } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { parseCidr } from "../../definition/cidr";
import type { ApiLoadBalancer, ApiLoadBalancerProps } from "../load-balancer";
import { AWS_CLUSTER_NAME_MAX_LENGTH, AWS_LOAD_BALANCER_NAME_MAX_LENGTH } from "./aws-definition-limits";

/**
 * The API servers' health check: HTTPS `GET /readyz` on the API port, healthy on 200 only
 * (kube-apiserver answers 500 while a readiness check fails).
 *
 * Anonymous requests may read /readyz on a kubeadm cluster: kubeadm keeps anonymous auth on for
 * the API server, and the default ClusterRole `system:public-info-viewer` (bound to
 * system:unauthenticated) grants GET on /healthz, /livez, /readyz and /version
 * (kubernetes/kubernetes, plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go,
 * ClusterRoles(): "system:public-info-viewer"). The balancer does not verify the API server's
 * certificate (AWS does not validate health-check certificates).
 *
 * NLB limits (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html,
 * and the provider's aws_lb_target_group docs): interval 5-300 s; timeout 2-120 s (kept below the
 * interval); healthy/unhealthy thresholds 2-10; for HTTP/HTTPS checks of a TCP target group the
 * matcher is a code or range within 200-599, and a path is required.
 */
export const API_HEALTH_CHECK = { protocol: "HTTPS", path: "/readyz", matcher: "200", interval: 10, timeout: 6, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/** See ApiLoadBalancerProps. */
export class AwsApiLoadBalancer extends Construct implements ApiLoadBalancer {
  readonly dnsName: string;
  /** The balancer's Route53 hosted zone id (what an alias record names). */
  readonly zoneId: string;
  readonly isPublic: boolean;
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  /** The public balancer's own group (only the allow-list on the API port); undefined for an internal one. */
  readonly publicGroup?: SecurityGroup;
  private targets = 0;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    if (props.clusterName.length > AWS_CLUSTER_NAME_MAX_LENGTH) {
      throw new Error(`AwsApiLoadBalancer: clusterName must be at most ${AWS_CLUSTER_NAME_MAX_LENGTH} characters (load balancer names are ${AWS_LOAD_BALANCER_NAME_MAX_LENGTH}), got ${props.clusterName.length}`);
    }
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`AwsApiLoadBalancer: port must be a TCP port (1 to 65535), got ${props.port}`);
    this.isPublic = props.public ?? false;
    const extraGroups = props.firewallGroupIds ?? [];
    const allowedCidrs = props.allowedCidrs ?? [];
    if (!this.isPublic && extraGroups.length === 0) throw new Error("AwsApiLoadBalancer: firewallGroupIds must name at least one security group");
    if (!this.isPublic && props.allowedCidrs !== undefined) throw new Error("AwsApiLoadBalancer: allowedCidrs is only for a public balancer (public: true)");
    if (this.isPublic && allowedCidrs.length === 0) throw new Error("AwsApiLoadBalancer: allowedCidrs must name at least one CIDR for a public balancer (controlPlane.publicApi.allowedCidrs)");
    for (const cidr of allowedCidrs) {
      const parsed = parseCidr(cidr);
      if (typeof parsed === "string") throw new Error(`AwsApiLoadBalancer: allowedCidrs entry "${cidr}" ${parsed}`);
    }
    this.node.addValidation({
      validate: () => (this.targets === 0 ? ["AwsApiLoadBalancer: no target registered (addTarget was never called): the API endpoint would answer nowhere"] : []),
    });
    // Names are at most 32 characters: the cluster's (AWS_CLUSTER_NAME_MAX_LENGTH, 28) and a 4-character suffix.
    const name = `${props.clusterName}-${this.isPublic ? "pub" : "api"}`;
    if (this.isPublic) {
      this.publicGroup = new SecurityGroup(this, "public-api", {
        name: `kubeplane-${props.clusterName}-api-lb-public`,
        description: `kubeplane ${props.clusterName}: internet-facing Kubernetes API load balancer (allow-list only)`,
        vpcId: props.network.networkId,
        ingress: [{ description: "Kubernetes API from controlPlane.publicApi.allowedCidrs", protocol: "tcp", fromPort: props.port, toPort: props.port, cidrBlocks: [...allowedCidrs], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false }],
        egress: [{ description: "Kubernetes API of the control-plane nodes (targets and health checks)", protocol: "tcp", fromPort: props.port, toPort: props.port, cidrBlocks: [props.network.cidr], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false }],
        tags: { Name: `${props.clusterName}-api-lb-public` },
      });
    }
    this.loadBalancer = new Lb(this, "nlb", {
      name,
      loadBalancerType: "network",
      internal: !this.isPublic,
      subnets: (this.isPublic ? props.network.publicPlacements : props.network.nodePlacements).map((p) => p.subnetId),
      securityGroups: [...(this.publicGroup ? [this.publicGroup.id] : []), ...extraGroups],
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: props.deletionProtection ?? false,
    });
    this.dnsName = this.loadBalancer.dnsName;
    this.zoneId = this.loadBalancer.zoneId;
    const healthCheck: LbTargetGroupHealthCheck = { ...API_HEALTH_CHECK, port: String(props.port) };
    this.targetGroup = new LbTargetGroup(this, "api-servers", {
      name,
      port: props.port,
      protocol: "TCP",
      vpcId: props.network.networkId,
      targetType: "instance",
      preserveClientIp: "false",
      healthCheck,
    });
    new LbListener(this, "api", {
      loadBalancerArn: this.loadBalancer.arn,
      port: props.port,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
    });
  }

  addTarget(id: string, instanceId: string): void {
    this.targets += 1;
    new LbTargetGroupAttachment(this, `target-${id}`, { targetGroupArn: this.targetGroup.arn, targetId: instanceId });
  }
}

/** The AWS balancer behind a cloud-neutral one, or an error naming `where`. */
export function asAwsLoadBalancer(loadBalancer: ApiLoadBalancer, where: string): AwsApiLoadBalancer {
  if (!(loadBalancer instanceof AwsApiLoadBalancer)) throw new Error(`${where}: must be an AWS API load balancer (from AwsCloud.createApiLoadBalancer)`);
  return loadBalancer;
}
