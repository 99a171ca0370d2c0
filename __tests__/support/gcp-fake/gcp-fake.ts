/**
 * Starts the local fake of the Google Cloud APIs the GCP node scripts call (gcp-fake-server.py:
 * the metadata server of each simulated VM, Secret Manager, the Cloud Storage object download,
 * Compute Engine's recreateInstances and aggregated instance list) and hands a test the endpoint
 * overrides the scripts read (KUBEPLANE_GCP_*_URL) and the fake's control API. One fake per
 * suite: start it in `beforeAll`, stop it in `afterAll`.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { createInterface } from "readline";

/** A VM of the fake, as its control API returns it. */
export interface FakeVm {
  readonly name: string;
  readonly id: string;
  readonly zone: string;
  readonly ip: string;
  readonly token: string;
  readonly labels: Record<string, string>;
  readonly guestAttributes: Record<string, string>;
  readonly preempted: boolean;
  readonly createdBy?: string;
}

export interface FakeVmOptions {
  readonly zone?: string;
  readonly ip?: string;
  readonly labels?: Record<string, string>;
  /** projects/<number>/(zones|regions)/<scope>/instanceGroupManagers/<name> */
  readonly createdBy?: string;
  /** The VM's metadata enable-guest-attributes. @default true */
  readonly guestAttributes?: boolean;
  /** Its service account may access secret versions but not read secrets (secretAccessor only). @default false */
  readonly denySecretGet?: boolean;
}

/** A secret in the fake, with its versions' data (base64). */
export interface FakeSecret {
  readonly name: string;
  readonly etag: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly versions: { name: string; state: string; data: string }[];
}

export interface FakeState {
  readonly secrets: Record<string, FakeSecret>;
  readonly recreations: { group: string; instances: string[] }[];
  readonly requests: { method: string; path: string; who: string }[];
  readonly project: string;
  readonly projectNumber: string;
  readonly operatorToken: string;
}

export class GcpFake {
  private constructor(
    private readonly server: ChildProcess,
    /** e.g. http://127.0.0.1:40123 */
    readonly url: string,
  ) {}

  static async start(): Promise<GcpFake> {
    const server = spawn("python3", [path.join(__dirname, "gcp-fake-server.py")], { stdio: ["ignore", "pipe", "inherit"] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.once("line", (line) => resolve(line));
      server.once("error", reject);
      server.once("exit", (code) => reject(new Error(`the GCP fake exited (status ${code}) before it listened`)));
    });
    const { port } = JSON.parse(firstLine) as { port: number };
    return new GcpFake(server, `http://127.0.0.1:${port}`);
  }

  stop(): void {
    this.server.kill("SIGTERM");
  }

  /** The endpoint overrides a script of VM `vm` runs with (the metadata server is the VM's own). */
  env(vm: string): Record<string, string> {
    return {
      KUBEPLANE_GCP_METADATA_URL: `${this.url}/vm/${vm}/computeMetadata/v1`,
      KUBEPLANE_GCP_SECRET_MANAGER_URL: `${this.url}/secretmanager/v1`,
      KUBEPLANE_GCP_STORAGE_URL: `${this.url}/storage/v1`,
      KUBEPLANE_GCP_COMPUTE_URL: `${this.url}/compute/v1`,
    };
  }

  private async control<T>(what: string, body?: unknown): Promise<T> {
    const answer = await fetch(`${this.url}/_fake/${what}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    if (!answer.ok) throw new Error(`GCP fake ${what}: HTTP ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  }

  addVm(name: string, options: FakeVmOptions = {}): Promise<FakeVm> {
    return this.control<FakeVm>("vm", { name, ...options });
  }

  vm(name: string): Promise<FakeVm> {
    return this.control<FakeVm>(`vm/${name}`);
  }

  preempt(name: string): Promise<FakeVm> {
    return this.control<FakeVm>(`vm/${name}/preempt`, {});
  }

  setStatus(name: string, status: string): Promise<FakeVm> {
    return this.control<FakeVm>(`vm/${name}/status`, { status });
  }

  /** Uploads a generation of an object; returns its generation number. */
  async putObject(bucket: string, object: string, data: Buffer): Promise<number> {
    return (await this.control<{ generation: number }>("object", { bucket, object, data: data.toString("base64") })).generation;
  }

  state(): Promise<FakeState> {
    return this.control<FakeState>("state");
  }

  /** Calls a Google API of the fake as the operator (or with `token`), as a test fixture. */
  async api(method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}, token?: string | null): Promise<{ status: number; json: unknown; text: string }> {
    const all: Record<string, string> = { ...headers };
    if (token !== null) all.Authorization = `Bearer ${token ?? (await this.state()).operatorToken}`;
    if (body !== undefined) all["Content-Type"] = "application/json";
    const answer = await fetch(`${this.url}${apiPath}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await answer.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: answer.status, json, text };
  }
}
