/**
 * A control-plane node for bootstrap/node/mint-kubeconfig.sh: a scratch root laid out as on a node
 * (the library is the source directory, cluster.env of the dev cluster, admin.conf and the
 * initialised marker, a cluster CA made with openssl), and a run of the script with the stubs of
 * ./stubs first on PATH: kubeadm (`kubeconfig user`), kubectl (the kubeadm-config ConfigMap) and,
 * unless `realAws` is given, the aws CLI (Parameter Store as files under `parameters`).
 */
import { execFileSync, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";

export const STUBS = path.join(__dirname, "stubs");
export const MINT_SCRIPT = path.join(NODE_SOURCE_DIR, "mint-kubeconfig.sh");
export const API_ENDPOINT = "api.dev.kubeplane.internal:6443";

export interface MintNode {
  readonly root: string;
  /** Where the stub aws CLI keeps parameters (one file per name, `/` spelled `%`). */
  readonly parameters: string;
}

/** A node of the dev cluster in `role`; `settings` override cluster.env's. */
export function mintNode(role = "control-plane-init", initialised = true, settings: Record<string, string> = {}): MintNode {
  const root = mkdtempSync(path.join(os.tmpdir(), "kubeplane-mint-"));
  mkdirSync(path.join(root, "usr/local/lib"), { recursive: true });
  symlinkSync(NODE_SOURCE_DIR, path.join(root, "usr/local/lib/kubeplane"));
  for (const dir of ["etc/kubeplane", "etc/kubernetes/pki", "var/lib/kubeplane", "parameters"]) mkdirSync(path.join(root, dir), { recursive: true });
  const env: Record<string, string> = {
    KUBEPLANE_CLUSTER: "dev",
    KUBEPLANE_ROLE: role,
    KUBEPLANE_INSTALLER: "kubeadm",
    KUBEPLANE_KUBERNETES_VERSION: "1.36.5",
    KUBEPLANE_PARAMETER_BACKEND: "ssm",
    KUBEPLANE_CLOUD: "aws",
    KUBEPLANE_API_SERVER_PORT: "6443",
    KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "24",
    KUBEPLANE_PARAMETER_PATH: "/kubeplane/dev",
    KUBEPLANE_WORKER_JOIN_PARAMETER: "/kubeplane/dev/join/worker",
    KUBEPLANE_CONTROL_PLANE_ENDPOINT: API_ENDPOINT.split(":")[0],
    KUBEPLANE_AWS_REGION: "eu-west-1",
    ...settings,
  };
  writeFileSync(path.join(root, "etc/kubeplane/cluster.env"), Object.entries(env).map(([k, v]) => `${k}='${v}'\n`).join(""));
  const pki = path.join(root, "etc/kubernetes/pki");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${pki}/ca.key`, "-out", `${pki}/ca.crt`, "-subj", "/CN=kubernetes", "-days", "3650"], { stdio: "ignore" });
  if (initialised) {
    writeFileSync(path.join(root, "etc/kubernetes/admin.conf"), "apiVersion: v1\nkind: Config\n");
    writeFileSync(path.join(root, "var/lib/kubeplane/initialised"), "");
  }
  return { root, parameters: path.join(root, "parameters") };
}

/** Runs the mint script on `node` with `args`; `realAws` puts the real aws CLI's directory before the stub's. */
export function runMint(node: MintNode, args: readonly string[], env: Record<string, string> = {}, realAws?: string) {
  let bin = STUBS;
  if (realAws) {
    bin = path.join(node.root, "sim-bin");
    mkdirSync(bin, { recursive: true });
    for (const stub of ["kubeadm", "kubectl"]) symlinkSync(path.join(STUBS, stub), path.join(bin, stub));
    symlinkSync(realAws, path.join(bin, "aws"));
  }
  const r = spawnSync(MINT_SCRIPT, [...args], {
    env: { ...(realAws ? process.env : {}), SIM_CONTROL_PLANE_ENDPOINT: API_ENDPOINT, ...env, PATH: `${bin}:${process.env.PATH}`, KUBEPLANE_ROOT: node.root, SIM_PARAMETERS: node.parameters },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The parameters the stub aws CLI holds, by name. */
export function parametersOf(node: MintNode): Record<string, string> {
  return Object.fromEntries(readdirSync(node.parameters).map((f) => [f.replace(/%/g, "/"), readFileSync(path.join(node.parameters, f), "utf8")]));
}

/** The mint command line the SSM document runs, from the document's parameters. */
export function mintArguments(parameters: Record<string, readonly string[]>): string[] {
  return [
    "--client-name", parameters.clientName[0],
    "--org", parameters.group[0],
    "--validity-seconds", parameters.validitySeconds[0],
    "--handback", parameters.handback[0],
    "--recipient", parameters.recipient[0],
  ];
}
