/**
 * `npm run local`, as a newcomer runs it: it starts its own emulator, deploys the dev example,
 * audits it clean, writes an env file for a second terminal and waits; the commands its guide
 * shows work from that env file; Ctrl-C stops the emulator and clears the workspace's state.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { KubeplaneWorkspace, plainText } from "../support/deploy/kubeplane-workspace";
import { connectionError } from "../support/emulator";
import { PROJECT_ROOT } from "../../cli/terraform-environment";

jest.setTimeout(15 * 60_000);

const READY = "Ctrl-C here stops the emulator";

let workspaceDir: string;
let local: ChildProcess;
let output = "";
let exited: Promise<number | null>;

/** The variables `export K=V` lines in the env file set (values are unquoted simple words). */
function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^'(.*)'$/, "$1");
  }
  return vars;
}

/** A running process: its id, parent and command line. */
interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly args: string;
}

/** Every process below `root` (children, grandchildren, ...), from `ps`. */
function descendants(root: number): ProcessEntry[] {
  const all = execFileSync("ps", ["-A", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found: ProcessEntry[] = [];
  let parents = new Set([root]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid));
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  workspaceDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-local-"));
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", CI: "1" };
  delete env.KUBEPLANE_CLUSTERS; // the default: the dev example
  // Its own process group, so that afterAll can kill whatever is left of it at once.
  local = spawn("npm", ["run", "--silent", "local", "--", `--workspace=${workspaceDir}`], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  local.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  local.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  exited = new Promise((resolve) => local.once("exit", (code) => resolve(code)));
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes(READY)) {
        clearInterval(check);
        resolve();
      } else if (local.exitCode !== null) {
        clearInterval(check);
        reject(new Error(`npm run local exited ${local.exitCode} before it was ready:\n${plainText(output).slice(-6000)}`));
      }
    }, 500);
  });
  process.stdout.write(`npm run local was ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

afterAll(async () => {
  if (local?.pid && local.exitCode === null && local.signalCode === null) {
    try {
      process.kill(-local.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(workspaceDir, { recursive: true, force: true });
});

test("deploys the dev example and audits it clean before handing over", () => {
  const text = plainText(output);
  expect(text).toMatch(/^dev-network\s+-\s+none\s+matches the definition$/m);
  expect(text).toMatch(/^dev-cluster\s+-\s+none\s+matches the definition$/m);
  expect(text).toContain("source ");
});

test("the env file points a second terminal at the emulator and the local workspace", async () => {
  const vars = readEnvFile(path.join(workspaceDir, "env.sh"));
  expect(vars).toMatchObject({ KUBEPLANE_CLUSTERS: "clusters/dev.yaml", KUBEPLANE_STATE_DIR: path.join(workspaceDir, "state") });
  expect(vars.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(existsSync(path.join(workspaceDir, "state", "dev", "dev-cluster.tfstate"))).toBe(true);

  const inventory = new EmulatorInventory({ ...process.env, ...vars }, "eu-west-1");
  expect(await inventory.vpcs("dev")).toHaveLength(1);
  const terminal = new KubeplaneWorkspace({ ...process.env, ...vars }, vars.KUBEPLANE_CLUSTERS);
  Object.assign(terminal.env, vars);
  try {
    const list = await terminal.run("state", ["dev-cluster", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^aws_autoscaling_group\.workers_group_\w+$/m);
  } finally {
    terminal.dispose();
  }
});

test("Ctrl-C stops the emulator and clears the workspace's state", async () => {
  const { AWS_ENDPOINT_URL: endpoint } = readEnvFile(path.join(workspaceDir, "env.sh"));
  // SIGINT to the node process of `npm run local` only, not to its group: a signal to the group
  // would also stop npm and the emulator directly, and so prove nothing of local.ts's own cleanup.
  const below = descendants(local.pid!);
  const node = below.find((p) => /cli\/local\.ts/.test(p.args) && /\bnode\b/.test(p.args.split(" ")[0]));
  const moto = below.filter((p) => /moto_server/.test(p.args));
  expect(node).toBeDefined();
  expect(moto).toHaveLength(1);
  expect(descendants(node!.pid).map((p) => p.pid)).toContain(moto[0].pid);
  process.kill(node!.pid, "SIGINT");

  // local.ts stops the emulator, clears the state directory, and ends with 0, and so does npm.
  expect(await exited).toBe(0);
  expect(plainText(output)).toContain("kubeplane local: stopping the emulator");
  expect(existsSync(path.join(workspaceDir, "state"))).toBe(false);
  expect(existsSync(path.join(workspaceDir, "env.sh"))).toBe(true);
  expect(await connectionError(`${endpoint}/moto-api/`)).toBe("ECONNREFUSED");
  expect(below.filter((p) => isAlive(p.pid)).map((p) => p.args)).toEqual([]);
});
