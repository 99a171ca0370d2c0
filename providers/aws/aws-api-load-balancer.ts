/**
 * An internal network load balancer on the API port (internet-facing only on opt-in, with an
 * allow-list enforced by its security group). Client IPs are not preserved, so a control-plane
 * node can reach the API through the balancer even when the balancer picks that node itself.
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

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    if (props.clusterName.length > 28) throw new Error(`AwsApiLoadBalancer: clusterName must be at most 28 characters (load balancer names are 32), got ${props.clusterName.length}`);
    if (props.firewallGroupIds.length === 0) throw new Error("AwsApiLoadBalancer: firewallGroupIds must name at least one security group");
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
    new LbTargetGroupAttachment(this, `target-${id}`, { targetGroupArn: this.targetGroup.arn, targetId: instanceId });
  }
}
