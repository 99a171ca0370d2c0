/**
 * The resources labelled with a GCP cluster (`kubeplane-cluster=<cluster>`, the provider's default
 * labels), for `audit`'s and `destroy`'s orphans. Not built for GCP yet (kubeplane carries no
 * Google client): `list` and `remove` reject saying so, and `manualRemoval` says how to look.
 */
import type { ClusterResourceRemoval, ClusterResources, TaggedResource } from "../cluster-resources";
import { GCP_CLUSTER_LABEL } from "./gcp-labels";

/** See the file's comment. */
export class GcpLabelledResources implements ClusterResources {
  readonly location: string;

  constructor(private readonly clusterName: string, private readonly project: string) {
    this.location = `resources labelled ${GCP_CLUSTER_LABEL}=${clusterName} in project ${project}`;
  }

  async list(): Promise<TaggedResource[]> {
    throw new Error(`the orphan search of ${this.location} is not built for GCP yet; look with: gcloud asset search-all-resources --scope=projects/${this.project} --query='labels.${GCP_CLUSTER_LABEL}=${this.clusterName}'`);
  }

  async remove(_resources: readonly TaggedResource[]): Promise<ClusterResourceRemoval> {
    throw new Error(`removing orphans of ${this.location} is not built for GCP yet`);
  }

  manualRemoval(resources: readonly TaggedResource[]): string[] {
    return resources.map((r) => `# ${r.type} ${r.id}: remove it in the console or with gcloud`);
  }

  /** GCP has no backup store (backups are refused on GCP at their field): nothing is ever kept. */
  async markKept(resources: readonly TaggedResource[]): Promise<void> {
    if (resources.length > 0) throw new Error(`keeping resources of ${this.location} is not built for GCP (backups are refused on GCP)`);
  }

  /** Nothing is ever kept on GCP (see markKept). */
  async listKept(): Promise<TaggedResource[]> {
    return [];
  }

  adoptionImportId(): string | undefined {
    return undefined;
  }
}
