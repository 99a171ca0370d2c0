/** `kubeplane deploy <stacks|globs> [cdktf options]`: `cdktf deploy` (cli/cdktf-command.ts). */
import { cdktfWithProgress } from "./cdktf-run";
import { examples, RegisterSubcommand } from "./context";

export const registerDeploy: RegisterSubcommand = (program, cli) => {
  program
    .command("deploy")
    .summary("plan and apply stacks (dependencies first)")
    .description(
      "Deploys the named stacks (names or globs with * and ?) of the clusters KUBEPLANE_CLUSTERS\n" +
        "selects: cdktf deploy, which plans each stack, asks for approval unless --auto-approve, and\n" +
        "applies it; a cluster's network stack goes before its cluster stack. Then it rolls the worker\n" +
        "pools whose instances run an outdated launch template, one pool at a time (kubeplane roll;\n" +
        "--no-roll skips it). Further options go to cdktf deploy (npx cdktf deploy --help lists them).",
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
