/**
 * A cdktf app as `cdktf synth` runs it: the `app` command from a project's cdktf.json, run by
 * the shell in the project's directory, with the environment the CLI gives it (CDKTF_OUTDIR,
 * the context variables, and NODE_OPTIONS=--max-old-space-size=4096 unless NODE_OPTIONS is set).
 */
import { readFileSync } from "fs";
import * as path from "path";

/** A cdktf project whose app can be run. */
export interface SynthApp {
  /** The directory holding cdktf.json; the app runs there. */
  projectDir: string;
  /** The `app` command from cdktf.json. */
  command: string;
}

/** Reads the app command of the project in `projectDir`. */
export function readSynthApp(projectDir: string): SynthApp {
  const file = path.join(projectDir, "cdktf.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as { app?: unknown };
  if (typeof config.app !== "string" || config.app.trim() === "") {
    throw new Error(`${file} has no "app" command`);
  }
  return { projectDir, command: config.app };
}

/**
 * The environment `cdktf synth` gives the app, writing into `outdir`; `extra` is added on top
 * (e.g. KUBEPLANE_CLUSTERS). Variables of `base` named in `unset` are removed.
 */
export function synthEnvironment(
  outdir: string,
  extra: Record<string, string> = {},
  unset: string[] = [],
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(base).filter(([name]) => !name.startsWith("TF_VAR_")));
  for (const name of unset) delete env[name];
  return {
    ...env,
    NODE_OPTIONS: env.NODE_OPTIONS ?? "--max-old-space-size=4096",
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
    SYNTH_HCL_OUTPUT: "false",
    ...extra,
  };
}
