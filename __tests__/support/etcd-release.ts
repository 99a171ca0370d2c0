/**
 * etcd's release as a control-plane node downloads it (bootstrap/node/etcd-tools.sh): a tar.gz in
 * etcd's own layout (etcd-io/etcd scripts/build-binary.sh, package: one directory
 * etcd-v<version>-linux-amd64/ holding etcd, etcdctl and, from 3.5 on, etcdutl), served over HTTP
 * from this process, and a node pointed at it. The pinned releases (bootstrap/etcd-tools.ts) cannot
 * be downloaded here (no internet), so a node under test gets this one's URL, version and SHA-256
 * in its cluster settings instead of the pinned ones: the download, the checksum and the unpacking
 * are the node's own.
 *
 * What goes in the tarball is the test's: Debian's real etcdctl 3.4.23 (etcd 3.4's release, which
 * has no etcdutl), or etcd 3.6 stand-ins (see etcd-backup.test.ts).
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import * as path from "path";

/** A tool in the release: a copy of an executable, or a script's text. */
export type ReleaseTool = { readonly copyOf: string } | { readonly script: string };

export interface EtcdReleaseFixture {
  readonly version: string;
  /** The tar.gz. */
  readonly file: string;
  readonly sha256: string;
}

/** Writes `etcd-v<version>-linux-amd64.tar.gz` under `directory`, holding `tools` by name. */
export function buildEtcdRelease(directory: string, version: string, tools: Readonly<Record<string, ReleaseTool>>): EtcdReleaseFixture {
  const name = `etcd-v${version}-linux-amd64`;
  const staging = path.join(directory, `${name}.staging`);
  mkdirSync(path.join(staging, name), { recursive: true });
  writeFileSync(path.join(staging, name, "README.md"), `etcd ${version} (test release)\n`);
  for (const [tool, source] of Object.entries(tools)) {
    const target = path.join(staging, name, tool);
    if ("copyOf" in source) copyFileSync(source.copyOf, target);
    else writeFileSync(target, source.script);
    chmodSync(target, 0o755);
  }
  const file = path.join(directory, `${name}.tar.gz`);
  execFileSync("tar", ["-czf", file, "-C", staging, name]);
  return { version, file, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
}

/** An HTTP server answering GitHub's release path of each release given (404 for anything else), counting downloads. */
export class EtcdReleaseServer {
  private server?: Server;
  private readonly releases = new Map<string, EtcdReleaseFixture>();
  downloads = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const release = this.releases.get(req.url ?? "");
      if (!release) return void res.writeHead(404).end("Not Found");
      this.downloads++;
      res.end(readFileSync(release.file));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  /** The URL of `release`, as github.com/etcd-io/etcd/releases/download names it. */
  add(release: EtcdReleaseFixture): string {
    const urlPath = `/v${release.version}/etcd-v${release.version}-linux-amd64.tar.gz`;
    this.releases.set(urlPath, release);
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}${urlPath}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Points the node under `root` at a release: rewrites its cluster settings' KUBEPLANE_ETCD_TOOLS_*
 * (which the user data wrote with the pinned release) to `url`, the release's version and a
 * SHA-256 (the release's unless `sha256` says otherwise), and removes tools the node installed
 * for that version before, so that its next script downloads this release.
 */
export function useEtcdRelease(root: string, release: EtcdReleaseFixture, url: string, sha256 = release.sha256): void {
  const env = path.join(root, "etc/kubeplane/cluster.env");
  const settings: Record<string, string> = { KUBEPLANE_ETCD_TOOLS_VERSION: release.version, KUBEPLANE_ETCD_TOOLS_URL: url, KUBEPLANE_ETCD_TOOLS_SHA256: sha256 };
  let text = readFileSync(env, "utf8");
  for (const [name, value] of Object.entries(settings)) {
    const line = new RegExp(`^${name}=.*$`, "m");
    if (!line.test(text)) throw new Error(`${env} sets no ${name}: not a control-plane node with backups`);
    text = text.replace(line, `${name}='${value}'`);
  }
  writeFileSync(env, text);
  rmSync(etcdToolsDir(root, release.version), { recursive: true, force: true });
}

/** Where the node installs etcd `version`'s tools (etcd-tools.sh KUBEPLANE_ETCD_TOOLS_DIR). */
export const etcdToolsDir = (root: string, version: string) => path.join(root, "opt/kubeplane", `etcd-v${version}`);

/** Debian's etcd 3.4.23 release as the node takes it: the real etcdctl (3.4 has no etcdutl). */
export const debianEtcd34 = (directory: string) => buildEtcdRelease(directory, "3.4.23", { etcdctl: { copyOf: "/usr/bin/etcdctl" } });
