/** `kubeplane local [--port=N] [--no-wait] [--workspace=DIR]`: cli/local.ts's localMain. */
import { InvalidArgumentError } from "commander";
import { examples, RegisterSubcommand } from "./context";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`must be a TCP port (1-65535), got ${value}`);
  return n;
}

export const registerLocal: RegisterSubcommand = (program, cli) => {
  program
    .command("local")
    .summary("try it without AWS: deploy the dev example into the AWS emulator")
    .description(
      "Starts the AWS emulator (moto_server), deploys clusters/dev.yaml (or what KUBEPLANE_CLUSTERS\n" +
        "selects) into it with state and synthesized stacks in a workspace of their own (never state/\n" +
        "or cdktf.out/), audits it, writes <workspace>/env.sh for a second terminal, and waits for\n" +
        "Ctrl-C, which stops the emulator. Everything lives in the emulator's memory.",
    )
    .option("--port <port>", "the emulator's port (default: a free one)", port)
    .option("--no-wait", "stop after the audit instead of waiting for Ctrl-C")
    .option("--workspace <dir>", "where state, synthesized stacks and env.sh go (default: .kubeplane/local)")
    .addHelpText("after", examples(["kubeplane local", "kubeplane local --no-wait", "source .kubeplane/local/env.sh && kubeplane audit   # in a second terminal"]))
    .action(async (options: { port?: number; wait: boolean; workspace?: string }) => {
      const { localMain } = await import("../local");
      cli.exitCode = await localMain(options, cli);
    });
};
