/**
 * `npm run destroy -- <stacks|globs> [cdktf flags]`: `cdktf destroy`, e.g.
 * `npm run destroy -- 'dev-*' --auto-approve`. cdktf destroys dependants first.
 */
import { cdktfMain } from "./cdktf-command";

// cdktfMain never rejects: a cdktf that cannot start is reported as `kubeplane: <message>`, exit 1.
cdktfMain("destroy", process.argv.slice(2)).then((code) => (process.exitCode = code));
