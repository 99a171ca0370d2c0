/**
 * The internal passthrough Network Load Balancer in front of an HA control plane's API
 * (https://cloud.google.com/load-balancing/docs/internal): a regional backend service over one
 * unmanaged instance group per zone (the control-plane nodes of that zone), a regional HTTPS
 * health check of the API server's `/readyz` (anonymous on kubeadm's API servers: the
 * system:public-info-viewer role), and an internal forwarding rule on the API port in the nodes'
 * subnet. Passthrough: the nodes see their clients' addresses, which the firewall's API rule
 * admits; Google's health checkers have a rule of their own (gcp-firewall.ts).
 *
 * An internet-facing balancer (`controlPlane.publicApi`) is not built for GCP: GcpCloud refuses
 * the definition that asks for one.
 */
import { ComputeForwardingRule } from "@cdktf/provider-google/lib/compute-forwarding-rule";
import { ComputeInstanceGroup } from "@cdktf/provider-google/lib/compute-instance-group";
import { ComputeRegionBackendService } from "@cdktf/provider-google/lib/compute-region-backend-service";
import { ComputeRegionHealthCheck } from "@cdktf/provider-google/lib/compute-region-health-check";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { ApiLoadBalancer, ApiLoadBalancerProps } from "../load-balancer";
import { gcpResourcePrefix } from "./gcp-labels";

/** See the file's comment. */
export class GcpApiLoadBalancer extends Construct implements ApiLoadBalancer {
  /** The forwarding rule's internal address (the API DNS name's A record). */
  readonly dnsName: string;
  readonly isPublic = false;
  private readonly members = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    const where = `GcpApiLoadBalancer ${this.node.path}`;
    if (props.public) throw new Error(`${where}: public: an internet-facing API load balancer is not built for GCP`);
    if (props.allowedCidrs !== undefined) throw new Error(`${where}: allowedCidrs is only for a public balancer`);
    if (props.deletionProtection) throw new Error(`${where}: deletionProtection: GCP forwarding rules have no deletion protection`);
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`${where}: port must be 1 to 65535, got ${props.port}`);
    const placement = props.network.nodePlacements[0];
    if (!placement) throw new Error(`${where}: network has no node placements`);
    const prefix = gcpResourcePrefix(props.clusterName);
    const healthCheck = new ComputeRegionHealthCheck(this, "health-check", {
      name: `${prefix}-api`,
      description: `kubeplane ${props.clusterName}: the API server's readiness`,
      checkIntervalSec: 5,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      httpsHealthCheck: { port: props.port, requestPath: "/readyz" },
    });
    const groups = props.network.zones.map((zone) => {
      const members: string[] = [];
      this.members.set(zone, members);
      return new ComputeInstanceGroup(this, `group-${zone}`, {
        name: `${prefix}-api-${zone}`,
        description: `kubeplane ${props.clusterName}: the control-plane nodes in ${zone}`,
        zone,
        network: props.network.networkId,
        instances: Lazy.listValue({ produce: () => members }),
      });
    });
    const backend = new ComputeRegionBackendService(this, "backend", {
      name: `${prefix}-api`,
      description: `kubeplane ${props.clusterName}: the control-plane nodes' API servers`,
      loadBalancingScheme: "INTERNAL",
      protocol: "TCP",
      healthChecks: [healthCheck.id],
      backend: groups.map((g) => ({ group: g.id, balancingMode: "CONNECTION" })),
    });
    const rule = new ComputeForwardingRule(this, "forwarding-rule", {
      name: `${prefix}-api`,
      description: `kubeplane ${props.clusterName}: the Kubernetes API inside the network`,
      loadBalancingScheme: "INTERNAL",
      ipProtocol: "TCP",
      ports: [String(props.port)],
      network: props.network.networkId,
      subnetwork: placement.subnetId,
      backendService: backend.id,
    });
    this.dnsName = rule.ipAddress;
  }

  /** Not enough on GCP: a target's zone picks its instance group (GcpControlPlane calls addZonalTarget). */
  addTarget(id: string, _instanceId: string): void {
    throw new Error(`GcpApiLoadBalancer ${this.node.path}: addTarget(${id}): a GCP target needs its zone; register it with addZonalTarget`);
  }

  /** Registers a control-plane instance (its self link) in its zone's group. */
  addZonalTarget(zone: string, instanceSelfLink: string): void {
    const members = this.members.get(zone);
    if (!members) throw new Error(`GcpApiLoadBalancer ${this.node.path}: zone "${zone}" is not a zone of the network (${[...this.members.keys()].join(", ")})`);
    members.push(instanceSelfLink);
  }
}
