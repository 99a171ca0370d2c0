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
  /** The node-side implementation, a file under `bootstrap/node/` (see its interface comment). */
  readonly nodeModule: string;
  /** What the CNI this installer sets up needs open between every two nodes. */
  readonly cniPorts: readonly NodeNetworkPort[];
  /** Settings the node-side implementation reads; throws when the context lacks what it needs. */
  settings(context: UserDataContext): Record<string, string>;
}
