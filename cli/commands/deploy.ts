/** `kubeplane deploy <stacks|globs> [cdktf options]`: `cdktf deploy` (cli/cdktf-command.ts). */
import { cdktfWithProgress } from "./cdktf-run";
import { examples, RegisterSubcommand } from "./context";

export const registerDeploy: RegisterSubcommand = (program, cli) => {
  program
    .command("deploy")
    .summary("plan and apply stacks (dependencies first)")
    .description(
      "Deploys the named stacks (names or globs with * and ?) of the clusters KUBEPLANE_CLUSTERS\n" +
        "selects. A backup store that an earlier destroy kept is first imported into its cluster\n" +
        "stack (terraform import). Then cdktf deploy, which plans each stack, asks for approval unless\n" +
        "--auto-approve, and applies it; a cluster's network stack goes before its cluster stack. Then\n" +
        "it rolls the worker pools whose instances run an outdated launch template, one pool at a time\n" +
        "(kubeplane roll; --no-roll skips it). Further options go to cdktf deploy (npx cdktf deploy\n" +
        "--help lists them).",
    )
    .argument("[stacks-and-cdktf-options...]", "stack names or globs, then cdktf deploy options")
    .allowUnknownOption()
    .addHelpText(
      "after",
      examples(
        ["kubeplane deploy 'dev-*' --auto-approve", "kubeplane deploy dev-network", "kubeplane deploy '*' --auto-approve --parallelism=4"],
        ["Not on a terminal, one line per stack and phase goes to stderr: kubeplane deploy [12s] dev-network: planning"],
      ),
    )
    .action(async (rest: string[]) => {
      // Then the worker pools on an outdated launch template, one pool at a time (cli/pool-roll-command.ts).
      const { NO_ROLL_OPTION } = await import("../pool-roll-command");
      const args = rest.filter((a) => a !== NO_ROLL_OPTION);
      // First, a backup store an earlier destroy kept is imported into its stack (cli/backup-store-adoption.ts).
      const [{ CLUSTERS_ENV: clustersEnv, loadSelectedDefinitions: load }, { cloudFor: cloud, clusterResourcesFor }, { adoptKeptBackupStores }, root, tf, app] = await Promise.all([
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../backup-store-adoption"),
        import("../terraform-environment"),
        import("../terraform-command"),
        import("../synthesized-app"),
      ]);
      cli.exitCode = await adoptKeptBackupStores(args, {
        definitions: () => load(cli.env[clustersEnv], { cloudFor: cloud }, root.PROJECT_ROOT).map((l) => l.definition),
        resourcesFor: cli.clusterResourcesFor ?? clusterResourcesFor,
        synthesize: () => app.synthesizeApp(cli.env),
        initialize: (directory) => tf.initializeWorkingDirectory(directory, cli.env),
        terraform: (a, { cwd }) => tf.runTerraform(a, { cwd, env: cli.env }),
        report: (line) => cli.stderr.write(`${line}\n`),
      });
      if (cli.exitCode !== 0) return;
      cli.exitCode = await cdktfWithProgress("deploy", args, cli);
      if (cli.exitCode !== 0 || rest.includes(NO_ROLL_OPTION)) return;
      const [{ CLUSTERS_ENV, loadSelectedDefinitions }, { cloudFor }, { cloudRollerFor, rollAfterDeploy }, { PROJECT_ROOT }] = await Promise.all([
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../pool-roll-command"),
        import("../terraform-environment"),
      ]);
      cli.exitCode = await rollAfterDeploy(args, {
        definitions: () => loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((l) => l.definition),
        rollerFor: cloudRollerFor,
        report: (line) => cli.stderr.write(`${line}\n`),
      });
    });
};
