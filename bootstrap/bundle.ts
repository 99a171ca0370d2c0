/**
 * A role's node files as a bundle (providers/node-bundle.ts): a gzip-compressed ustar archive of
 * every static, secret-free file (byte-for-byte the same for the same files: no times, owners or
 * compression timestamps, so that Terraform plans no change), and the user data that fetches it:
 * the cluster's settings, the loader for the cloud (node/bundle/<kind>.sh) and the bootstrap.
 */
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import { renderCloudConfig } from "./cloud-config";
import { BOOTSTRAP_COMMAND, NodeFile, staticNodeFile } from "./node-files";
import { CLUSTER_ENV_FILE, nodeFiles, validateUserDataContext } from "./user-data";
import { UserDataContext } from "./user-data-context";

/** The loader cloud-init runs before the bootstrap: fetches, checks and unpacks the bundle. */
export const BUNDLE_LOADER_COMMAND = "/usr/local/sbin/kubeplane-fetch-bundle";

/** One ustar header block plus the content padded to 512 bytes. */
function tarEntry(file: NodeFile): Buffer {
  const name = file.path.replace(/^\//, "");
  if (Buffer.byteLength(name) > 100) throw new Error(`bundle: ${file.path} is longer than ustar's 100-byte names`);
  const content = Buffer.from(file.content, "utf8");
  const header = Buffer.alloc(512, 0);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, value: number) => field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  field(0, 100, name);
  octal(100, 8, parseInt(file.permissions, 8));
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, 0);
  field(148, 8, "        ");
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  return Buffer.concat([header, content, padding]);
}

/** A deterministic .tar.gz of `files`. */
export function tarGz(files: readonly NodeFile[]): Buffer {
  const tar = Buffer.concat([...files.map(tarEntry), Buffer.alloc(1024, 0)]);
  return gzipSync(tar, { level: 9 });
}

/**
 * The files of a role that travel in its bundle: the static ones (scripts and units, the same for
 * every cluster) and rendered ones that hold no Terraform reference (the addons' kustomizations,
 * timers). The cluster's settings stay in the user data: they hold references (an ARN, a DNS name),
 * which cdktf encodes as `${TfToken[...]}` until Terraform fills them in at apply time.
 */
const bundled = (file: NodeFile) => file.path !== CLUSTER_ENV_FILE && (file.isStatic || !/\$\{TfToken\[/.test(file.content));

/** The bundle of `context`'s role: its archive and the archive's SHA-256. */
export function nodeBundleArchive(context: UserDataContext): { readonly archive: Buffer; readonly sha256: string; readonly files: readonly string[] } {
  validateUserDataContext(context);
  const files = nodeFiles(context).filter(bundled);
  const archive = tarGz(files);
  return { archive, sha256: createHash("sha256").update(archive).digest("hex"), files: files.map((f) => f.path) };
}

/**
 * The user data of a bundled role: the settings (with where the bundle is and its SHA-256), the
 * files that cannot travel in it, the cloud's loader; then the loader, then the bootstrap.
 */
export function renderBundledUserData(context: UserDataContext, location: { readonly kind: string; readonly settings: Readonly<Record<string, string>> }, sha256: string): string {
  validateUserDataContext(context);
  if (!/^[a-z0-9-]+$/.test(location.kind)) throw new Error(`cluster ${context.clusterName}, ${context.role}: bundle kind "${location.kind}" is not a module name`);
  for (const name of Object.keys(location.settings)) {
    if (!name.startsWith("KUBEPLANE_BUNDLE_")) throw new Error(`cluster ${context.clusterName}, ${context.role}: bundle setting ${name} must start with KUBEPLANE_BUNDLE_`);
  }
  const withBundle: UserDataContext = { ...context, bundle: { settings: { ...location.settings, KUBEPLANE_BUNDLE_SHA256: sha256 } } };
  const kept = nodeFiles(withBundle).filter((f) => !bundled(f));
  return renderCloudConfig([...kept, staticNodeFile(`bundle/${location.kind}.sh`, BUNDLE_LOADER_COMMAND, "0755")], [[BUNDLE_LOADER_COMMAND], [BOOTSTRAP_COMMAND]]);
}
