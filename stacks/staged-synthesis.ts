/**
 * Synthesizes an app into a staging directory and publishes the result into the real output
 * directory only when synthesis (including every validation) succeeded. A failed synth leaves
 * the output directory as it was: nothing half-written. Files Terraform keeps beside the
 * synthesized JSON (`.terraform/`, lock files) are left in place, and so are folders of stacks
 * the app no longer has (as cdktf itself does: its CLI still reads them after a synth; the
 * manifest lists only the current stacks).
 */
import { App } from "cdktf";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "fs";
import * as path from "path";

/** The output directory cdktf asks for (the CLI sets CDKTF_OUTDIR), or `cdktf.out`. */
export function outputDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CDKTF_OUTDIR ?? "cdktf.out");
}

/**
 * Builds the app with `build`, synthesizes it into a staging directory beside `outdir`, and
 * publishes it. Throws (leaving `outdir` untouched) if building or synthesizing throws.
 */
export function synthesizeStaged(outdir: string, build: (app: App) => void): void {
  const parent = path.dirname(outdir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, `.${path.basename(outdir)}.staging-`));
  try {
    const app = new App({ outdir: staging });
    build(app);
    app.synth();
    cpSync(staging, outdir, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
