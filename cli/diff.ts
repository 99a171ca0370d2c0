/** `npm run diff -- <stack> [cdktf flags]`: `cdktf diff` (a plan) of one stack. */
import { runCdktf } from "./cdktf-command";

runCdktf("diff", process.argv.slice(2)).then((code) => (process.exitCode = code));
