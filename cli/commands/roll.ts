/** `kubeplane roll <cluster> [--pool NAME]`: replaces outdated workers, one pool at a time (cli/pool-roll-command.ts). */
import { InvalidArgumentError } from "commander";
import { examples, RegisterSubcommand } from "./context";

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`must be a whole number of seconds > 0, got "${value}"`);
  return n;
}

export const registerRoll: RegisterSubcommand = (program, cli) => {
  program
    .command("roll")
    .summary("replace workers on an outdated launch template, one pool at a time")
    .description(
      "Rolls the worker pools of a deployed cluster whose instances run an outdated launch template\n" +
        "version: pool after pool, in the definition's order, each by an instance refresh that keeps the\n" +
        "pool's minimum healthy percentage in service (90% unless the pool says otherwise), and each\n" +
        "replaced worker drains itself first. Waits for each pool's refresh to succeed; a refresh that\n" +
        "fails or is cancelled stops the roll, naming the pool and the next step. `kubeplane deploy`\n" +
        "runs the same roll after its apply (unless --no-roll).",
    )
    .argument("<cluster>", "the cluster's name (of the definitions KUBEPLANE_CLUSTERS selects)")
    .option("--pool <name>", "roll only this pool")
    .option("--timeout <seconds>", "how long to wait for one pool's refresh", seconds)
    .addHelpText("after", examples(["kubeplane roll dev", "kubeplane roll pools --pool batch", "kubeplane roll pools --timeout 7200"]))
    .action(async (cluster: string, options: { pool?: string; timeout?: number }) => {
      const [{ CLUSTERS_ENV, loadSelectedDefinitions }, { cloudFor }, { cloudRollerFor, rollMain }, { PROJECT_ROOT }] = await Promise.all([
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../pool-roll-command"),
        import("../terraform-environment"),
      ]);
      cli.exitCode = await rollMain(cluster, { pool: options.pool, timeoutSeconds: options.timeout }, {
        definitions: () => loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((l) => l.definition),
        rollerFor: cloudRollerFor,
        report: (line) => cli.stderr.write(`${line}\n`),
      });
    });
};
