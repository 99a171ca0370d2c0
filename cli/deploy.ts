/**
 * `npm run deploy -- <stacks|globs> [cdktf flags]`: `cdktf deploy` for the clusters
 * KUBEPLANE_CLUSTERS selects (default `clusters/`), e.g. `npm run deploy -- 'dev-*' --auto-approve`.
 */
import { cdktfMain } from "./cdktf-command";

// cdktfMain never rejects: a cdktf that cannot start is reported as `kubeplane: <message>`, exit 1.
cdktfMain("deploy", process.argv.slice(2)).then((code) => (process.exitCode = code));
