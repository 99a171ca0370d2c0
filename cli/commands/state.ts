/** `kubeplane state <stack> <terraform state subcommand> [args]`: cli/state.ts's stateMain. */
import { examples, RegisterSubcommand } from "./context";

export const registerState: RegisterSubcommand = (program, cli) => {
  program
    .command("state")
    .summary("run a terraform state command in a stack (list, show, mv, rm, ...)")
    .description(
      "Synthesizes the selected clusters, initializes the stack's working directory quietly (so it\n" +
        "reads whichever backend the definition names), then runs terraform state there. Everything\n" +
        "after the stack goes to terraform state unchanged (terraform state <subcommand> -help).",
    )
    .argument("<stack>", "the stack, e.g. dev-cluster")
    .argument("<state-args...>", "a terraform state subcommand and its arguments")
    .passThroughOptions()
    .allowUnknownOption()
    .addHelpText(
      "after",
      examples(["kubeplane state dev-cluster list", "kubeplane state dev-network show 'aws_vpc.network_vpc_4E8F0223'", "kubeplane state dev-cluster pull > dev-cluster.tfstate"]),
    )
    .action(async (stack: string, stateArgs: string[]) => {
      const [{ stateMain, STATE_DEPENDENCIES }, { Progress }] = await Promise.all([import("../state"), import("../progress")]);
      // Only on a terminal: terraform's own output is the data (state list, pull) and stays clean.
      const progress = cli.stderr.isTTY ? new Progress({ stream: cli.stderr, command: "state", now: cli.now }) : undefined;
      try {
        cli.exitCode = await stateMain(stack, stateArgs, cli.env, {
          ...STATE_DEPENDENCIES,
          phase: (s, phase) => (phase.startsWith("terraform") ? progress?.stop() : progress?.phase(s, phase)),
        });
      } finally {
        progress?.stop();
      }
    });
};
