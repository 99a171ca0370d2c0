/**
 * The cdktf app: reads the cluster definitions (`clusters/*.yaml`, or what KUBEPLANE_CLUSTERS
 * names) and synthesizes two stacks per cluster. An invalid definition stops it before anything
 * is written, with every problem listed and a non-zero exit.
 */
import { CLUSTERS_ENV, DefinitionError, loadDefinitions, resolveDefinitionFiles } from "./definition";
import { cloudDefinitionCheck } from "./providers";
import { addClusterStacks } from "./stacks/cluster-stacks";
import { outputDirectory, synthesizeStaged } from "./stacks/staged-synthesis";

function main(): number {
  try {
    const files = resolveDefinitionFiles(process.env[CLUSTERS_ENV]);
    const definitions = loadDefinitions(files, [cloudDefinitionCheck]);
    synthesizeStaged(outputDirectory(), (app) => {
      for (const { definition } of definitions) addClusterStacks(app, definition);
    });
    return 0;
  } catch (e) {
    if (e instanceof DefinitionError) {
      process.stderr.write(`kubeplane: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
