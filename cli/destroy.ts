/**
 * `npm run destroy -- <stacks|globs> [cdktf flags]`: `cdktf destroy`, e.g.
 * `npm run destroy -- 'dev-*' --auto-approve`. cdktf destroys dependants first. Then, for each
 * cluster whose cluster stack was destroyed, removes what its nodes wrote at run time (on AWS the
 * SSM parameters under `/kubeplane/<cluster>/`; see destroy-command.ts).
 */
import { CLUSTERS_ENV, loadSelectedDefinitions } from "../definition";
import { cloudFor, runtimeDataFor } from "../providers/cloud-registry";
import { cdktfMain } from "./cdktf-command";
import { destroyMain } from "./destroy-command";
import { PROJECT_ROOT } from "./terraform-environment";

// cdktfMain never rejects: a cdktf that cannot start is reported as `kubeplane: <message>`, exit 1.
// destroyMain never rejects either: a failed removal is reported with what to do next, exit 1.
destroyMain(process.argv.slice(2), {
  destroy: (args) => cdktfMain("destroy", args),
  // The app (main.ts) runs from the project root: select the same definitions it synthesized.
  definitions: () => loadSelectedDefinitions(process.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((l) => l.definition),
  runtimeDataFor,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => (process.exitCode = code));
