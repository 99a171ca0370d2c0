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
      const [{ NO_ROLL_OPTION, cloudRollerFor, rollAfterDeploy }, { CLUSTERS_ENV, loadSelectedDefinitions }, registry, { adoptKeptBackupStores }, { PROJECT_ROOT }, terraform, app] = await Promise.all([
        import("../pool-roll-command"),
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../backup-store-adoption"),
        import("../terraform-environment"),
        import("../terraform-command"),
        import("../synthesized-app"),
      ]);
      const args = rest.filter((a) => a !== NO_ROLL_OPTION);
      const definitions = () => loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor: registry.cloudFor }, PROJECT_ROOT).map((l) => l.definition);
      // First, a backup store an earlier destroy kept is imported into its stack (cli/backup-store-adoption.ts).
      cli.exitCode = await adoptKeptBackupStores(args, {
        definitions,
        resourcesFor: cli.clusterResourcesFor ?? registry.clusterResourcesFor,
        synthesize: () => app.synthesizeApp(cli.env),
        initialize: (directory) => terraform.initializeWorkingDirectory(directory, cli.env),
        terraform: (a, { cwd }) => terraform.runTerraform(a, { cwd, env: cli.env }),
        report: (line) => cli.stderr.write(`${line}\n`),
      });
      if (cli.exitCode !== 0) return;
      cli.exitCode = await cdktfWithProgress("deploy", args, cli);
      if (cli.exitCode !== 0 || rest.includes(NO_ROLL_OPTION)) return;
      // Then the worker pools on an outdated launch template, one pool at a time (cli/pool-roll-command.ts).
      cli.exitCode = await rollAfterDeploy(args, {
        definitions,
        rollerFor: cloudRollerFor,
        report: (line) => cli.stderr.write(`${line}\n`),
      });
    });
};
