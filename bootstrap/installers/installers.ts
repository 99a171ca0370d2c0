/** The installers kubeplane can render, by name. */
import { InstallerName } from "../user-data-context";
import { Installer } from "./installer";
import { kubeadmInstaller } from "./kubeadm";
import { kurlInstaller } from "./kurl";

const INSTALLERS: Readonly<Record<InstallerName, Installer>> = { kubeadm: kubeadmInstaller, kurl: kurlInstaller };

export function installerNamed(name: InstallerName): Installer {
  const installer = INSTALLERS[name];
  if (!installer) throw new Error(`unknown installer ${String(name)}`);
  return installer;
}
