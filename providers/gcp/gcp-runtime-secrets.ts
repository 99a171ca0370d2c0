/**
 * What a GCP cluster's nodes write at run time: Secret Manager secrets labelled
 * `kubeplane-cluster=<cluster>` (the lease versions, claim, locks, status, requests, hand-backs).
 * Removing them from the CLI is not built for GCP yet (kubeplane carries no Google client):
 * `remove` rejects, and `manualRemoval` gives the gcloud commands that do it.
 */
import type { RuntimeData, RuntimeDataRemoval } from "../runtime-data";
import { GCP_CLUSTER_LABEL } from "./gcp-labels";

/** See the file's comment. */
export class GcpRuntimeSecrets implements RuntimeData {
  readonly location: string;
  readonly manualRemoval: readonly string[];

  constructor(clusterName: string, project: string) {
    const filter = `labels.${GCP_CLUSTER_LABEL}=${clusterName}`;
    this.location = `Secret Manager secrets labelled ${GCP_CLUSTER_LABEL}=${clusterName} in project ${project}`;
    this.manualRemoval = [
      `gcloud secrets list --project ${project} --filter='${filter}' --format='value(name)' | xargs -r -n1 gcloud secrets delete --project ${project} --quiet`,
    ];
  }

  async remove(): Promise<RuntimeDataRemoval> {
    throw new Error(`removing ${this.location} is not built for GCP yet; remove them with:\n  ${this.manualRemoval.join("\n  ")}`);
  }
}
