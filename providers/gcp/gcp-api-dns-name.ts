/**
 * The API's stable name on GCP: a Cloud DNS private zone `<cluster>.<privateDnsZone>.` visible in
 * the cluster's network only (https://cloud.google.com/dns/docs/zones#create-private-zone), with
 * an A record `api` for the internal balancer's address or the single control-plane node's.
 */
import { DnsManagedZone } from "@cdktf/provider-google/lib/dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { Construct } from "constructs";
import { apiFqdn, type ApiDnsName, type ApiDnsNameProps, type ApiDnsTarget } from "../api-dns-name";
import { gcpResourcePrefix } from "./gcp-labels";

/** The A record's time to live, in seconds: a replaced node or balancer is found within a minute. */
export const API_RECORD_TTL_SECONDS = 60;

/** See the file's comment. */
export class GcpApiDnsName extends Construct implements ApiDnsName {
  readonly fqdn: string;
  private readonly zone: DnsManagedZone;
  private pointed = false;

  constructor(scope: Construct, id: string, props: ApiDnsNameProps) {
    super(scope, id);
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.clusterName)) throw new Error(`GcpApiDnsName ${this.node.path}: clusterName "${props.clusterName}" is not a DNS label`);
    this.fqdn = apiFqdn(props.clusterName, props.zoneSuffix);
    this.zone = new DnsManagedZone(this, "zone", {
      name: `${gcpResourcePrefix(props.clusterName)}-api`,
      dnsName: `${props.clusterName}.${props.zoneSuffix}.`,
      description: `kubeplane ${props.clusterName}: the API's private name`,
      visibility: "private",
      privateVisibilityConfig: { networks: [{ networkUrl: props.network.networkId }] },
    });
  }

  pointAt(target: ApiDnsTarget): void {
    if (this.pointed) throw new Error(`GcpApiDnsName ${this.node.path}: pointAt was called twice`);
    this.pointed = true;
    if ("loadBalancer" in target && target.loadBalancer.isPublic) throw new Error(`GcpApiDnsName ${this.node.path}: an internet-facing balancer is never the nodes' endpoint`);
    new DnsRecordSet(this, "api", {
      managedZone: this.zone.name,
      name: `${this.fqdn}.`,
      type: "A",
      ttl: API_RECORD_TTL_SECONDS,
      rrdatas: ["loadBalancer" in target ? target.loadBalancer.dnsName : target.address],
    });
  }
}
