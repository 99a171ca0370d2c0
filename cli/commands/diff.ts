/** `kubeplane diff <stack> [cdktf options]`: `cdktf diff`, a plan (cli/cdktf-command.ts). */
import { cdktfWithProgress } from "./cdktf-run";
import { examples, RegisterSubcommand } from "./context";

export const registerDiff: RegisterSubcommand = (program, cli) => {
  program
    .command("diff")
    .summary("show what a deploy would change in a stack (a plan)")
    .description(
      "Plans a stack of the clusters KUBEPLANE_CLUSTERS selects against its state and the running\n" +
        "infrastructure, and shows the changes a deploy would make. Further options go to cdktf diff.",
    )
    .argument("[stack-and-cdktf-options...]", "a stack name, then cdktf diff options")
    .allowUnknownOption()
    .addHelpText("after", examples(["kubeplane diff dev-cluster", "kubeplane diff prod-network --no-color"]))
    .action(async (rest: string[]) => {
      cli.exitCode = await cdktfWithProgress("diff", rest, cli);
    });
};
