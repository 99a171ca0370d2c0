/** Which files a run reads, and how they are named in messages. */
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { DefinitionError, loadSelectedDefinitions, resolveDefinitionFiles } from "../../../definition";
import { displayPath } from "../../../definition/definition-files";
import { cloudFor } from "../../../providers";

describe("resolveDefinitionFiles", () => {
  const root = mkdtempSync(path.join(tmpdir(), "kubeplane-files-"));
  const cwd = path.join(root, "project");
  const outside = path.join(root, "elsewhere");
  mkdirSync(path.join(cwd, "clusters"), { recursive: true });
  mkdirSync(path.join(cwd, "empty"), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(cwd, "clusters", "b.yaml"), "");
  writeFileSync(path.join(cwd, "clusters", "a.yml"), "");
  writeFileSync(path.join(cwd, "clusters", "notes.txt"), "");
  writeFileSync(path.join(outside, "x.yaml"), "");

  it("reads clusters/ by default, sorted, YAML only", () => {
    expect(resolveDefinitionFiles(undefined, cwd)).toEqual([path.join("clusters", "a.yml"), path.join("clusters", "b.yaml")]);
  });

  it("shows files inside the working directory relative to it", () => {
    expect(resolveDefinitionFiles(path.join(cwd, "clusters", "b.yaml"), cwd)).toEqual([path.join("clusters", "b.yaml")]);
  });

  it("shows files outside the working directory as absolute paths, not ../../", () => {
    expect(resolveDefinitionFiles(path.join(outside, "x.yaml"), cwd)).toEqual([path.join(outside, "x.yaml")]);
    expect(resolveDefinitionFiles("../elsewhere/x.yaml", cwd)).toEqual([path.join(outside, "x.yaml")]);
    expect(resolveDefinitionFiles("../elsewhere", cwd)).toEqual([path.join(outside, "x.yaml")]);
  });

  it("takes a comma-separated list and removes duplicates", () => {
    expect(resolveDefinitionFiles(" clusters/b.yaml , clusters ,", cwd)).toEqual([path.join("clusters", "a.yml"), path.join("clusters", "b.yaml")]);
  });

  it("names every missing or empty entry at once", () => {
    try {
      resolveDefinitionFiles("nope.yaml,empty,../elsewhere/gone.yaml", cwd);
      throw new Error("expected a DefinitionError");
    } catch (e) {
      expect(e).toBeInstanceOf(DefinitionError);
      expect((e as DefinitionError).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
        "nope.yaml: does not exist (from KUBEPLANE_CLUSTERS)",
        "empty: holds no cluster definitions (*.yaml)",
        `${path.join(outside, "gone.yaml")}: does not exist (from KUBEPLANE_CLUSTERS)`,
      ]);
    }
  });

  it("loading a selection with a missing entry still reads every file that exists, and reports all", () => {
    try {
      loadSelectedDefinitions("nope.yaml,clusters", { cloudFor }, cwd);
      throw new Error("expected a DefinitionError");
    } catch (e) {
      expect(e).toBeInstanceOf(DefinitionError);
      expect((e as DefinitionError).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
        "nope.yaml: does not exist (from KUBEPLANE_CLUSTERS)",
        `${path.join("clusters", "a.yml")}: is empty: a cluster definition needs at least name and region`,
        `${path.join("clusters", "b.yaml")}: is empty: a cluster definition needs at least name and region`,
      ]);
    }
  });

  it("rejects a selection that names nothing", () => {
    expect(() => resolveDefinitionFiles(" , ", cwd)).toThrow(/KUBEPLANE_CLUSTERS: names no file or directory/);
  });

  it("displayPath keeps a file named like ..x inside the directory relative", () => {
    expect(displayPath(path.join(cwd, "..x.yaml"), cwd)).toBe("..x.yaml");
  });
});
