/**
 * An internal network load balancer on the API port (internet-facing only on opt-in, with an
 * allow-list enforced by its security group). Client IPs are not preserved, so a control-plane
 * node can reach the API through the balancer even when the balancer picks that node itself.
 * A balancer without targets is an endpoint nothing answers on: synthesis fails unless at least
 * one node was registered with `addTarget` (checked at synthesis, when registration is over).
 */
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { Construct } from "constructs";
import type { ApiLoadBalancer, ApiLoadBalancerProps } from "../load-balancer";

/** See ApiLoadBalancerProps. */
export class AwsApiLoadBalancer extends Construct implements ApiLoadBalancer {
  readonly dnsName: string;
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  private targets = 0;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    if (props.clusterName.length > 28) throw new Error(`AwsApiLoadBalancer: clusterName must be at most 28 characters (load balancer names are 32), got ${props.clusterName.length}`);
    if (props.firewallGroupIds.length === 0) throw new Error("AwsApiLoadBalancer: firewallGroupIds must name at least one security group");
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`AwsApiLoadBalancer: port must be a TCP port (1 to 65535), got ${props.port}`);
    this.node.addValidation({
      validate: () => (this.targets === 0 ? ["AwsApiLoadBalancer: no target registered (addTarget was never called): the API endpoint would answer nowhere"] : []),
    });
    const isPublic = props.public ?? false;
    this.loadBalancer = new Lb(this, "nlb", {
      name: `${props.clusterName}-api`,
      loadBalancerType: "network",
      internal: !isPublic,
      subnets: [...(isPublic ? props.network.publicSubnetIds : props.network.privateSubnetIds)],
      securityGroups: [...props.firewallGroupIds],
      enableCrossZoneLoadBalancing: true,
    });
    this.dnsName = this.loadBalancer.dnsName;
    this.targetGroup = new LbTargetGroup(this, "api-servers", {
      name: `${props.clusterName}-api`,
      port: props.port,
      protocol: "TCP",
      vpcId: props.network.networkId,
      targetType: "instance",
      preserveClientIp: "false",
      healthCheck: { protocol: "TCP", port: String(props.port), healthyThreshold: 2, unhealthyThreshold: 2, interval: 10 },
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
