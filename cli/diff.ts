/** `npm run diff -- <stack> [cdktf flags]`: `cdktf diff` (a plan) of one stack. */
import { cdktfMain } from "./cdktf-command";

// cdktfMain never rejects: a cdktf that cannot start is reported as `kubeplane: <message>`, exit 1.
cdktfMain("diff", process.argv.slice(2)).then((code) => (process.exitCode = code));
