/** What kubeconfig, tunnel and validate share: the selected definitions, loaded when the command runs. */
import type { OperatorDeps } from "./operator-commands";
import type { CliContext } from "../commands/context";

export function operatorDeps(cli: CliContext): OperatorDeps {
  return {
    definitions: async () => {
      const [{ CLUSTERS_ENV, loadSelectedDefinitions }, { cloudFor }, { PROJECT_ROOT }] = await Promise.all([
        import("../../definition"),
        import("../../providers/cloud-registry"),
        import("../terraform-environment"),
      ]);
      return loadSelectedDefinitions(cli.env[CLUSTERS_ENV], { cloudFor }, PROJECT_ROOT).map((loaded) => loaded.definition);
    },
  };
}
