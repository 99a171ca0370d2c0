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
        "applies it; a cluster's network stack goes before its cluster stack. Further options go to\n" +
        "cdktf deploy (npx cdktf deploy --help lists them).",
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
      cli.exitCode = await cdktfWithProgress("deploy", rest, cli);
    });
};
