/** `kubeplane validate <cluster>`: is the cluster healthy, like kops validate cluster (cli/access/validate.ts). */
import { examples, RegisterSubcommand } from "./context";

export const registerValidate: RegisterSubcommand = (program, cli) => {
  program
    .command("validate")
    .summary("check a cluster's nodes and kube-system against its cloud instances")
    .description(
      "Compares the cluster's instances (state, bootstrap status, auto-scaling groups' InService\n" +
        "counts) with the Kubernetes API, read with kubectl (context kubeplane-<cluster>): every\n" +
        "control-plane node Ready with its static pods, workers Ready as many as are in service,\n" +
        "kube-system's pods, deployments and daemonsets available, no failed bootstrap, no Node\n" +
        "whose instance is gone. Prints a table of what is not and exits 1; exits 0 when healthy.\n" +
        "--wait polls until healthy or the time is up, with progress on stderr.",
    )
    .argument("<cluster>", "the cluster's name (from its definition)")
    .option("--wait <duration>", "keep checking until healthy, at most this long (e.g. 15m)")
    .option("--kubeconfig <file>", "kubectl's kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "the kubeconfig context (default: kubeplane-<cluster>)")
    .addHelpText("after", examples(["kubeplane validate dev", "kubeplane validate prod --wait 15m"]))
    .action(async (cluster: string, options: { wait?: string; kubeconfig?: string; context?: string }) => {
      const [{ runValidate }, { operatorDeps }] = await Promise.all([import("../access/operator-commands"), import("../access/deps")]);
      cli.exitCode = await runValidate(cli, operatorDeps(cli), cluster, options);
    });
};
