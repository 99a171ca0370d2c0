/**
 * `npm run local`, as a newcomer runs it: it starts its own emulator, deploys the dev example,
 * audits it clean, writes an env file for a second terminal and waits; the commands its guide
 * shows work from that env file; Ctrl-C stops the emulator and clears the workspace's state.
 */
import { ChildProcess, spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";
import { KubeplaneWorkspace, plainText } from "../support/deploy/kubeplane-workspace";
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

beforeAll(async () => {
  workspaceDir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-local-"));
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", CI: "1" };
  delete env.KUBEPLANE_CLUSTERS; // the default: the dev example
  // Its own process group, so the test can send Ctrl-C to it as a terminal would.
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
  // A terminal's Ctrl-C: SIGINT to the whole foreground group (npm, node, the emulator).
  process.kill(-local.pid!, "SIGINT");
  const ended = await exited;
  expect(ended === 0 || local.signalCode === "SIGINT").toBe(true);
  // npm itself may end on the signal before `npm run local` has finished cleaning up.
  const stateDir = path.join(workspaceDir, "state");
  const deadline = Date.now() + 30_000;
  while (existsSync(stateDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect(existsSync(stateDir)).toBe(false);
  await expect(fetch(`${endpoint}/moto-api/`)).rejects.toThrow();
});
