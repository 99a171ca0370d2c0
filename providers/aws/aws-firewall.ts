/**
 * Security groups that open only what Kubernetes needs. Rules are inline, so a rule added
 * outside Terraform shows up as drift in the next plan.
 *
 * - `nodes` (every node): kubelet and the CNI's ports (`cniPorts`: Calico's by default) between nodes.
 * - `control-plane`: the API from inside the network, etcd and the controller/scheduler ports
 *   between control-plane nodes.
 * - `workers`: NodePorts and kube-proxy health from inside the network.
 * - `api-lb` (with the internal load balancer of an HA control plane): the API port from inside
 *   the network. A public API's internet-facing balancer has its own group (AwsApiLoadBalancer).
 * - `bastion`: no ingress at all (Session Manager needs none).
 *
 * Egress: every group may send anything into the VPC (the API, etcd, kubelets, the CNI, load
 * balancer targets). Only the shared `nodes` group and the bastion reach the internet, on HTTPS
 * (container registries, pkgs.k8s.io, the kURL installer, AWS APIs through NAT: SSM, EC2, S3) and
 * HTTP (Ubuntu's apt archives), plus the definition's `extraEgress` on `nodes`. DNS (the VPC's
 * resolver) and NTP (the Amazon Time Sync Service, 169.254.169.123) need no rule: security groups
 * do not filter traffic to them
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
 */
import { SecurityGroup, SecurityGroupEgress, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { CALICO_NODE_PORTS } from "../../bootstrap/installers/kubeadm";
import { parseCidr } from "../../definition/cidr";
import type { ClusterFirewall, ClusterFirewallProps, EgressRule } from "../firewall";
import { kubernetesClusterTag } from "./tags";
import { ETCD_PORTS, KUBE_CONTROLLER_MANAGER_PORT, KUBE_SCHEDULER_PORT, KUBELET_API_PORT, NODE_PORTS } from "../well-known-ports";

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

/** A complete inline egress rule to CIDRs. */
function egress(description: string, protocol: string, fromPort: number, toPort: number, cidrs: readonly string[]): SecurityGroupEgress {
  return { description, protocol, fromPort, toPort, cidrBlocks: [...cidrs], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false };
}

/** What the nodes (and the bastion) may reach on the internet. */
const WEB_EGRESS = [
  egress("HTTPS: registries, pkgs.k8s.io, AWS APIs through NAT", "tcp", 443, 443, ["0.0.0.0/0"]),
  egress("HTTP: Ubuntu apt archives", "tcp", 80, 80, ["0.0.0.0/0"]),
];

/** Characters EC2 accepts in a rule description (at most 255 of them). */
const RULE_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

/** Why an extra egress rule is invalid, or undefined. */
function egressProblem(rule: EgressRule): string | undefined {
  if (typeof rule.description !== "string" || rule.description.trim() === "" || !RULE_DESCRIPTION.test(rule.description)) {
    return "description must be 1-255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*";
  }
  if (rule.protocol === "all") {
    if (rule.fromPort !== undefined || rule.toPort !== undefined) return "protocol all takes no ports (it opens every port)";
  } else if (rule.protocol === "tcp" || rule.protocol === "udp") {
    const port = (p: number | undefined) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
    if (!port(rule.fromPort) || !port(rule.toPort)) return `fromPort and toPort must be ports (1-65535), got ${rule.fromPort}-${rule.toPort}`;
    if ((rule.fromPort as number) > (rule.toPort as number)) return `fromPort ${rule.fromPort} is after toPort ${rule.toPort}`;
  } else {
    return `protocol must be tcp, udp or all, got "${String(rule.protocol)}"`;
  }
  if (!Array.isArray(rule.cidrs) || rule.cidrs.length === 0) return "cidrs must name at least one destination";
  for (const cidr of rule.cidrs) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === "string") return `cidrs: "${cidr}" ${parsed}`;
  }
  return undefined;
}

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
    (props.extraEgress ?? []).forEach((rule, i) => {
      const problem = egressProblem(rule);
      if (problem) throw new Error(`AwsFirewall: extraEgress[${i}] ("${rule.description}"): ${problem}`);
    });
    const intoVpc = egress("Everything inside the VPC (API, etcd, kubelets, CNI, load balancer targets)", "-1", 0, 0, [props.network.cidr]);
    const extraEgress = (props.extraEgress ?? []).map((r) =>
      r.protocol === "all" ? egress(r.description, "-1", 0, 0, r.cidrs) : egress(r.description, r.protocol, r.fromPort as number, r.toPort as number, r.cidrs),
    );
    const group = (groupId: string, description: string, rules: SecurityGroupIngress[], tags: Record<string, string> = {}, out: SecurityGroupEgress[] = [intoVpc]) =>
      new SecurityGroup(this, groupId, {
        name: `kubeplane-${name}-${groupId}`,
        description,
        vpcId: props.network.networkId,
        ingress: rules,
        egress: out,
        tags: { Name: `${name}-${groupId}`, ...tags },
      }).id;

    // Only this group carries the cluster tag: the AWS cloud provider wants exactly one per node.
    const nodes = group(
      "nodes",
      `kubeplane ${name}: traffic between all nodes`,
      [
        ingress("kubelet API", "tcp", KUBELET_API_PORT, KUBELET_API_PORT, self),
        ...cniPorts.map((p) => ingress(p.description, p.protocol, p.fromPort, p.toPort, self)),
      ],
      { [kubernetesClusterTag(name)]: "owned" },
      [...WEB_EGRESS, intoVpc, ...extraEgress],
    );
    const controlPlane = group("control-plane", `kubeplane ${name}: control-plane nodes`, [
      ingress("Kubernetes API from inside the VPC (nodes, load balancer, bastion)", "tcp", api, api, inside),
      ingress("etcd between control-plane nodes", "tcp", ETCD_PORTS.from, ETCD_PORTS.to, self),
      ingress("kube-controller-manager between control-plane nodes", "tcp", KUBE_CONTROLLER_MANAGER_PORT, KUBE_CONTROLLER_MANAGER_PORT, self),
      ingress("kube-scheduler between control-plane nodes", "tcp", KUBE_SCHEDULER_PORT, KUBE_SCHEDULER_PORT, self),
    ]);
    const workers = group("workers", `kubeplane ${name}: workers`, [
      ingress("NodePort services (TCP) from inside the VPC", "tcp", NODE_PORTS.from, NODE_PORTS.to, inside),
      ingress("NodePort services (UDP) from inside the VPC", "udp", NODE_PORTS.from, NODE_PORTS.to, inside),
      ingress("kube-proxy health from inside the VPC", "tcp", 10256, 10256, inside),
    ]);
    this.controlPlaneGroupIds = [nodes, controlPlane];
    this.workerGroupIds = [nodes, workers];
    this.loadBalancerGroupIds = props.apiLoadBalancer
      ? [group("api-lb", `kubeplane ${name}: Kubernetes API load balancer`, [ingress("Kubernetes API", "tcp", api, api, inside)])]
      : [];
    this.bastionGroupIds = props.bastion ? [group("bastion", `kubeplane ${name}: bastion (Session Manager only, no ingress)`, [], {}, [...WEB_EGRESS, intoVpc])] : [];
  }
}
