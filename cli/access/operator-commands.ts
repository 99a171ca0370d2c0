/**
 * The logic of `kubeplane kubeconfig`, `tunnel` and `validate` (issue 13), testable without the
 * commander wiring (cli/commands/kubeconfig.ts, tunnel.ts, validate.ts): each takes its options,
 * the CLI's streams and environment, and the cluster's run-time operator access (from the
 * cloud: providers/operator-access.ts), and resolves to the exit code.
 */
import { spawn } from "child_process";
import { accessSync, constants } from "fs";
import * as path from "path";
import type { ClusterDefinition } from "../../definition";
import { apiFqdn, KUBE_API_SERVER_PORT } from "../../providers";
import {
  KUBEADM_CLUSTER_ADMINS_GROUP,
  MAX_CREDENTIAL_SECONDS,
  MIN_CREDENTIAL_SECONDS,
  operatorAccessFor,
  type OperatorAccessRuntime,
} from "../../providers/operator-access";
import type { CliContext } from "../commands/context";
import { newRecipient } from "./handback";
import { contextName, defaultKubeconfigPath, mintedParts, writeKubeconfig } from "./kubeconfig-file";
import { backupIntervalMinutes as backupInterval } from "../../definition/schema";
import { etcdBackupProblem, kubectlReader, parseDuration, renderProblems, requiredWorkloads, validateOnce, type KubeReader, type Problem } from "./validate";

/** How the commands find a cluster and reach its cloud (tests replace them). */
export interface OperatorDeps {
  /** The selected definitions (KUBEPLANE_CLUSTERS). */
  readonly definitions: () => readonly ClusterDefinition[] | Promise<readonly ClusterDefinition[]>;
  /** @default operatorAccessFor */
  readonly access?: (definition: ClusterDefinition) => Promise<OperatorAccessRuntime>;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The definition of the cluster named `name`; throws naming the known ones. */
export async function clusterNamed(deps: OperatorDeps, name: string): Promise<ClusterDefinition> {
  const definitions = await deps.definitions();
  const found = definitions.find((d) => d.name === name);
  if (!found) {
    const known = definitions.map((d) => d.name);
    throw new Error(`unknown cluster "${name}"; the selected definitions (KUBEPLANE_CLUSTERS, default clusters/) have ${known.length ? known.join(", ") : "none"}`);
  }
  return found;
}

const access = (deps: OperatorDeps, d: ClusterDefinition) => (deps.access ?? operatorAccessFor)(d);

/** Options of `kubeplane kubeconfig`. */
export interface KubeconfigOptions {
  readonly ttl?: string;
  readonly user?: string;
  readonly group?: string;
  readonly output?: string;
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;

/** The TTL in seconds, within 5 minutes and 24 hours; throws naming --ttl. */
export function credentialSeconds(ttl: string): number {
  const seconds = parseDuration(ttl, "--ttl");
  if (seconds > MAX_CREDENTIAL_SECONDS) throw new Error(`--ttl ${ttl} is longer than a kubeconfig may live (24h at most)`);
  if (seconds < MIN_CREDENTIAL_SECONDS) throw new Error(`--ttl ${ttl} is shorter than 5m (the certificate would expire before it is used)`);
  return seconds;
}

/** `kubeplane kubeconfig <cluster>`: mints, opens the hand-back, merges; 0, or throws saying why. */
export async function runKubeconfig(cli: CliContext, deps: OperatorDeps, cluster: string, options: KubeconfigOptions): Promise<number> {
  const ttlSeconds = credentialSeconds(options.ttl ?? "1h");
  const user = options.user ?? cli.env.USER ?? "operator";
  if (!USER_NAME.test(user)) throw new Error(`--user "${user}" is not a user name (letters, digits, . _ @ -; at most 64)`);
  const group = options.group ?? KUBEADM_CLUSTER_ADMINS_GROUP;
  if (!GROUP_NAME.test(group)) throw new Error(`--group "${group}" is not a group name (letters, digits, : . _ -; at most 64)`);
  const definition = await clusterNamed(deps, cluster);
  const file = options.output ? path.resolve(options.output) : defaultKubeconfigPath(cli.env);
  const runtime = await access(deps, definition);
  const recipient = newRecipient();
  const startedAt = Date.now();
  cli.stderr.write(`kubeplane kubeconfig: asking a control-plane node of ${cluster} (${runtime.location}) for a certificate for ${user} (${group}), valid ${options.ttl ?? "1h"}\n`);
  const minted = await runtime.mintKubeconfig({ user, group, ttlSeconds, recipientPublicKey: recipient.publicKeyPem });
  const parts = mintedParts(recipient.open(minted.envelope));
  // Never a credential that outlives --ttl (a minute's leeway for the node's clock).
  if (parts.expires.getTime() > startedAt + ttlSeconds * 1000 + 60_000) {
    throw new Error(`node ${minted.node} minted a certificate valid until ${parts.expires.toISOString()}, past --ttl ${options.ttl ?? "1h"}: not written`);
  }
  writeKubeconfig(file, cluster, user, parts);
  cli.stdout.write(
    `wrote context ${contextName(cluster)} (user ${user}, group ${group}, expires ${parts.expires.toISOString()}) to ${file}, minted on ${minted.node}\n` +
      `the API (${parts.server}) is private: reach it from inside the network, or run kubeplane tunnel ${cluster}\n`,
  );
  return 0;
}

/** Is `program` an executable file on `pathVar`? */
function onPath(program: string, pathVar: string | undefined): boolean {
  return (pathVar ?? "").split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Options of `kubeplane tunnel`. */
export interface TunnelOptions {
  readonly port?: string;
  /** Print the command instead of running it. */
  readonly print?: boolean;
}

/** `kubeplane tunnel <cluster>`: a port forward from localhost to the API through a control-plane node. */
export async function runTunnel(cli: CliContext, deps: OperatorDeps, cluster: string, options: TunnelOptions): Promise<number> {
  const port = Number(options.port ?? KUBE_API_SERVER_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port "${options.port}" is not a TCP port (1-65535)`);
  const definition = await clusterNamed(deps, cluster);
  const runtime = await access(deps, definition);
  const host = apiFqdn(definition.name, definition.network.privateDnsZone);
  const plan = await runtime.planTunnel({ localPort: port, host, port: KUBE_API_SERVER_PORT });
  const name = contextName(cluster);
  // The API server's certificate names the API's host: kubectl checks it against tls-server-name.
  const change = `kubectl config set-cluster ${name} --server=https://localhost:${port} --tls-server-name=${host}`;
  if (options.print) {
    cli.stdout.write(`${plan.command.map(shellQuote).join(" ")}\n${change}\n`);
    return 0;
  }
  const missing = plan.requires.filter((r) => !onPath(r.program, cli.env.PATH));
  if (missing.length > 0) {
    cli.stderr.write(`kubeplane: tunnel needs ${missing.map((m) => m.program).join(" and ")} on PATH; install ${missing.map((m) => m.install).join("; and ")}\n`);
    return 1;
  }
  cli.stderr.write(
    `kubeplane tunnel: localhost:${port} -> ${host}:${KUBE_API_SERVER_PORT} through ${plan.through}; Ctrl-C ends it.\n` +
      `In another terminal, point the context at the tunnel (once):\n  ${change}\n`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command[0], plan.command.slice(1), { env: cli.env, stdio: ["inherit", "pipe", "pipe"] });
    child.stdout.on("data", (c: Buffer) => cli.stdout.write(c));
    child.stderr.on("data", (c: Buffer) => cli.stderr.write(c));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Options of `kubeplane validate`. */
export interface ValidateOptions {
  readonly wait?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Seconds between rounds of --wait. @default 10 */
  readonly intervalSeconds?: number;
}

/** `kubeplane validate <cluster>`: 0 when healthy, 1 with a table of what is not. */
export async function runValidate(cli: CliContext, deps: OperatorDeps, cluster: string, options: ValidateOptions, reader?: KubeReader): Promise<number> {
  const waitSeconds = options.wait ? parseDuration(options.wait, "--wait") : 0;
  const definition = await clusterNamed(deps, cluster);
  const runtime = await access(deps, definition);
  const kube = reader ?? kubectlReader({ context: options.context ?? contextName(cluster), kubeconfig: options.kubeconfig, env: cli.env });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = (options.intervalSeconds ?? 10) * 1000;
  const required = requiredWorkloads(definition, runtime.cloudWorkloads);
  const backupIntervalMinutes = definition.backups.enabled ? backupInterval(definition.backups.interval) : undefined;
  const start = cli.now();
  for (let round = 1; ; round++) {
    const { problems, summary } = await validateOnce(() => runtime.inventory(), kube, required);
    if (backupIntervalMinutes !== undefined && runtime.etcdBackupStatus) {
      let backup: Problem | undefined;
      try {
        backup = etcdBackupProblem(await runtime.etcdBackupStatus(), backupIntervalMinutes, cli.now());
      } catch (e) {
        backup = { kind: "backup", name: "etcd-backup", problem: `could not be read: ${(e as Error).message}` };
      }
      if (backup) problems.push(backup);
    }
    if (problems.length === 0) {
      cli.stdout.write(`cluster ${cluster} is healthy: ${summary}\n`);
      return 0;
    }
    const left = waitSeconds * 1000 - (cli.now() - start);
    if (left <= 0) {
      cli.stdout.write(`${renderProblems(problems)}\n`);
      cli.stderr.write(`kubeplane validate: cluster ${cluster} is not healthy: ${problems.length} problem${problems.length === 1 ? "" : "s"} (${summary})${waitSeconds ? ` after waiting ${options.wait}` : ""}\n`);
      return 1;
    }
    cli.stderr.write(`kubeplane validate [${Math.round((cli.now() - start) / 1000)}s] round ${round}: ${problems.length} problem${problems.length === 1 ? "" : "s"} (first: ${problems[0].kind} ${problems[0].name}: ${problems[0].problem}); again in ${Math.round(interval / 1000)}s\n`);
    await sleep(Math.min(interval, left));
  }
}
