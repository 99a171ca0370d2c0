/** `kubeplane unlock <stack> [--force]`: releases a state lock a killed run left (cli/state-lock-command.ts). */
import { examples, RegisterSubcommand } from "./context";

export const registerUnlock: RegisterSubcommand = (program, cli) => {
  program
    .command("unlock")
    .summary("release a stack's state lock that a killed deploy left behind")
    .description(
      "Finds the stack's state lock (Terraform reports who holds it and since when) and releases it\n" +
        "with terraform force-unlock in the stack's directory. Refuses a lock younger than 15 minutes,\n" +
        "which may belong to a deploy that is still running, unless --force.",
    )
    .argument("<stack>", "the stack, e.g. dev-network")
    .option("--force", "release the lock however young it is", false)
    .addHelpText(
      "after",
      examples(["kubeplane unlock dev-network", "kubeplane unlock dev-cluster --force"], [
        "Run it only when no deploy, diff or destroy of the stack is running: a lock released under a",
        "running apply lets a second run write the same state.",
      ]),
    )
    .action(async (stack: string, options: { force: boolean }) => {
      const { unlockDependencies, unlockMain } = await import("../state-lock-command");
      const deps = await unlockDependencies(
        (line) => cli.stdout.write(`${line}\n`),
        (line) => cli.stderr.write(`${line}\n`),
      );
      cli.exitCode = await unlockMain(stack, { force: options.force, env: cli.env }, deps);
    });
};
