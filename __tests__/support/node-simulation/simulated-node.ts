/**
 * A simulated node: a directory standing in for its root file system (KUBEPLANE_ROOT), holding
 * the files its rendered user data writes, and a PATH whose first entries are recording stubs
 * (kubeadm, kubectl, systemctl, curl serving IMDSv2, apt-get...). The aws CLI stays real and
 * talks to the emulator (run through its fork server, see aws-cli-server.py). Runs the node's real scripts and reads back what they did.
 */
import { execFileSync, spawn } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { NodeRole } from "../../../bootstrap/user-data-context";

/** Where the stub commands live. */
export const STUB_DIR = path.join(__dirname, "stubs");

/** Commands that only record their arguments. */
const RECORDED_COMMANDS = ["apt-get", "apt-mark", "containerd", "gpg", "kubectl", "modprobe", "snap", "swapoff", "sysctl", "systemctl"];

let awsCli: string | undefined;

/**
 * The real aws CLI executable. A pyenv shim is resolved to the executable it runs, which saves
 * the shim's start-up on every call the simulated nodes make.
 */
export function realAwsCli(): string {
  awsCli ??= execFileSync("bash", ["-c", "pyenv which aws 2>/dev/null || command -v aws"], { encoding: "utf8" }).trim();
  return awsCli;
}

/** The Python that runs the aws CLI (its script's shebang). */
function awsCliPython(): string {
  const shebang = readFileSync(realAwsCli(), "utf8").split("\n")[0];
  const python = /^#!\s*(\S+)/.exec(shebang)?.[1];
  if (!python || python.endsWith("/env")) throw new Error(`the aws CLI ${realAwsCli()} does not name its Python on its first line (${shebang})`);
  return python;
}

/**
 * How the simulated nodes run the real aws CLI: through its fork server (aws-cli-server.py,
 * which creates and warms the CLI's driver once and forks a child per call: about 0.1 s of CPU
 * a call instead of 0.6 s), or as a process per call, as on a real node (KUBEPLANE_SIM_AWS_CLI=process, which the
 * join-wait benchmark uses, since it measures the call's start-up too).
 */
export const awsCliMode = (): "process" | "fork-server" => (process.env.KUBEPLANE_SIM_AWS_CLI === "process" ? "process" : "fork-server");

let awsServer: { socket: string; python: string } | undefined;

/** Starts the aws CLI fork server of this process, once; it exits when this process does. */
export function awsCliServer(): { socket: string; python: string } {
  if (awsServer) return awsServer;
  const python = awsCliPython();
  const socket = path.join(mkdtempSync(path.join(os.tmpdir(), "kubeplane-aws-cli-")), "server.sock");
  const server = spawn(python, [path.join(__dirname, "aws-cli-server.py"), socket], { stdio: ["ignore", "ignore", "inherit"], detached: false });
  server.unref();
  awsServer = { socket, python };
  return awsServer;
}

/** One recorded invocation of a stubbed command. */
export interface RecordedCall {
  readonly command: string;
  readonly args: string[];
  /** Epoch milliseconds. */
  readonly at: number;
}

/** The outcome of running a node script. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** A node script that is running. */
export interface RunningScript {
  readonly finished: Promise<ScriptRun>;
  /** Resolves once the script's log (stderr) contains `text`. */
  logged(text: string, waitMs?: number): Promise<void>;
}

/** The instance a simulated node runs as (from the emulator's EC2). */
export interface SimulatedInstance {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly privateDnsName: string;
  readonly privateIp: string;
}

interface WriteFileEntry {
  path: string;
  permissions?: string;
  encoding?: string;
  content: string;
}

/** Timings that make the join loop poll in tenths of seconds instead of seconds (each poll is an aws CLI start). */
export const FAST_JOIN_TIMINGS: Readonly<Record<string, string>> = {
  KUBEPLANE_JOIN_BACKOFF_INITIAL_MS: "300",
  KUBEPLANE_JOIN_BACKOFF_MAX_MS: "1500",
  KUBEPLANE_JOIN_MAX_WAIT_SECONDS: "60",
  KUBEPLANE_REFRESH_REQUEST_INTERVAL_SECONDS: "30",
};

export class SimulatedNode {
  readonly root: string;
  private readonly callsFile: string;
  private readonly binDir: string;

  constructor(
    readonly name: string,
    readonly role: NodeRole,
    readonly directory: string,
    readonly instance: SimulatedInstance,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    this.root = path.join(directory, "root");
    this.callsFile = path.join(directory, "calls.jsonl");
    this.binDir = path.join(directory, "bin");
    mkdirSync(this.root, { recursive: true });
    mkdirSync(this.binDir, { recursive: true });
    writeFileSync(this.callsFile, "");
    symlinkSync(awsCliMode() === "process" ? realAwsCli() : path.join(STUB_DIR, "aws"), path.join(this.binDir, "aws"));
    for (const stub of ["kubeadm", "curl", "getent"]) symlinkSync(path.join(STUB_DIR, stub), path.join(this.binDir, stub));
    for (const command of RECORDED_COMMANDS) symlinkSync(path.join(STUB_DIR, "recorder"), path.join(this.binDir, command));
  }

  /** Writes the files of the user data's write_files, decoded, under the node's root. */
  install(userData: string): void {
    const config = parse(userData.replace(/^#cloud-config\n/, "")) as { write_files: WriteFileEntry[] };
    for (const entry of config.write_files) {
      const target = path.join(this.root, entry.path);
      mkdirSync(path.dirname(target), { recursive: true });
      const content =
        entry.encoding === "gz+b64" ? gunzipSync(Buffer.from(entry.content, "base64")) : Buffer.from(entry.content, "utf8");
      writeFileSync(target, content);
      chmodSync(target, parseInt(entry.permissions ?? "0644", 8));
    }
  }

  /** The environment the node's scripts run in. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...this.baseEnv,
      PATH: `${this.binDir}:${process.env.PATH}`,
      KUBEPLANE_ROOT: this.root,
      SIM_STUBS: STUB_DIR,
      SIM_CALLS: this.callsFile,
      SIM_INSTANCE_ID: this.instance.instanceId,
      SIM_AZ: this.instance.availabilityZone,
      SIM_LOCAL_HOSTNAME: this.instance.privateDnsName,
      SIM_LOCAL_IPV4: this.instance.privateIp,
      ...(awsCliMode() === "fork-server" ? { SIM_AWS_SOCKET: awsCliServer().socket, SIM_AWS_PYTHON: awsCliServer().python } : {}),
      ...FAST_JOIN_TIMINGS,
      ...extra,
    };
  }

  /** Runs a script of the node, given by its path on the node, e.g. /usr/local/sbin/kubeplane-bootstrap. */
  run(nodePath: string, args: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<ScriptRun> {
    return this.start(nodePath, args, extraEnv).finished;
  }

  /** Starts a script of the node; its log can be watched while it runs. */
  start(nodePath: string, args: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): RunningScript {
    const startedAt = Date.now();
    let stdout = "";
    let stderr = "";
    const finished = new Promise<ScriptRun>((resolve, reject) => {
      const child = spawn(path.join(this.root, nodePath), [...args], { env: this.env(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, startedAt, durationMs: Date.now() - startedAt });
      });
    });
    const logged = async (text: string, waitMs = 60_000): Promise<void> => {
      const deadline = Date.now() + waitMs;
      while (!stderr.includes(text)) {
        if (Date.now() > deadline) throw new Error(`${this.name} did not log "${text}" within ${waitMs} ms:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return { finished, logged };
  }

  /** Every stubbed command the node ran, in order. */
  calls(command?: string): RecordedCall[] {
    const all = readFileSync(this.callsFile, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as RecordedCall);
    return command === undefined ? all : all.filter((call) => call.command === command);
  }

  /** A file under the node's root, or undefined when it does not exist. */
  file(nodePath: string): string | undefined {
    const target = path.join(this.root, nodePath);
    return existsSync(target) ? readFileSync(target, "utf8") : undefined;
  }
}
