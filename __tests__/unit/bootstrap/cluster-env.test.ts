import { execFileSync } from "child_process";
import fc from "fast-check";
import { renderClusterEnv, shellQuote } from "../../../bootstrap/cluster-env";

function sourced(settings: Record<string, string>): Record<string, string> {
  const names = Object.keys(settings);
  const script = `set -a; eval "$1"; ${names.map((n) => `printf '%s\\0' "$${n}"`).join("; ")}`;
  // stdin not a socket: bash would otherwise source ~/.bashrc as if started by sshd.
  const out = execFileSync("bash", ["-c", script, "bash", renderClusterEnv(settings)], {
    env: {},
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
  const values = out.split("\0").slice(0, names.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

test("bash reads back exactly the values written, whatever characters they hold", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme-ascii" }).filter((s) => !/[\n\r\0]/.test(s)), (value) => {
      expect(sourced({ KUBEPLANE_VALUE: value })).toEqual({ KUBEPLANE_VALUE: value });
    }),
    { numRuns: 60 },
  );
});

test("Terraform tokens and shell syntax are written verbatim, not expanded", () => {
  const settings = {
    KUBEPLANE_KMS_KEY_ID: "${TfToken[TOKEN.87]}",
    KUBEPLANE_A: "it's $HOME `id` $(id) \\n",
  };
  expect(sourced(settings)).toEqual(settings);
  expect(renderClusterEnv(settings)).toContain("KUBEPLANE_KMS_KEY_ID='${TfToken[TOKEN.87]}'\n");
  expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
});

test("rejects names that are not KUBEPLANE_ variables and multi-line values", () => {
  expect(() => renderClusterEnv({ PATH: "/x" })).toThrow(/KUBEPLANE_<UPPER_SNAKE_CASE>/);
  expect(() => renderClusterEnv({ "KUBEPLANE_A;rm": "x" })).toThrow(/KUBEPLANE_<UPPER_SNAKE_CASE>/);
  expect(() => renderClusterEnv({ KUBEPLANE_A: "x\ny" })).toThrow(/single line/);
});
