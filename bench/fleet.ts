/**
 * A synthetic fleet: N cluster definitions, each a copy of a template definition (by default
 * clusters/dev.yaml) with its own name and customer/environment tags — customers × the three
 * environments dev, staging and prod, as in the system kubeplane grew from (5 customers × 3
 * environments = 15 clusters). Written as one YAML file per cluster into a directory that
 * KUBEPLANE_CLUSTERS can name.
 */
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parseDocument } from "yaml";

export const FLEET_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/** The name of the cluster at `index` in a fleet: customer-NN-environment, e.g. `customer-01-dev`. */
export function fleetClusterName(index: number): { name: string; customer: string; environment: string } {
  const customer = `customer-${String(Math.floor(index / FLEET_ENVIRONMENTS.length) + 1).padStart(2, "0")}`;
  const environment = FLEET_ENVIRONMENTS[index % FLEET_ENVIRONMENTS.length];
  return { name: `${customer}-${environment}`, customer, environment };
}

/**
 * Writes `size` definitions derived from `templateFile` into `directory` (created if missing)
 * and returns the files written.
 */
export function writeFleet(directory: string, size: number, templateFile: string): string[] {
  const template = readFileSync(templateFile, "utf8");
  mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < size; index++) {
    const { name, customer, environment } = fleetClusterName(index);
    const document = parseDocument(template);
    document.set("name", name);
    document.setIn(["tags", "customer"], customer);
    document.setIn(["tags", "environment"], environment);
    const file = path.join(directory, `${name}.yaml`);
    writeFileSync(file, document.toString());
    files.push(file);
  }
  return files;
}
