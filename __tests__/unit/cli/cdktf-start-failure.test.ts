/**
 * When cdktf cannot be started (node_modules/.bin/cdktf missing, a bad environment), the
 * `npm run deploy|diff|destroy|synth` scripts say so in one line, `kubeplane: <message>`, and
 * exit 1, instead of dying of an unhandled rejection with a stack trace.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { cdktfMain, runCdktf } from "../../../cli/cdktf-command";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";

function collect(): { write: (s: string) => boolean; text: () => string } {
  let text = "";
  return { write: (s: string) => ((text += s), true), text: () => text };
}

describe("cdktfMain", () => {
  test("passes cdktf's exit code through", async () => {
    const stderr = collect();
    expect(await cdktfMain("deploy", ["x"], async () => 3, stderr)).toBe(3);
    expect(stderr.text()).toBe("");
  });

  test("a cdktf that cannot start is one line and exit code 1", async () => {
    const stderr = collect();
    const failing = async () => {
      throw Object.assign(new Error("spawn /p/node_modules/.bin/cdktf ENOENT"), { code: "ENOENT" });
    };
    expect(await cdktfMain("deploy", [], failing, stderr)).toBe(1);
    expect(stderr.text()).toBe("kubeplane: spawn /p/node_modules/.bin/cdktf ENOENT\n");
  });

  test("runCdktf rejects (does not throw) when spawn refuses its arguments", async () => {
    const result = runCdktf("synth", [], { env: { BAD: "a\0b" }, stdio: "ignore" });
    await expect(result).rejects.toThrow(/null bytes|invalid/i);
  });
});

describe.each(["deploy", "diff", "destroy", "synth"])("npm run %s when cdktf cannot start", (script) => {
  test("prints kubeplane: <message> without a stack trace and exits 1", () => {
    // Preloaded: every spawn runs a program that does not exist, as with node_modules/.bin/cdktf gone.
    const preload = path.join(mkdtempSync(path.join(os.tmpdir(), "kubeplane-nospawn-")), "no-cdktf.js");
    writeFileSync(
      preload,
      `const cp = require("child_process"); const real = cp.spawn;\n` +
        `cp.spawn = (file, args, options) => real("/nonexistent/kubeplane-test/cdktf", args, options);\n`,
    );
    const run = spawnSync(process.execPath, ["-r", "@swc-node/register", "-r", preload, path.join("cli", `${script}.ts`), "x"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { ...process.env, CDKTF_OUTDIR: path.dirname(preload) },
    });
    // destroy adds why nothing the nodes wrote was removed: the removal runs only after a destroy that succeeded.
    const destroyNote =
      "kubeplane destroy: cdktf destroy failed (exit 1); nothing the nodes wrote at run time was removed (a destroy that succeeds removes it)";
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
      status: 1,
      stderr: ["kubeplane: spawn /nonexistent/kubeplane-test/cdktf ENOENT", ...(script === "destroy" ? [destroyNote] : [])].join("\n"),
    });
  });
});
