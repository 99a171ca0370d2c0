import { gunzipSync } from "zlib";
import { gzipBase64, renderCloudConfig } from "../../../bootstrap/cloud-config";
import { withoutComments } from "../../../bootstrap/node-files";
import { readCloudConfig } from "./rendering-fixtures";

test("static files are gzip+base64 with a fixed gzip header; rendered files stay plain", () => {
  const config = renderCloudConfig(
    [
      { path: "/a.sh", permissions: "0755", content: "echo ${x}\n", isStatic: true },
      { path: "/b.env", permissions: "0644", content: "KUBEPLANE_X='${TfToken[TOKEN.1]}'\n", isStatic: false },
    ],
    [["/a.sh"]],
  );
  const { files, runcmd } = readCloudConfig(config);
  expect(files).toEqual([
    { path: "/a.sh", permissions: "0755", encoding: "gz+b64", text: "echo ${x}\n" },
    { path: "/b.env", permissions: "0644", encoding: undefined, text: "KUBEPLANE_X='${TfToken[TOKEN.1]}'\n" },
  ]);
  expect(runcmd).toEqual([["/a.sh"]]);
  expect(config).not.toContain("echo ${x}");
  const gz = Buffer.from(gzipBase64("hello"), "base64");
  expect(gz.readUInt32LE(4)).toBe(0); // no modification time
  expect(gz[9]).toBe(3); // OS: Unix, on any platform
  expect(gunzipSync(gz).toString()).toBe("hello");
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
