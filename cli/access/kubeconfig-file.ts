/**
 * The kubeconfig `kubeplane kubeconfig` writes: the minted one (kubeadm's cluster `kubernetes`,
 * user NAME, context NAME@kubernetes) renamed to kubeplane's names (cluster and context
 * `kubeplane-<cluster>`, user `kubeplane-<cluster>-<user>`) and merged into the target file
 * (default: the first file of $KUBECONFIG, else ~/.kube/config), replacing entries of the same
 * names and keeping everything else; the context becomes the current one, as `kops export
 * kubeconfig` does. The file is written 0600, through a temporary file renamed over it.
 */
import { X509Certificate } from "crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The context (and cluster entry) name of a kubeplane cluster. */
export function contextName(cluster: string): string {
  return `kubeplane-${cluster}`;
}

/** Where kubectl reads its configuration: the first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  const first = (env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p !== "");
  if (first) return first;
  if (!env.HOME) throw new Error("neither KUBECONFIG nor HOME is set: name the file with --output");
  return path.join(env.HOME, ".kube", "config");
}

/** The minted kubeconfig's one cluster, user and their certificate's end. */
export interface MintedParts {
  readonly server: string;
  readonly certificateAuthorityData: string;
  readonly clientCertificateData: string;
  readonly clientKeyData: string;
  /** The client certificate's notAfter. */
  readonly expires: Date;
  /** The certificate's subject, e.g. `O=kubeadm:cluster-admins\nCN=alice`. */
  readonly subject: string;
}

/** Reads kubeadm's kubeconfig; throws, saying what is missing, when it is not one. */
export function mintedParts(kubeconfig: string): MintedParts {
  const doc = parse(kubeconfig) as Json;
  const cluster = doc?.clusters?.[0]?.cluster;
  const user = doc?.users?.[0]?.user;
  if (!cluster?.server || !cluster["certificate-authority-data"]) throw new Error("the minted kubeconfig has no cluster with a server and a CA");
  if (!user?.["client-certificate-data"] || !user["client-key-data"]) throw new Error("the minted kubeconfig has no user with a client certificate and key");
  const cert = new X509Certificate(Buffer.from(user["client-certificate-data"], "base64"));
  return {
    server: cluster.server,
    certificateAuthorityData: cluster["certificate-authority-data"],
    clientCertificateData: user["client-certificate-data"],
    clientKeyData: user["client-key-data"],
    expires: new Date(cert.validTo),
    subject: cert.subject,
  };
}

/** `existing` (a kubeconfig's text, or empty) with the cluster's entries set from `minted`. */
export function mergeKubeconfig(existing: string, cluster: string, user: string, minted: MintedParts): string {
  const doc: Json = (existing.trim() ? parse(existing) : undefined) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("the kubeconfig to merge into is not a YAML mapping");
  const name = contextName(cluster);
  const userName = `${name}-${user}`;
  const upsert = (key: string, entry: Json) => {
    const list: Json[] = Array.isArray(doc[key]) ? doc[key] : [];
    doc[key] = [...list.filter((e) => e?.name !== entry.name), entry];
  };
  doc.apiVersion ??= "v1";
  doc.kind ??= "Config";
  upsert("clusters", { name, cluster: { server: minted.server, "certificate-authority-data": minted.certificateAuthorityData } });
  upsert("users", { name: userName, user: { "client-certificate-data": minted.clientCertificateData, "client-key-data": minted.clientKeyData } });
  upsert("contexts", { name, context: { cluster: name, user: userName } });
  doc["current-context"] = name;
  return stringify(doc);
}

/** Merges into `file` (made, with its directory, if missing), 0600, atomically. */
export function writeKubeconfig(file: string, cluster: string, user: string, minted: MintedParts): void {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const merged = mergeKubeconfig(existing, cluster, user, minted);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.kubeplane-${process.pid}`;
  writeFileSync(temporary, merged, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
