/**
 * The google provider package is large (1,400 resource classes): an AWS synth must not load it.
 * One child process (jest's module registry is not Node's): the AWS example's stacks, a look at
 * what Node loaded, then the GCP example's (which must load it: the look can see it).
 */
import { spawnSync } from "child_process";
import { PROJECT_ROOT } from "../../../support/examples";

const SCRIPT = `
const { App } = require("cdktf");
const { addClusterStacks } = require("./stacks/cluster-stacks");
const { loadDefinitions } = require("./definition");
const { cloudFor } = require("./providers");
const googleModules = () => Object.keys(require.cache).filter((k) => k.includes("provider-google")).length;
const build = (cluster) => {
  const [{ definition }] = loadDefinitions(["clusters/" + cluster + ".yaml"], { cloudFor });
  addClusterStacks(new App({ outdir: require("os").tmpdir() + "/kp-lazy-" + cluster }), definition);
  return googleModules();
};
process.stdout.write(JSON.stringify({ aws: build("dev"), gcp: build("gcp-dev") }));
`;

test("building an AWS example's stacks loads nothing of @cdktf/provider-google; a GCP one does", () => {
  const result = spawnSync(process.execPath, ["-r", "@swc-node/register", "-e", SCRIPT], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(result.stderr).toBe("");
  const loaded = JSON.parse(result.stdout) as { aws: number; gcp: number };
  expect(loaded.aws).toBe(0);
  expect(loaded.gcp).toBeGreaterThan(0);
});
