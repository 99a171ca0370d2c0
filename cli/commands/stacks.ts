/** `kubeplane stacks [stacks|globs] [--json]`: cli/stack-list.ts, for people and for CI matrices. */
import * as path from "path";
import { examples, RegisterSubcommand } from "./context";

export const registerStacks: RegisterSubcommand = (program, cli) => {
  program
    .command("stacks")
    .summary("list the selected stacks: cluster, definition, state, dependencies")
    .description(
      "Lists the stacks of the clusters KUBEPLANE_CLUSTERS selects (default: clusters/), or those\n" +
        "matching the names or globs given, as deploy and audit select them: each with its cluster,\n" +
        "definition file, state location (and S3 lock file) and the stacks it depends on. Reads the\n" +
        "definitions only: no synthesis, no cloud calls. --json prints { clusters, stacks } for a CI\n" +
        "matrix: one job per cluster, running its stacks in the order listed.",
    )
    .argument("[stacks...]", "stack names or globs (default: every stack of the selected clusters)")
    .option("--json", "print JSON instead of a table")
    .addHelpText(
      "after",
      examples([
        "kubeplane stacks",
        "kubeplane stacks --json",
        "KUBEPLANE_CLUSTERS=customers/ kubeplane stacks --json | jq -c '.clusters'",
        "kubeplane stacks 'prod-*' --json",
      ]),
    )
    .action(async (patterns: string[], options: { json?: boolean }) => {
      const [{ CLUSTERS_ENV, defaultStateKey, loadSelectedDefinitions }, { cloudFor }, { stackNames }, { localStatePath, STATE_DIR_ENV }, { PROJECT_ROOT }, list] =
        await Promise.all([
          import("../../definition"),
          import("../../providers/cloud-registry"),
          import("../../stacks/cluster-stacks"),
          import("../../stacks/state-backend"),
          import("../terraform-environment"),
          import("../stack-list"),
        ]);
      // As the app (main.ts) runs: from the project root, so relative paths are the root's.
      const stateDir = path.resolve(PROJECT_ROOT, cli.env[STATE_DIR_ENV] ?? "state");
      const layout = {
        stackNames,
        localStatePath: (cluster: string, stack: string) => localStatePath(cluster, stack, { [STATE_DIR_ENV]: stateDir }),
        defaultStateKey,
      };
      const definitions = loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT);
      const stacks = list.stackList(definitions, patterns, layout, PROJECT_ROOT);
      cli.stdout.write(options.json ? `${JSON.stringify(stacks, null, 2)}\n` : `${list.renderStackTable(stacks)}\n`);
    });
};
