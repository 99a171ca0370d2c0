/**
 * The block shapes of the providers a configuration requires (see hcl-render.ts), from
 * `terraform providers schema -json` (https://developer.hashicorp.com/terraform/cli/commands/providers/schema).
 *
 * That command needs an initialized working directory and refuses one whose backend is not
 * initialized, so it runs in a scratch directory holding only the stack's `required_providers`
 * (`terraform init -backend=false`; offline with the provider mirror, see terraform-environment.ts).
 * The AWS provider's schema takes seconds and 13 MB; the shapes (nested block types only) are
 * kept under `.kubeplane/provider-schemas/`, keyed by the `required_providers` JSON: kubeplane pins
 * exact provider versions, so the same key means the same schema.
 */
import { createHash } from "crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { BlockShape, NestedBlockShape, ProviderShapes, SchemaShapes } from "./hcl-render";
import { runTerraform } from "./terraform-command";
import { PROJECT_ROOT } from "./terraform-environment";

/** A block in Terraform's provider schema JSON (`format_version` 1.0). */
interface SchemaBlock {
  block_types?: Record<string, { nesting_mode: NestedBlockShape["nesting"]; block: SchemaBlock }>;
}

interface ProvidersSchema {
  provider_schemas?: Record<
    string,
    {
      provider?: { block: SchemaBlock };
      resource_schemas?: Record<string, { block: SchemaBlock }>;
      data_source_schemas?: Record<string, { block: SchemaBlock }>;
    }
  >;
}

function shapeOf(block: SchemaBlock | undefined): BlockShape {
  const blocks: Record<string, NestedBlockShape> = {};
  for (const [name, nested] of Object.entries(block?.block_types ?? {})) {
    blocks[name] = { nesting: nested.nesting_mode, shape: shapeOf(nested.block) };
  }
  return { blocks };
}

function shapesOfAll(schemas: Record<string, { block: SchemaBlock }> | undefined): Record<string, BlockShape> {
  return Object.fromEntries(Object.entries(schemas ?? {}).map(([type, s]) => [type, shapeOf(s.block)]));
}

/** The shapes in the output of `terraform providers schema -json`. */
export function shapesFromProvidersSchema(schema: ProvidersSchema): SchemaShapes {
  const shapes: Record<string, ProviderShapes> = {};
  for (const [source, provider] of Object.entries(schema.provider_schemas ?? {})) {
    shapes[source] = {
      provider: shapeOf(provider.provider?.block),
      resources: shapesOfAll(provider.resource_schemas),
      dataSources: shapesOfAll(provider.data_source_schemas),
    };
  }
  return shapes;
}

/** Where the shapes are kept (default `<project>/.kubeplane/provider-schemas`). */
export function schemaCacheDirectory(projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, ".kubeplane", "provider-schemas");
}

/**
 * The shapes of the providers in `requiredProviders` (a configuration's
 * `terraform.required_providers`), from the cache or from Terraform. Throws with Terraform's
 * output when it cannot install the providers or print their schema.
 */
export async function providerShapes(
  requiredProviders: unknown,
  env: NodeJS.ProcessEnv = process.env,
  cacheDirectory: string = schemaCacheDirectory(),
): Promise<SchemaShapes> {
  const key = createHash("sha256").update(JSON.stringify(requiredProviders ?? {})).digest("hex").slice(0, 16);
  const cached = path.join(cacheDirectory, `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, "utf8")) as SchemaShapes;

  mkdirSync(cacheDirectory, { recursive: true });
  const scratch = mkdtempSync(path.join(cacheDirectory, ".scratch-"));
  try {
    writeFileSync(path.join(scratch, "providers.tf.json"), JSON.stringify({ terraform: { required_providers: requiredProviders ?? {} } }));
    const init = await runTerraform(["init", "-backend=false", "-input=false", "-no-color"], { cwd: scratch, env });
    if (init.code !== 0) throw new Error(`terraform init (for the provider schema) failed:\n${init.stderr || init.stdout}`);
    const printed = await runTerraform(["providers", "schema", "-json"], { cwd: scratch, env });
    if (printed.code !== 0) throw new Error(`terraform providers schema -json failed:\n${printed.stderr || printed.stdout}`);
    const shapes = shapesFromProvidersSchema(JSON.parse(printed.stdout) as ProvidersSchema);
    // Written whole, then renamed: parallel runs never read half a file.
    const partial = path.join(scratch, "shapes.json");
    writeFileSync(partial, JSON.stringify(shapes));
    renameSync(partial, cached);
    return shapes;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
