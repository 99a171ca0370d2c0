/**
 * `kubeplane synth --hcl`'s rendering of Terraform JSON as native HCL (cli/hcl-render.ts).
 *
 * - Why it exists: cdktf 0.21's own HCL of a cluster stack does not parse.
 * - Strings: Terraform itself is the judge. A configuration of outputs holding hard strings
 *   (quotes, backslashes, newlines, `${`, `%{`, a line that is the heredoc delimiter, ...) is
 *   applied in JSON and in the rendered HCL, and `terraform output -json` must agree, and equal
 *   the literal text kubeplane started from.
 * - Blocks: which JSON objects are blocks comes from the real provider schema, and every example
 *   cluster's stacks, rendered, pass `terraform validate` and declare the same objects.
 *
 * In the emulator project, with the other suites that run Terraform itself (about a minute of
 * terraform init/apply/validate): it needs no emulator, but it would be most of `test:unit`'s
 * time budget on its own.
 */
import { App } from "cdktf";
import { execFileSync, spawnSync } from "child_process";
import fc from "fast-check";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { HclRenderError, renderHcl, SchemaShapes, templateParts } from "../../cli/hcl-render";
import { providerShapes } from "../../cli/hcl-schema";
import { HCL_FILE, writeHclStack } from "../../cli/hcl-synth";
import { readSynthesizedStacks } from "../../cli/synthesized-app";
import { terraformRunEnvironment } from "../../cli/terraform-command";
import { addClusterStacks } from "../../stacks/cluster-stacks";
import { escapeTemplateSequences } from "../../stacks/terraform-string";
import { AWS_EXAMPLES, EXAMPLES, exampleDefinition } from "../support/examples";

jest.setTimeout(240_000);

const WORK = mkdtempSync(path.join(tmpdir(), "kubeplane-hcl-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));
const env = terraformRunEnvironment(process.env);

function terraform(args: string[], cwd: string): { code: number; output: string; stdout: string } {
  const r = spawnSync("terraform", args, { cwd, env, encoding: "utf8" });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** Synthesizes an example as main.ts does (JSON, or cdktf's HCL) into a fresh directory. */
function synthesizeExample(name: (typeof EXAMPLES)[number], hclOutput = false): string {
  const outdir = mkdtempSync(path.join(WORK, `${name}-`));
  // Each stack reads SYNTH_HCL_OUTPUT itself when it is constructed (node_modules/cdktf/lib/
  // terraform-stack.js, the StackSynthesizer's hclOutput); App's hclOutput only names the file.
  const saved = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hclOutput);
  try {
    const app = new App({ outdir, hclOutput });
    addClusterStacks(app, exampleDefinition(name));
    app.synth();
  } finally {
    if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = saved;
  }
  return outdir;
}

test("cdktf 0.21's own HCL of the dev cluster stack does not parse: the multi-line user data local", () => {
  const outdir = synthesizeExample("dev", true);
  const file = path.join(outdir, "stacks", "dev-cluster", "cdk.tf");
  expect(existsSync(file)).toBe(true);
  // The locals block's first lines, parsed by `terraform fmt` (no providers needed): the whole
  // file makes Terraform print over a thousand errors, for minutes.
  const lines = readFileSync(file, "utf8").split("\n");
  const locals = lines.findIndex((l) => l.startsWith("locals {"));
  expect(lines[locals + 1]).toMatch(/^\s*control-plane_init-user-data_\w+ = "#cloud-config$/);
  const head = path.join(outdir, "head.tf");
  writeFileSync(head, `${lines.slice(locals, locals + 6).join("\n")}\n}\n`);
  const fmt = terraform(["fmt", "-no-color", "-check", head], outdir);
  expect(fmt.code).not.toBe(0);
  expect(fmt.output).toContain("Invalid multi-line string");
});

describe("strings carry over exactly (Terraform evaluates both syntaxes)", () => {
  /** Literal texts as kubeplane's constructs produce them (escapeTemplateSequences), and expressions. */
  const HARD_LITERALS = [
    "",
    "plain",
    'say "hi"',
    "back\\slash and \\n not a newline",
    "two\nlines\n",
    "no trailing newline\nhere",
    "EOT\ninside\nEOT\n",
    "  EOT  \nEOT1\nx\n",
    "shell ${HOME} and %{ if x } directives",
    "$${already} escaped",
    "tab\there\r\nand CRLF\n",
    "\u0001 control and é ü 漢字",
    "{\"starts\":\"like JSON\"}",
    "[1, 2]",
    "42",
    "true",
    '"quoted"',
    "ends with a dollar $",
    "ends with a percent %",
    "#!/bin/bash\nset -euo pipefail\necho \"${1:-}\" | sed 's/\\\\/\\//g'\n",
  ];
  // Template expressions whose value is known without providers; the key is the expected value.
  const EXPRESSIONS: Record<string, string> = {
    'a"b': '${"a\\"b"}',
    "A\"B}": '${upper("a\\"b}")}',
    '{"k":"v"}': '${jsonencode({"k" = "v"})}',
    "yes\n": "%{ if true }yes\n%{ endif }",
    "x-y\nz": 'x-${"y"}\n${trimspace(" z ")}',
    'nested "in" ${': '${"nested \\"${"in"}\\" $${"}',
  };

  function applyOutputs(dir: string, file: string, text: string): Record<string, unknown> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, file), text);
    const init = terraform(["init", "-input=false", "-no-color"], dir);
    expect(init.output).toContain("successfully initialized");
    const apply = terraform(["apply", "-auto-approve", "-input=false", "-no-color"], dir);
    if (apply.code !== 0) throw new Error(`${file}:\n${apply.output}`);
    const outputs = JSON.parse(terraform(["output", "-json"], dir).stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
  }

  test("hard literals, nested lists and objects, and template expressions", () => {
    const literals = fc.sample(
      fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "\r", "\t", "$", "%", "{", "}", "EOT", "\nEOT\n", "é", "\u0007", "${", "%{") }),
      { numRuns: 150, seed: 12 },
    );
    const texts = [...HARD_LITERALS, ...literals];
    const output: Record<string, { value: unknown }> = {};
    const expected: Record<string, unknown> = {};
    texts.forEach((text, i) => {
      output[`literal_${i}`] = { value: escapeTemplateSequences(text) };
      expected[`literal_${i}`] = text;
    });
    Object.entries(EXPRESSIONS).forEach(([value, template], i) => {
      output[`expression_${i}`] = { value: template };
      expected[`expression_${i}`] = value;
    });
    output.nested = { value: { list: HARD_LITERALS.map(escapeTemplateSequences), "key with spaces": { "kubeplane:cluster": "dev\n\n", "$${": "k" } } };
    expected.nested = { list: HARD_LITERALS, "key with spaces": { "kubeplane:cluster": "dev\n\n", "${": "k" } };
    output.number = { value: 3.5 };
    expected.number = 3.5;
    const config = { output };

    const hcl = renderHcl(config, { stack: "strings", shapes: {} });
    const fromJson = applyOutputs(path.join(WORK, "strings-json"), "main.tf.json", JSON.stringify(config));
    const fromHcl = applyOutputs(path.join(WORK, "strings-hcl"), "main.tf", hcl);
    expect(fromJson).toEqual(expected);
    expect(fromHcl).toEqual(fromJson);
    // Multi-line literals became heredocs, so the file stays readable.
    expect(hcl).toContain("<<EOT\ntwo\nlines\nEOT");
    expect(hcl).toContain("<<EOT1\nEOT\ninside\nEOT\nEOT1");
  });

  test("template sequences are split at their closing brace, nested strings and braces included", () => {
    expect(templateParts('a${x["}"]}b%{ if y }c%{ endif }$${d}')).toEqual([
      { literal: true, text: "a" },
      { literal: false, text: '${x["}"]}' },
      { literal: true, text: "b" },
      { literal: false, text: "%{ if y }" },
      { literal: true, text: "c" },
      { literal: false, text: "%{ endif }" },
      { literal: false, text: "$${" },
      { literal: true, text: "d}" },
    ]);
    expect(() => templateParts("${unterminated")).toThrow(HclRenderError);
  });
});

describe("blocks, attributes and meta-arguments", () => {
  let shapes: SchemaShapes;

  beforeAll(async () => {
    // The real schema, through a fresh cache: Terraform runs once, then the cache answers alone.
    const cache = path.join(WORK, "schema-cache");
    const required = { aws: { source: "aws", version: "5.100.0" } };
    shapes = await providerShapes(required, process.env, cache);
    expect(readdirSync(cache).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    const again = await providerShapes(required, { ...process.env, TERRAFORM_BINARY_NAME: path.join(WORK, "no-terraform-here") }, cache);
    expect(again).toEqual(shapes);
  });

  test("the provider schema says which JSON objects are blocks", () => {
    const aws = shapes["registry.terraform.io/hashicorp/aws"];
    const template = aws.resources.aws_launch_template;
    expect(template.blocks.metadata_options.nesting).toBe("list");
    expect(template.blocks.block_device_mappings.shape.blocks.ebs.nesting).toBe("list");
    expect(template.blocks.tags).toBeUndefined();
    expect(aws.provider.blocks.default_tags.nesting).toBe("list");
  });

  test("objects become blocks or attributes by the schema; meta-arguments become references", () => {
    const config = {
      terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
      resource: {
        aws_launch_template: {
          t: {
            "//": { metadata: { path: "s/t" } },
            metadata_options: { http_tokens: "required" },
            tags: { "kubeplane:cluster": "dev", Name: "x" },
            depends_on: ["aws_vpc.v", "${aws_subnet.s}"],
            provider: "aws.west",
            lifecycle: { ignore_changes: ["user_data"], create_before_destroy: true },
          },
        },
      },
    };
    const hcl = renderHcl(config, { stack: "s", shapes });
    expect(hcl).toContain('resource "aws_launch_template" "t" {\n  depends_on = [\n    aws_vpc.v,\n    aws_subnet.s,\n  ]\n  provider = aws.west\n');
    expect(hcl).toContain("  metadata_options {\n    http_tokens = \"required\"\n  }");
    expect(hcl).toContain('  tags = {\n    "kubeplane:cluster" = "dev"\n    Name = "x"\n  }');
    expect(hcl).toContain("  lifecycle {\n    ignore_changes = [\n      user_data,\n    ]\n    create_before_destroy = true\n  }");
    expect(hcl).not.toContain("s/t"); // cdktf's "//" metadata is a comment in JSON, not carried over
  });

  test("what it cannot render exactly is refused, naming the stack and the place", () => {
    const render = (resource: object) => () => renderHcl({ resource: { aws_instance: { n: resource } } }, { stack: "dev-cluster", shapes });
    expect(render({ provisioner: [{ "local-exec": { command: "x" } }] })).toThrow('dev-cluster: aws_instance.n: "provisioner" is not supported');
    expect(() => renderHcl({ module: { m: { source: "./m" } } }, { stack: "dev-cluster", shapes })).toThrow('dev-cluster: "module" not supported');
    expect(() => renderHcl({ resource: { google_thing: { n: {} } } }, { stack: "dev-cluster", shapes })).toThrow(
      "dev-cluster: no provider schema for registry.terraform.io/hashicorp/google (resource google_thing)",
    );
  });
});

// terraform validate needs the providers in this machine's mirror, which has hashicorp/aws only:
// the GCP examples (google provider) cannot be validated here (their synth is tested in
// __tests__/unit/providers/gcp/).
describe.each(AWS_EXAMPLES)("the %s example rendered as HCL", (name) => {
  test("validates, and declares exactly the JSON's resources, data sources, locals and outputs", async () => {
    const outdir = synthesizeExample(name);
    for (const stack of readSynthesizedStacks(outdir)) {
      const written = await writeHclStack(stack, path.join(outdir, "hcl"));
      const hcl = readFileSync(path.join(written.directory, HCL_FILE), "utf8");
      const json = JSON.parse(readFileSync(path.join(stack.workingDirectory, "cdk.tf.json"), "utf8"));
      const jsonAddresses = [
        ...Object.entries(json.resource ?? {}).flatMap(([t, byName]) => Object.keys(byName as object).map((n) => `resource ${t}.${n}`)),
        ...Object.entries(json.data ?? {}).flatMap(([t, byName]) => Object.keys(byName as object).map((n) => `data ${t}.${n}`)),
        ...Object.keys(json.output ?? {}).map((n) => `output ${n}`),
      ].sort();
      const hclAddresses = [...hcl.matchAll(/^(resource|data) "([^"]+)" "([^"]+)"|^output "([^"]+)"/gm)]
        .map((m) => (m[4] ? `output ${m[4]}` : `${m[1]} ${m[2]}.${m[3]}`))
        .sort();
      expect(hclAddresses).toEqual(jsonAddresses);
      for (const local of Object.keys(json.locals ?? {})) expect(hcl).toMatch(new RegExp(`^  ${local} +=`, "m"));
      // fmt, as written: the file is already in Terraform's canonical layout.
      expect(execFileSync("terraform", ["fmt", "-check", "-no-color", HCL_FILE], { cwd: written.directory, env }).toString()).toBe("");
    }
  });
});
