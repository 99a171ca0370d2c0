/** What an installer contributes to a node's user data and to the cluster's firewall. */
import { InstallerName, UserDataContext } from "../user-data-context";

/** Traffic between nodes that a CNI needs: a port range of a protocol, or a whole IP protocol. */
export interface NodeNetworkPort {
  /** What the traffic is, e.g. `Flannel VXLAN`; becomes the rule's description. */
  readonly description: string;
  /** `tcp`, `udp`, or an IP protocol number, e.g. `4` (IP-in-IP). */
  readonly protocol: string;
  /** First port of the range; 0 for a protocol without ports. */
  readonly fromPort: number;
  /** Last port of the range; 0 for a protocol without ports. */
  readonly toPort: number;
}

export interface Installer {
  readonly name: InstallerName;
  /**
   * The node-side implementation: files under `bootstrap/node/`, placed in the node's library
   * directory. The first is the installer module the scripts source (see its interface comment);
   * the others are modules it sources itself (e.g. the container runtime).
   */
  readonly nodeModules: readonly string[];
  /** What the CNI this installer sets up needs open between every two nodes. */
  readonly cniPorts: readonly NodeNetworkPort[];
  /** Settings the node-side implementation reads; throws when the context lacks what it needs. */
  settings(context: UserDataContext): Record<string, string>;
}
