/**
 * What the rules read: a stack's resources, data sources and locals as they will be written to
 * `cdk.tf.json` (tokens resolved to Terraform expressions like `${aws_iam_role.x.id}`,
 * overrides applied), with the construct each resource came from.
 */
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import { IConstruct } from "constructs";

/** One resource as Terraform will see it. */
export interface ResourceView {
  /** Terraform type, e.g. `aws_instance`. */
  readonly type: string;
  /** Terraform name (cdktf's unique id), e.g. `control-plane_node-0_56A3B2E8`. */
  readonly name: string;
  /** `type.name`, e.g. `aws_instance.control-plane_node-0_56A3B2E8`. */
  readonly address: string;
  /** The construct path, e.g. `dev-cluster/control-plane/node-0`. */
  readonly path: string;
  /** The stack's name (its construct id). */
  readonly stack: string;
  /** Resolved attributes (snake_case, as in `cdk.tf.json`). */
  readonly config: Record<string, unknown>;
  /** The construct that makes the resource. */
  readonly construct: IConstruct;
}

/** A parsed `${type.name.attribute}` reference. */
export interface Reference {
  readonly kind: "resource" | "data" | "local";
  readonly type: string;
  readonly name: string;
  readonly attribute?: string;
}

const RESOURCE_REF = /^\$\{([a-z][a-z0-9_]*)\.([^.\s}]+)\.([a-z0-9_]+)\}$/;
const DATA_REF = /^\$\{data\.([a-z][a-z0-9_]*)\.([^.\s}]+)\.([a-z0-9_]+)\}$/;
const LOCAL_REF = /^\$\{local\.([^.\s}]+)\}$/;

/** Reads a whole-string reference (`${aws_iam_role.x.id}`, `${data.x.y.json}`, `${local.x}`). */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const local = LOCAL_REF.exec(value);
  if (local) return { kind: "local", type: "local", name: local[1] };
  const data = DATA_REF.exec(value);
  if (data) return { kind: "data", type: data[1], name: data[2], attribute: data[3] };
  const resource = RESOURCE_REF.exec(value);
  if (resource && resource[1] !== "var" && resource[1] !== "module") {
    return { kind: "resource", type: resource[1], name: resource[2], attribute: resource[3] };
  }
  return undefined;
}

/** A stack's synthesized resources, data sources and locals. */
export class StackView {
  readonly resources: readonly ResourceView[];
  private readonly byAddress = new Map<string, ResourceView>();
  private readonly data = new Map<string, Record<string, unknown>>();
  private readonly locals = new Map<string, unknown>();

  constructor(readonly stack: TerraformStack) {
    const resources: ResourceView[] = [];
    const resolver = new DefaultTokenResolver(new StringConcat());
    for (const construct of stack.node.findAll()) {
      if (!(construct instanceof TerraformElement)) continue;
      if (TerraformStack.of(construct) !== stack) continue;
      const json = Tokenization.resolve(construct.toTerraform(), { scope: stack, resolver }) as Record<string, unknown>;
      const resourceBlock = json.resource as Record<string, Record<string, Record<string, unknown>>> | undefined;
      if (resourceBlock && TerraformResource.isTerraformResource(construct)) {
        for (const [type, byName] of Object.entries(resourceBlock)) {
          for (const [name, config] of Object.entries(byName)) {
            const view: ResourceView = { type, name, address: `${type}.${name}`, path: construct.node.path, stack: stack.node.id, config, construct };
            resources.push(view);
            this.byAddress.set(view.address, view);
          }
        }
      }
      const dataBlock = json.data as Record<string, Record<string, Record<string, unknown>>> | undefined;
      if (dataBlock) {
        for (const [type, byName] of Object.entries(dataBlock)) {
          for (const [name, config] of Object.entries(byName)) this.data.set(`${type}.${name}`, config);
        }
      }
      const locals = json.locals as Record<string, unknown> | undefined;
      if (locals) for (const [name, value] of Object.entries(locals)) this.locals.set(name, value);
    }
    this.resources = resources;
  }

  /** The resource at `type.name`. */
  resource(address: string): ResourceView | undefined {
    return this.byAddress.get(address);
  }

  /** The resource a `${type.name.attr}` reference points at. */
  referenced(value: unknown): ResourceView | undefined {
    const ref = parseReference(value);
    return ref?.kind === "resource" ? this.byAddress.get(`${ref.type}.${ref.name}`) : undefined;
  }

  /** A data source's configuration, by `type.name`. */
  dataSource(address: string): Record<string, unknown> | undefined {
    return this.data.get(address);
  }

  /** A local's value, by name. */
  local(name: string): unknown {
    return this.locals.get(name);
  }

  /** Resources of some types. */
  ofType(...types: string[]): ResourceView[] {
    return this.resources.filter((r) => types.includes(r.type));
  }
}
