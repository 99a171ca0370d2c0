/** The control-plane nodes: one, or an odd number spread over zones behind the internal API load balancer. */
import { ApiLoadBalancer } from "./load-balancer";
import { MachineImage } from "./machine-image";
import { Placement } from "./network";
import { NodeIdentity } from "./node-identity";

/** Props for a control plane. */
export interface ControlPlaneProps {
  /** The cluster's name; used in names and tags. */
  readonly clusterName: string;
  /** Number of nodes: 1, or odd and at least 3. */
  readonly count: number;
  /** Machine type, e.g. `t3.medium`. */
  readonly instanceType: string;
  /** Root volume size in GiB, within the cloud's bounds; volumes are always encrypted. */
  readonly volumeSizeGiB: number;
  /** Image to boot. */
  readonly image: MachineImage;
  /** Where to put the nodes: node i goes to placement i modulo their number (one per zone spreads them). At least one. */
  readonly placements: readonly Placement[];
  /** Firewall groups attached to every node. At least one. */
  readonly firewallGroupIds: readonly string[];
  /** Identity the nodes run as. */
  readonly identity: NodeIdentity;
  /**
   * User data of the first node (runs the installer's init and publishes the join lease), as text;
   * the cloud delivers it gzip-compressed, which cloud-init unpacks. Not empty.
   */
  readonly initUserData: string;
  /**
   * User data of the other nodes (join as control plane).
   * @default none; required when count > 1
   */
  readonly joinUserData?: string;
  /**
   * The internal API load balancer the nodes register with.
   * @default none: the API DNS name points at the first node's private address; required when count > 1
   */
  readonly loadBalancer?: ApiLoadBalancer;
  /**
   * The internet-facing API load balancer (`controlPlane.publicApi`) the nodes also register with:
   * an additional way in, never the nodes' endpoint.
   * @default none
   */
  readonly publicLoadBalancer?: ApiLoadBalancer;
}

/** Provisioned control-plane nodes. */
export interface ControlPlane {
  /** Node instance ids, the first node first. */
  readonly instanceIds: readonly string[];
  /** Where the API DNS name points: the internal load balancer's DNS name, or the single node's private address. */
  readonly endpointHost: string;
  /** The first node's private address (what a single control plane's API DNS name points at). */
  readonly firstNodeAddress: string;
}
