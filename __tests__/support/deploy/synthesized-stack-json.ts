/**
 * A synthesized stack's Terraform JSON (`<outdir>/stacks/<stack>/cdk.tf.json`), for tests that
 * compare what the app asked for with what the emulator holds.
 */
import { readFileSync } from "fs";
import * as path from "path";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const REFERENCE = /^\$\{([\w-]+)\.([\w-]+)\.(\w+)\}$/;

/** The Terraform JSON of one synthesized stack. */
export class SynthesizedStackJson {
  readonly json: Json;

  constructor(outputDirectory: string, stack: string) {
    this.json = JSON.parse(readFileSync(path.join(outputDirectory, "stacks", stack, "cdk.tf.json"), "utf8"));
  }

  /** The resources of `type`, by their Terraform name. */
  resources(type: string): Record<string, Json> {
    return this.json.resource?.[type] ?? {};
  }

  /** Resolves `${type.name.attribute}` to the literal `attribute` of that resource, if it has one. */
  resolve(value: string): string | undefined {
    const m = REFERENCE.exec(value);
    if (!m) return value;
    const [, type, name, attribute] = m;
    const resource = this.resources(type)[name];
    const literal = resource?.[attribute === "id" ? "name" : attribute];
    return typeof literal === "string" ? this.resolve(literal) : undefined;
  }
}
