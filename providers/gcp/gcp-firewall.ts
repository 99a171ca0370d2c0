/**
 * VPC firewall rules that open exactly what AwsFirewall opens between the same roles. A "group"
 * on GCP is a network tag: every node carries `kp-<cluster>-nodes` and its role's tag, and each
 * rule names its targets and sources by tag (or by range), so the rules are the security groups'.
 *
 * Ingress (GCP's implied rule denies the rest, https://cloud.google.com/firewall/docs/firewalls#default_firewall_rules):
 * - nodes: kubelet and the CNI's ports (`cniPorts`: Calico's by default) from every node;
 * - control-plane: the API from inside the network, etcd and the controller/scheduler ports
 *   from control-plane nodes;
 * - workers: NodePorts and kube-proxy health from inside the network;
 * - Google's health-check probers (35.191.0.0/16 and 130.211.0.0/22,
 *   https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges) only where a
 *   health check probes: the API port of an HA control plane (its internal balancer) and
 *   kube-proxy's health port on workers (the pools' autohealing);
 * - Identity-Aware Proxy's TCP forwarding range (35.235.240.0/20,
 *   https://cloud.google.com/iap/docs/using-tcp-forwarding#create-firewall-rule), Session
 *   Manager's counterpart: SSH (OS Login) and the API port on control-plane nodes (kubeplane's
 *   operator commands and tunnel), SSH on the bastion. Nothing from anywhere else.
 * An internal passthrough balancer has no firewall of its own: packets reach the control plane
 * with their clients' addresses, which the API rule admits (the inside of the network).
 *
 * Egress: a low-priority deny of everything for the cluster's tags (GCP's implied rule allows all
 * egress), then: anything into the network; HTTPS and HTTP to the internet for nodes and the
 * bastion (registries, pkgs.k8s.io, Google APIs, Ubuntu's archives); the definition's
 * `extraEgress` for nodes. The metadata server (DNS, the nodes' tokens) is always reachable
 * (https://cloud.google.com/firewall/docs/firewalls#alwaysallowed).
 */
import { ComputeFirewall, ComputeFirewallAllow } from "@cdktf/provider-google/lib/compute-firewall";
import { Construct } from "constructs";
import { CALICO_NODE_PORTS } from "../../bootstrap/installers/kubeadm";
import { parseCidr } from "../../definition/cidr";
import type { ClusterFirewall, ClusterFirewallProps } from "../firewall";
import { ETCD_PORTS, KUBE_CONTROLLER_MANAGER_PORT, KUBE_SCHEDULER_PORT, KUBELET_API_PORT, NODE_PORTS } from "../well-known-ports";
import { gcpResourcePrefix } from "./gcp-labels";

/** Google's health-check probers (see the file's comment). */
export const GOOGLE_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;
/** Identity-Aware Proxy's TCP forwarding range (see the file's comment). */
export const IAP_TCP_FORWARDING_RANGE = "35.235.240.0/20";
/** kube-proxy's health port (`--healthz-bind-address`, 0.0.0.0:10256 by default), which the workers' autohealing probes. */
export const KUBE_PROXY_HEALTH_PORT = 10256;
/** What the SSH of OS Login listens on. */
const SSH_PORT = 22;

/** The network tags of a cluster's roles. */
export function gcpNetworkTags(clusterName: string) {
  const prefix = gcpResourcePrefix(clusterName);
  return { nodes: `${prefix}-nodes`, controlPlane: `${prefix}-control-plane`, workers: `${prefix}-workers`, bastion: `${prefix}-bastion` } as const;
}

/** A tcp/udp range or a portless protocol as GCP's `allow` takes it. */
function allow(protocol: string, fromPort?: number, toPort?: number): ComputeFirewallAllow {
  if (fromPort === undefined || (fromPort === 0 && toPort === 0)) return { protocol };
  return { protocol, ports: [fromPort === toPort ? String(fromPort) : `${fromPort}-${toPort}`] };
}

/** See the file's comment. */
export class GcpFirewall extends Construct implements ClusterFirewall {
  readonly controlPlaneGroupIds: readonly string[];
  readonly workerGroupIds: readonly string[];
  readonly loadBalancerGroupIds: readonly string[] = [];
  readonly bastionGroupIds: readonly string[];

  constructor(scope: Construct, id: string, props: ClusterFirewallProps) {
    super(scope, id);
    const where = `GcpFirewall ${this.node.path}`;
    const { clusterName: name, apiServerPort: api } = props;
    if (!name) throw new Error(`${where}: clusterName is empty`);
    if (!Number.isInteger(api) || api < 1 || api > 65535) throw new Error(`${where}: apiServerPort must be a port number, got ${api}`);
    const cniPorts = props.cniPorts ?? CALICO_NODE_PORTS;
    for (const p of cniPorts) {
      const portless = p.protocol !== "tcp" && p.protocol !== "udp";
      const valid = Number.isInteger(p.fromPort) && Number.isInteger(p.toPort) && p.fromPort <= p.toPort &&
        (portless ? /^\d+$/.test(p.protocol) && p.fromPort === 0 && p.toPort === 0 : p.fromPort >= 1 && p.toPort <= 65535);
      if (!valid) throw new Error(`${where}: cniPorts entry "${p.description}" is not a valid port range or IP protocol`);
    }
    (props.extraEgress ?? []).forEach((rule, i) => {
      for (const cidr of rule.cidrs) {
        if (typeof parseCidr(cidr) === "string") throw new Error(`${where}: extraEgress[${i}] ("${rule.description}"): cidrs: "${cidr}" is not an IPv4 CIDR`);
      }
      if (rule.protocol !== "all" && !(Number.isInteger(rule.fromPort) && Number.isInteger(rule.toPort) && (rule.fromPort as number) <= (rule.toPort as number))) {
        throw new Error(`${where}: extraEgress[${i}] ("${rule.description}"): fromPort and toPort must be a port range`);
      }
    });
    const tags = gcpNetworkTags(name);
    const prefix = gcpResourcePrefix(name);
    const network = props.network.networkId;
    const inside = [props.network.cidr];
    const rule = (ruleId: string, description: string, config: Partial<ConstructorParameters<typeof ComputeFirewall>[2]>) =>
      new ComputeFirewall(this, ruleId, { name: `${prefix}-${ruleId}`, description: `kubeplane ${name}: ${description}`, network, direction: "INGRESS", priority: 1000, ...config });

    rule("nodes-from-nodes", "kubelet API and the CNI between all nodes", {
      sourceTags: [tags.nodes],
      targetTags: [tags.nodes],
      allow: [allow("tcp", KUBELET_API_PORT, KUBELET_API_PORT), ...cniPorts.map((p) => allow(p.protocol, p.fromPort, p.toPort))],
    });
    rule("control-plane-api", "Kubernetes API from inside the network (nodes, load balancer clients, bastion)", {
      sourceRanges: inside,
      targetTags: [tags.controlPlane],
      allow: [allow("tcp", api, api)],
    });
    rule("control-plane-peers", "etcd, kube-controller-manager and kube-scheduler between control-plane nodes", {
      sourceTags: [tags.controlPlane],
      targetTags: [tags.controlPlane],
      allow: [allow("tcp", ETCD_PORTS.from, ETCD_PORTS.to), allow("tcp", KUBE_CONTROLLER_MANAGER_PORT, KUBE_CONTROLLER_MANAGER_PORT), allow("tcp", KUBE_SCHEDULER_PORT, KUBE_SCHEDULER_PORT)],
    });
    rule("workers-services", "NodePort services and kube-proxy health from inside the network", {
      sourceRanges: inside,
      targetTags: [tags.workers],
      allow: [allow("tcp", NODE_PORTS.from, NODE_PORTS.to), allow("udp", NODE_PORTS.from, NODE_PORTS.to), allow("tcp", KUBE_PROXY_HEALTH_PORT, KUBE_PROXY_HEALTH_PORT)],
    });
    rule("workers-health-checks", "Google's health checkers to kube-proxy's health port (the pools' autohealing)", {
      sourceRanges: [...GOOGLE_HEALTH_CHECK_RANGES],
      targetTags: [tags.workers],
      allow: [allow("tcp", KUBE_PROXY_HEALTH_PORT, KUBE_PROXY_HEALTH_PORT)],
    });
    if (props.apiLoadBalancer) {
      rule("control-plane-health-checks", "Google's health checkers to the API port (the internal API load balancer)", {
        sourceRanges: [...GOOGLE_HEALTH_CHECK_RANGES],
        targetTags: [tags.controlPlane],
        allow: [allow("tcp", api, api)],
      });
    }
    rule("control-plane-from-iap", "IAP TCP forwarding to SSH (OS Login) and the API port: the operator commands and tunnel", {
      sourceRanges: [IAP_TCP_FORWARDING_RANGE],
      targetTags: [tags.controlPlane],
      allow: [allow("tcp", SSH_PORT, SSH_PORT), allow("tcp", api, api)],
    });
    if (props.bastion) {
      rule("bastion-from-iap", "IAP TCP forwarding to the bastion's SSH (OS Login)", {
        sourceRanges: [IAP_TCP_FORWARDING_RANGE],
        targetTags: [tags.bastion],
        allow: [allow("tcp", SSH_PORT, SSH_PORT)],
      });
    }

    const everyTag = [tags.nodes, ...(props.bastion ? [tags.bastion] : [])];
    const egress = (ruleId: string, description: string, config: Partial<ConstructorParameters<typeof ComputeFirewall>[2]>) => rule(ruleId, description, { direction: "EGRESS", ...config });
    egress("egress-inside", "everything inside the network (API, etcd, kubelets, CNI, load balancer)", { targetTags: everyTag, destinationRanges: inside, allow: [{ protocol: "all" }] });
    egress("egress-web", "HTTPS (registries, pkgs.k8s.io, Google APIs through Cloud NAT) and HTTP (Ubuntu archives)", {
      targetTags: everyTag,
      destinationRanges: ["0.0.0.0/0"],
      allow: [allow("tcp", 443, 443), allow("tcp", 80, 80)],
    });
    (props.extraEgress ?? []).forEach((r, i) =>
      egress(`egress-extra-${i}`, r.description, {
        targetTags: [tags.nodes],
        destinationRanges: [...r.cidrs],
        allow: [r.protocol === "all" ? { protocol: "all" } : allow(r.protocol, r.fromPort, r.toPort)],
      }),
    );
    egress("egress-deny", "nothing else out (GCP's implied rule would allow all egress)", { targetTags: everyTag, destinationRanges: ["0.0.0.0/0"], priority: 65000, deny: [{ protocol: "all" }] });

    this.controlPlaneGroupIds = [tags.nodes, tags.controlPlane];
    this.workerGroupIds = [tags.nodes, tags.workers];
    this.bastionGroupIds = props.bastion ? [tags.bastion] : [];
  }
}
