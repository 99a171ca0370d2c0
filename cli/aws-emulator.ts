/**
 * Starts `moto_server`, an AWS API emulator, on a free loopback port, and gives the environment
 * that points the aws CLI, Terraform's aws provider and its S3 backend at it. Each test suite
 * (and each `npm run local`) gets its own emulator, so they never see each other's resources;
 * everything lives in the emulator's memory and is gone when it stops.
 */
import { ChildProcess, spawn } from "child_process";
import { createServer } from "net";
import * as path from "path";

/** A running emulator. */
export interface Emulator {
  /** e.g. http://127.0.0.1:45123 */
  readonly endpoint: string;
  /** Environment for aws CLI / Terraform processes that talk to this emulator. */
  readonly env: NodeJS.ProcessEnv;
  /** Stops the emulator and waits for it to exit. */
  stop(): Promise<void>;
}

/** Python start-up code for moto_server that makes it answer as AWS does where moto 5.2.1 does not (see the file). */
export const EMULATOR_PATCHES = path.join(__dirname, "moto-patches");

/** The AMI list the emulator serves (shipped with the emulator's patches, used by `kubeplane local` too): a Canonical Ubuntu 24.04 image, so AMI lookups work. */
export const EMULATOR_AMIS = path.join(EMULATOR_PATCHES, "amis.json");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before it answered`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/** Environment for a client of the emulator at `endpoint`, on top of `base`. */
export function emulatorEnvironment(endpoint: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SESSION_TOKEN: "testing",
    AWS_DEFAULT_REGION: base.AWS_DEFAULT_REGION ?? "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
}

/** Options of startEmulator. */
export interface EmulatorOptions {
  /** How long to wait for the emulator to answer (default 30 s). */
  readonly timeoutMs?: number;
  /** The port to listen on (default: a free one). */
  readonly port?: number;
}

/** Starts an emulator on a free port. Call `stop()` in afterAll. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    // AWS managed policies (AmazonSSMManagedInstanceCore, ...) exist in every account; moto
    // loads them only when asked.
    env: {
      ...process.env,
      MOTO_AMIS_PATH: EMULATOR_AMIS,
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
      PYTHONPATH: [EMULATOR_PATCHES, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      // The emulator's patches watch this process and end the emulator when it is gone, however
      // it ended (cli/moto-patches/sitecustomize.py).
      KUBEPLANE_EMULATOR_OWNER_PID: String(process.pid),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) => reject(new Error(`cannot start moto_server (is it installed?): ${e.message}`))),
  );
  // If this process ends without stop() (a Jest worker that dies, process.exit in a signal
  // handler), the emulator must not outlive it: "exit" handlers run synchronously, and a kill is
  // synchronous. A SIGKILL of this process runs no handler at all: then the emulator notices
  // itself that its owner is gone (KUBEPLANE_EMULATOR_OWNER_PID above).
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  try {
    await Promise.race([waitUntilUp(endpoint, child, options.timeoutMs ?? 30_000), spawnError]);
  } catch (e) {
    process.removeListener("exit", killOnExit);
    child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    env: emulatorEnvironment(endpoint),
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
