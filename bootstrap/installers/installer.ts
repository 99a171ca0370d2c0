/** What an installer contributes to a node's user data. */
import { InstallerName, UserDataContext } from "../user-data-context";

export interface Installer {
  readonly name: InstallerName;
  /** The node-side implementation, a file under `bootstrap/node/` (see its interface comment). */
  readonly nodeModule: string;
  /** Settings the node-side implementation reads; throws when the context lacks what it needs. */
  settings(context: UserDataContext): Record<string, string>;
}
