/**
 * The bootstrap stack (`kubeplane bootstrap <region>`): what an empty account needs before any
 * cluster can keep its state remotely. It asks the cloud for its state store (on AWS: the S3
 * bucket and the deploy and plan-only CI policies) and outputs what the store says to print.
 *
 * Its own state starts local (there is no store yet) and moves into the store once it exists:
 * `backend` says which (cli/bootstrap-command.ts runs the two steps). Held to the cloud's rule
 * pack like every cluster stack, with the exceptions the store declares (each with its reason).
 */
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { CloudProvider } from "../providers/cloud-provider";
import type { StateStore } from "../providers/state-store";
import type { ClusterFacts } from "../rules/rule";
import { RulePack } from "../rules/rule-pack";

/** Where the bootstrap stack's own state is: a local file, or (after the move) the store. */
export type BootstrapBackend = { readonly kind: "local"; readonly path: string } | { readonly kind: "store"; readonly storeName: string; readonly key: string };

/** Properties of BootstrapStack. */
export interface BootstrapStackProps {
  /** The cloud that makes the store. */
  readonly cloud: CloudProvider;
  /** The region (location) of the store. */
  readonly region: string;
  /**
   * The store's name.
   * @default the cloud's, derived from the account and region
   */
  readonly storeName?: string;
  /** Where this stack's own state is. */
  readonly backend: BootstrapBackend;
}

/**
 * What the rules know of the bootstrap stack: it is no cluster, has no nodes and no parameter
 * path, so the cluster-specific rules find nothing to hold it to.
 */
export const BOOTSTRAP_FACTS: ClusterFacts = {
  clusterName: "kubeplane-bootstrap",
  parameterPath: "/kubeplane-bootstrap",
  workerJoinParameter: "/kubeplane-bootstrap/none",
  controlPlaneRoles: [],
  workerRoles: [],
};

/** The stack's name for a region. */
export function bootstrapStackName(region: string): string {
  return `kubeplane-bootstrap-${region}`;
}

/** The bootstrap stack; see the file comment. */
export class BootstrapStack extends TerraformStack {
  readonly store: StateStore;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    if (props.backend.kind === "local" && !props.backend.path.endsWith(".tfstate")) {
      throw new Error(`BootstrapStack ${id}: backend.path must be a .tfstate file, got "${props.backend.path}"`);
    }
    this.store = props.cloud.createStateStore(this, "state-store", { region: props.region, name: props.storeName });
    for (const [name, value] of Object.entries(this.store.outputs)) new TerraformOutput(this, name, { value });
    if (props.backend.kind === "local") new LocalBackend(this, { path: props.backend.path });
    else this.store.configureBackend(this, props.backend.storeName, props.backend.key);
    new RulePack({ cluster: BOOTSTRAP_FACTS, rules: props.cloud.rules, suppressions: this.store.suppressions }).applyTo(this);
  }
}
