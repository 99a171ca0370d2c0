/**
 * `npm run destroy -- <stacks|globs> [cdktf flags]`: `cdktf destroy`, e.g.
 * `npm run destroy -- 'dev-*' --auto-approve`. cdktf destroys dependants first.
 */
import { runCdktf } from "./cdktf-command";

runCdktf("destroy", process.argv.slice(2)).then((code) => (process.exitCode = code));
