import { gunzipSync, gzipSync } from "zlib";
import { deliveredUserDataBytes, renderCloudConfig } from "../../../bootstrap/cloud-config";
import { withoutComments } from "../../../bootstrap/node-files";
import { readCloudConfig } from "./rendering-fixtures";

test("every file is written as plain text (the cloud gzips the whole document), Terraform tokens verbatim", () => {
  const config = renderCloudConfig(
    [
      { path: "/a.sh", permissions: "0755", content: "echo ${x}\n", isStatic: true },
      { path: "/b.env", permissions: "0644", content: "KUBEPLANE_X='${TfToken[TOKEN.1]}'\n", isStatic: false },
    ],
    [["/a.sh"]],
  );
  const { files, runcmd } = readCloudConfig(config);
  expect(files).toEqual([
    { path: "/a.sh", permissions: "0755", encoding: undefined, text: "echo ${x}\n" },
    { path: "/b.env", permissions: "0644", encoding: undefined, text: "KUBEPLANE_X='${TfToken[TOKEN.1]}'\n" },
  ]);
  expect(runcmd).toEqual([["/a.sh"]]);
});

test("the delivered size is the gzip-compressed size, which cloud-init unpacks to the same text", () => {
  const text = `#cloud-config\n${"write_files: []\n".repeat(200)}`;
  expect(deliveredUserDataBytes(text)).toBe(gzipSync(Buffer.from(text), { level: 6 }).length);
  expect(deliveredUserDataBytes(text)).toBeLessThan(Buffer.byteLength(text) / 10);
  expect(gunzipSync(gzipSync(Buffer.from(text))).toString()).toBe(text);
});

test("shipped scripts lose comments and blank lines, keeping the shebang, shellcheck directives and here-documents", () => {
  const script = [
    "#!/usr/bin/env bash",
    "# what this does",
    "",
    "# shellcheck source=common.sh",
    '. "$lib/common.sh"',
    "  # indented comment",
    'cat >"$f" <<YAML',
    "# kept: part of the document",
    "",
    "YAML",
    "echo done # trailing comments stay",
  ].join("\n");
  expect(withoutComments(script)).toBe(
    [
      "#!/usr/bin/env bash",
      "# shellcheck source=common.sh",
      '. "$lib/common.sh"',
      'cat >"$f" <<YAML',
      "# kept: part of the document",
      "",
      "YAML",
      "echo done # trailing comments stay",
      "",
    ].join("\n"),
  );
});
