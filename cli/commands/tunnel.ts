/** `kubeplane tunnel <cluster>`: localhost to the private API through a control-plane node (cli/access/operator-commands.ts). */
import { examples, RegisterSubcommand } from "./context";

export const registerTunnel: RegisterSubcommand = (program, cli) => {
  program
    .command("tunnel")
    .summary("forward a local port to a cluster's private API (SSM Session Manager)")
    .description(
      "Opens an SSM port-forwarding session (AWS-StartPortForwardingSessionToRemoteHost) from\n" +
        "localhost:--port to the cluster's API name (api.<cluster>.<privateDnsZone>:6443) through a\n" +
        "running control-plane node, and prints the kubeconfig change that uses it (server\n" +
        "https://localhost:<port>, tls-server-name the API's name, which its certificate carries).\n" +
        "Runs until Ctrl-C. Needs the aws CLI and the Session Manager plugin (session-manager-plugin).",
    )
    .argument("<cluster>", "the cluster's name (from its definition)")
    .option("--port <port>", "the local port", "6443")
    .option("--print", "print the session command and the kubeconfig change instead of running")
    .addHelpText("after", examples(["kubeplane tunnel dev", "kubeplane tunnel prod --port 16443", "kubeplane tunnel dev --print"]))
    .action(async (cluster: string, options: { port?: string; print?: boolean }) => {
      const [{ runTunnel }, { operatorDeps }] = await Promise.all([import("../access/operator-commands"), import("../access/deps")]);
      cli.exitCode = await runTunnel(cli, operatorDeps(cli), cluster, options);
    });
};
