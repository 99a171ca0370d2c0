/**
 * Security groups that open only what Kubernetes needs. Rules are inline, so a rule added
 * outside Terraform shows up as drift in the next plan.
 *
 * - `nodes` (every node): kubelet and the CNI's ports (`cniPorts`: Calico's by default) between nodes.
 * - `control-plane`: the API from inside the network, etcd and the controller/scheduler ports
 *   between control-plane nodes.
 * - `workers`: NodePorts and kube-proxy health from inside the network.
 * - `api-lb` (with a load balancer): the API port from inside the network and the opt-in
 *   public allow-list.
 * - `bastion`: no ingress at all (Session Manager needs none).
 */
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { CALICO_NODE_PORTS } from "../../bootstrap/installers/kubeadm";
import type { ClusterFirewall, ClusterFirewallProps } from "../firewall";
import { kubernetesClusterTag } from "./tags";

/** A rule's source: CIDRs, or the group itself. */
type Source = { cidrs: readonly string[] } | { self: true };

/** A complete inline ingress rule (Terraform requires every attribute of an inline rule). */
function ingress(description: string, protocol: string, fromPort: number, toPort: number, source: Source): SecurityGroupIngress {
  return {
    description,
    protocol,
    fromPort,
    toPort,
    cidrBlocks: "cidrs" in source ? [...source.cidrs] : [],
    ipv6CidrBlocks: [],
    prefixListIds: [],
    securityGroups: [],
    selfAttribute: "self" in source,
  };
}

const ALL_EGRESS = [
  {
    description: "All egress (packages, images, AWS APIs through NAT)",
    protocol: "-1",
    fromPort: 0,
    toPort: 0,
    cidrBlocks: ["0.0.0.0/0"],
    ipv6CidrBlocks: [],
    prefixListIds: [],
    securityGroups: [],
    selfAttribute: false,
  },
];

/** See ClusterFirewallProps. */
export class AwsFirewall extends Construct implements ClusterFirewall {
  readonly controlPlaneGroupIds: readonly string[];
  readonly workerGroupIds: readonly string[];
  readonly loadBalancerGroupIds: readonly string[];
  readonly bastionGroupIds: readonly string[];

  constructor(scope: Construct, id: string, props: ClusterFirewallProps) {
    super(scope, id);
    const { clusterName: name, apiServerPort: api } = props;
    if (!Number.isInteger(api) || api < 1 || api > 65535) throw new Error(`AwsFirewall: apiServerPort must be a port number, got ${api}`);
    const cniPorts = props.cniPorts ?? CALICO_NODE_PORTS;
    for (const p of cniPorts) {
      const portless = p.protocol !== "tcp" && p.protocol !== "udp";
      const valid = Number.isInteger(p.fromPort) && Number.isInteger(p.toPort) && p.fromPort <= p.toPort &&
        (portless ? /^\d+$/.test(p.protocol) && p.fromPort === 0 && p.toPort === 0 : p.fromPort >= 1 && p.toPort <= 65535);
      if (!valid) throw new Error(`AwsFirewall: cniPorts entry "${p.description}" is not a valid port range or IP protocol`);
    }
    const inside: Source = { cidrs: [props.network.cidr] };
    const self: Source = { self: true };
    const group = (groupId: string, description: string, rules: SecurityGroupIngress[], tags: Record<string, string> = {}) =>
      new SecurityGroup(this, groupId, {
        name: `kubeplane-${name}-${groupId}`,
        description,
        vpcId: props.network.networkId,
        ingress: rules,
        egress: ALL_EGRESS,
        tags: { Name: `${name}-${groupId}`, ...tags },
      }).id;

    // Only this group carries the cluster tag: the AWS cloud provider wants exactly one per node.
    const nodes = group(
      "nodes",
      `kubeplane ${name}: traffic between all nodes`,
      [
        ingress("kubelet API", "tcp", 10250, 10250, self),
        ...cniPorts.map((p) => ingress(p.description, p.protocol, p.fromPort, p.toPort, self)),
      ],
      { [kubernetesClusterTag(name)]: "owned" },
    );
    const controlPlane = group("control-plane", `kubeplane ${name}: control-plane nodes`, [
      ingress("Kubernetes API from inside the VPC (nodes, load balancer, bastion)", "tcp", api, api, inside),
      ingress("etcd between control-plane nodes", "tcp", 2379, 2380, self),
      ingress("kube-controller-manager between control-plane nodes", "tcp", 10257, 10257, self),
      ingress("kube-scheduler between control-plane nodes", "tcp", 10259, 10259, self),
    ]);
    const workers = group("workers", `kubeplane ${name}: workers`, [
      ingress("NodePort services (TCP) from inside the VPC", "tcp", 30000, 32767, inside),
      ingress("NodePort services (UDP) from inside the VPC", "udp", 30000, 32767, inside),
      ingress("kube-proxy health from inside the VPC", "tcp", 10256, 10256, inside),
    ]);
    if (props.publicApiCidrs && !props.apiLoadBalancer) {
      throw new Error("AwsFirewall: publicApiCidrs need apiLoadBalancer: the public API is reached through the load balancer");
    }
    const apiSources = [props.network.cidr, ...(props.publicApiCidrs ?? [])];
    this.controlPlaneGroupIds = [nodes, controlPlane];
    this.workerGroupIds = [nodes, workers];
    this.loadBalancerGroupIds = props.apiLoadBalancer
      ? [group("api-lb", `kubeplane ${name}: Kubernetes API load balancer`, [ingress("Kubernetes API", "tcp", api, api, { cidrs: apiSources })])]
      : [];
    this.bastionGroupIds = props.bastion ? [group("bastion", `kubeplane ${name}: bastion (Session Manager only, no ingress)`, [])] : [];
  }
}
