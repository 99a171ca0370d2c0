/**
 * `npm run deploy -- <stacks|globs> [cdktf flags]`: `cdktf deploy` for the clusters
 * KUBEPLANE_CLUSTERS selects (default `clusters/`), e.g. `npm run deploy -- 'dev-*' --auto-approve`.
 */
import { runCdktf } from "./cdktf-command";

runCdktf("deploy", process.argv.slice(2)).then((code) => (process.exitCode = code));
