/** `kubeplane etcd list|restore <cluster>`: the cluster's etcd snapshots and their restore (cli/etcd-command.ts). */
import type { Command } from "commander";
import { examples, RegisterSubcommand } from "./context";
import type { CliContext } from "./context";

async function deps(cli: CliContext) {
  const [{ clusterNamed }, { operatorDeps }] = await Promise.all([import("../access/operator-commands"), import("../access/deps")]);
  const operator = operatorDeps(cli);
  return {
    definition: (name: string) => clusterNamed(operator, name),
    out: (line: string) => cli.stdout.write(`${line}\n`),
    err: (line: string) => cli.stderr.write(`${line}\n`),
  };
}

export const registerEtcd: RegisterSubcommand = (program, cli) => {
  const etcd: Command = program
    .command("etcd")
    .summary("list a cluster's etcd snapshots, or restore the control plane from one")
    .description(
      "The control plane snapshots etcd every backups.interval into the cluster's backup store\n" +
        "(with its SHA-256 and the Kubernetes version). `list` shows the snapshots; `restore` asks\n" +
        "the next first control-plane node to restore one (verified first) instead of creating or\n" +
        "joining a cluster, and says what to do next.",
    );
  etcd
    .command("list")
    .description("the cluster's snapshots, oldest first")
    .argument("<cluster>", "the cluster's name (from its definition)")
    .addHelpText("after", examples(["kubeplane etcd list dev"]))
    .action(async (cluster: string) => {
      const { etcdListMain } = await import("../etcd-command");
      cli.exitCode = await etcdListMain(cluster, await deps(cli));
    });
  etcd
    .command("restore")
    .description("restore the control plane from a snapshot (the latest by default)")
    .argument("<cluster>", "the cluster's name (from its definition)")
    .option("--snapshot <key>", "the snapshot's key or file name from `kubeplane etcd list`, or latest", "latest")
    .addHelpText("after", examples(["kubeplane etcd restore dev", "kubeplane etcd restore prod --snapshot 20261202T031500Z-i-0123456789abcdef0.db"]))
    .action(async (cluster: string, options: { snapshot: string }) => {
      const { etcdRestoreMain } = await import("../etcd-command");
      cli.exitCode = await etcdRestoreMain(cluster, options, await deps(cli));
    });
};
