/**
 * The API's private DNS name on AWS: a Route53 private hosted zone `<cluster>.<zoneSuffix>`
 * associated with the cluster's VPC only (its resolver answers for it; the VPC has DNS support
 * and DNS hostnames, which private zones need), and the record `api.<cluster>.<zoneSuffix>`:
 * an alias to the internal API load balancer, or an A record to a node's private address, which
 * Terraform updates when that node is replaced.
 */
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";
import { ApiDnsName, ApiDnsNameProps, ApiDnsTarget, apiFqdn } from "../api-dns-name";
import { asAwsLoadBalancer } from "./aws-api-load-balancer";

/** A DNS label: letters, digits and '-', not at either end, at most 63 characters. */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why `name` is not a DNS name of lower-case labels (at most `max` characters), or undefined. */
export function dnsNameProblem(name: string, max = 253): string | undefined {
  if (name.length > max) return `is ${name.length} characters, more than ${max}`;
  const labels = name.split(".");
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return `has the label "${bad}", which is not a DNS label (lower-case letters, digits and '-', not at either end, 1 to 63 characters)`;
  return undefined;
}

/** Time to live of the A record to a node: short, so that a replaced node is found again quickly. */
export const NODE_RECORD_TTL_SECONDS = 60;

/** See ApiDnsNameProps. */
export class AwsApiDnsName extends Construct implements ApiDnsName {
  readonly fqdn: string;
  readonly zone: Route53Zone;
  record?: Route53Record;

  constructor(scope: Construct, id: string, props: ApiDnsNameProps) {
    super(scope, id);
    const clusterProblem = dnsNameProblem(props.clusterName, 63);
    if (clusterProblem || props.clusterName.includes(".")) throw new Error(`AwsApiDnsName: clusterName "${props.clusterName}" must be one DNS label: it ${clusterProblem ?? "has dots"}`);
    const zoneName = `${props.clusterName}.${props.zoneSuffix}`;
    this.fqdn = apiFqdn(props.clusterName, props.zoneSuffix);
    // The record's name is the longest: it must fit DNS's 253 characters.
    const suffixProblem = dnsNameProblem(props.zoneSuffix) ?? (this.fqdn.length > 253 ? `makes the API name ${this.fqdn.length} characters, more than DNS's 253` : undefined);
    if (suffixProblem) throw new Error(`AwsApiDnsName: zoneSuffix "${props.zoneSuffix}" ${suffixProblem}`);
    this.node.addValidation({ validate: () => (this.record ? [] : ["AwsApiDnsName: pointAt was never called: the API name would resolve to nothing"]) });
    this.zone = new Route53Zone(this, "zone", {
      name: zoneName,
      comment: `kubeplane ${props.clusterName}: the Kubernetes API's private name`,
      vpc: [{ vpcId: props.network.networkId }],
    });
  }

  pointAt(target: ApiDnsTarget): void {
    if (this.record) throw new Error("AwsApiDnsName: pointAt was already called: the API name points at one target");
    if ("loadBalancer" in target) {
      const lb = asAwsLoadBalancer(target.loadBalancer, "AwsApiDnsName: pointAt loadBalancer");
      if (lb.isPublic) throw new Error("AwsApiDnsName: pointAt loadBalancer must be internal: nodes in private subnets would reach an internet-facing one through NAT, from an address its allow-list does not name");
      // The balancer fails open when no target is healthy, so the record need not evaluate health.
      this.record = new Route53Record(this, "api", {
        zoneId: this.zone.zoneId,
        name: this.fqdn,
        type: "A",
        alias: { name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: false },
      });
    } else {
      if (!target.address) throw new Error("AwsApiDnsName: pointAt address must not be empty");
      this.record = new Route53Record(this, "api", {
        zoneId: this.zone.zoneId,
        name: this.fqdn,
        type: "A",
        ttl: NODE_RECORD_TTL_SECONDS,
        records: [target.address],
      });
    }
  }
}
