/** `kubeplane kubeconfig <cluster>`: a short-lived kubeconfig minted on a control-plane node (cli/access/operator-commands.ts). */
import { examples, RegisterSubcommand } from "./context";

export const registerKubeconfig: RegisterSubcommand = (program, cli) => {
  program
    .command("kubeconfig")
    .summary("mint a short-lived kubeconfig for a cluster and merge it into ~/.kube/config")
    .description(
      "Asks a running control-plane node of the cluster (by the cluster's SSM document) to mint a\n" +
        "client certificate with `kubeadm kubeconfig user` (CN = --user, O = --group, valid --ttl),\n" +
        "which it hands back encrypted to a one-time key of this command, under the cluster's\n" +
        "parameter path; the hand-back is read once and deleted. The kubeconfig is merged into\n" +
        "--output (default: the first file of $KUBECONFIG, else ~/.kube/config) as context\n" +
        "kubeplane-<cluster>, made current. Nothing of it reaches Terraform state or the project.\n" +
        "Needs the operator policy kubeplane-<cluster>-operator (see the README).",
    )
    .argument("<cluster>", "the cluster's name (from its definition)")
    .option("--ttl <duration>", "how long the certificate lives: 5m to 24h", "1h")
    .option("--user <name>", "the user name in the certificate (default: $USER)")
    .option("--group <group>", "the group in the certificate (kubeadm binds kubeadm:cluster-admins to cluster-admin)", "kubeadm:cluster-admins")
    .option("--output <file>", "the kubeconfig file to merge into")
    .addHelpText(
      "after",
      examples(["kubeplane kubeconfig dev", "kubeplane kubeconfig prod --ttl 15m --user alice --group ops-readers", "kubeplane kubeconfig dev --output ./dev.kubeconfig"]),
    )
    .action(async (cluster: string, options: { ttl?: string; user?: string; group?: string; output?: string }) => {
      const [{ runKubeconfig }, { operatorDeps }] = await Promise.all([import("../access/operator-commands"), import("../access/deps")]);
      cli.exitCode = await runKubeconfig(cli, operatorDeps(cli), cluster, options);
    });
};
