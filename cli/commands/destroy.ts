/**
 * `kubeplane destroy <stacks|globs> [cdktf options]`: `cdktf destroy`, then the removal of what
 * the destroyed clusters' nodes wrote at run time (cli/destroy-command.ts).
 */
import { cdktfWithProgress } from "./cdktf-run";
import { examples, RegisterSubcommand } from "./context";

export const registerDestroy: RegisterSubcommand = (program, cli) => {
  program
    .command("destroy")
    .summary("destroy stacks (dependants first) and what their nodes wrote")
    .description(
      "Destroys the named stacks (names or globs) of the clusters KUBEPLANE_CLUSTERS selects:\n" +
        "cdktf destroy, dependants first. Then, for each cluster whose cluster stack was destroyed,\n" +
        "removes what its nodes wrote at run time (on AWS the SSM parameters under /kubeplane/<cluster>/),\n" +
        "which Terraform does not know, and lists the resources tagged with the cluster that no state\n" +
        "tracks (orphans of an interrupted apply); --orphans removes them. Further options go to cdktf destroy.",
    )
    .argument("[stacks-and-cdktf-options...]", "stack names or globs, then cdktf destroy options")
    .allowUnknownOption()
    .addHelpText("after", examples(["kubeplane destroy 'dev-*' --auto-approve", "kubeplane destroy dev-cluster", "kubeplane destroy 'dev-*' --auto-approve --orphans"]))
    .action(async (rest: string[]) => {
      const [{ CLUSTERS_ENV, loadSelectedDefinitions }, { cloudFor, runtimeDataFor }, { destroyMain }, { PROJECT_ROOT }] = await Promise.all([
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../destroy-command"),
        import("../terraform-environment"),
      ]);
      // destroyMain never rejects: a failed removal is reported with what to do next, exit 1.
      cli.exitCode = await destroyMain(rest, {
        destroy: (args) => cdktfWithProgress("destroy", args, cli),
        // The app (main.ts) runs from the project root: select the same definitions it synthesized.
        definitions: () => loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((l) => l.definition),
        runtimeDataFor,
        // Resources tagged with a destroyed cluster that no state tracks: listed, or removed with --orphans.
        findOrphans: async (definition, kept) => (await import("../orphans")).clusterOrphans(definition, cli.env, kept),
        // The backup store outlives the cluster unless backups.keepOnDestroy is false (issue 15).
        keepBackupStore: async (definition) => (await import("../etcd-keep-on-destroy")).keepBackupStore(definition, cli.env),
        out: (line) => cli.stdout.write(`${line}\n`),
        err: (line) => cli.stderr.write(`${line}\n`),
      });
    });
};
