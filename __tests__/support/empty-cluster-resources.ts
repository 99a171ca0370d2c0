/** A cloud with nothing tagged (so nothing kept, nothing orphaned), for commands run in-process. */
import type { ClusterResources } from "../../providers/cluster-resources";

export function emptyClusterResources(location = "a cloud with nothing tagged"): ClusterResources {
  return { location, list: async () => [], listKept: async () => [], remove: async () => ({ removed: [], failed: [] }), manualRemoval: () => [], markKept: async () => undefined, adoptionImportId: () => undefined };
}
