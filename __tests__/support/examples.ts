/** The example cluster definitions, loaded and synthesized the way `cdktf synth` does. */
import { Testing } from "cdktf";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ClusterDefinition, loadDefinitions, parseDefinition } from "../../definition";
import { cloudFor } from "../../providers";
import { addClusterStacks } from "../../stacks/cluster-stacks";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** The examples on AWS (the IAM tests read AWS policies from them). */
export const AWS_EXAMPLES = ["dev", "prod", "kurl", "pools"] as const;
/**
 * The examples on GCP. Terraform's google provider is not in this machine's provider mirror, so
 * the suites that run Terraform (validate, deploy against the AWS emulator) take AWS_EXAMPLES only.
 */
export const GCP_EXAMPLES = ["gcp-dev"] as const;
/** Every example in clusters/. */
export const EXAMPLES = [...AWS_EXAMPLES, ...GCP_EXAMPLES] as const;
export type ExampleName = (typeof EXAMPLES)[number];

/** A validated example definition (`clusters/<name>.yaml`). */
export function exampleDefinition(name: ExampleName): ClusterDefinition {
  const [loaded] = loadDefinitions([path.join(PROJECT_ROOT, "clusters", `${name}.yaml`)], { cloudFor });
  return loaded.definition;
}

/** A definition from YAML text (throws with the problems if it is invalid). */
export function definitionFromYaml(yaml: string): ClusterDefinition {
  const { definition, problems } = parseDefinition("test.yaml", yaml, { cloudFor });
  if (!definition) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return definition;
}

/** Synthesized stacks of a cluster: the JSON strings (for cdktf's matchers) and parsed objects. */
export interface SynthesizedCluster {
  /** The app's output directory (for `toBeValidTerraform`). */
  readonly outdir: string;
  readonly network: string;
  readonly cluster: string;
  readonly networkJson: TerraformJson;
  readonly clusterJson: TerraformJson;
}

/** The parts of Terraform JSON the tests read. */
export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  locals?: Record<string, unknown>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: { backend?: Record<string, Record<string, unknown>> };
}

/**
 * Synthesizes a definition's two stacks as `cdktf synth` does (whole app, cross-stack
 * references resolved, validations on) into a temporary directory.
 */
export function synthesizeCluster(definition: ClusterDefinition): SynthesizedCluster {
  const outdir = mkdtempSync(path.join(tmpdir(), "kubeplane-synth-"));
  const app = Testing.app({ outdir });
  const stacks = addClusterStacks(app, definition);
  app.synth();
  const read = (stack: string) => readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
  const network = read(stacks.network.node.id);
  const cluster = read(stacks.cluster.node.id);
  return { outdir, network, cluster, networkJson: JSON.parse(network), clusterJson: JSON.parse(cluster) };
}

/** All resources of one type in a synthesized stack. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource?.[type] ?? {});
}
