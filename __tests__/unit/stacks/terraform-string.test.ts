import { App, TerraformLocal, TerraformStack, Testing } from "cdktf";
import { escapeTemplateSequences } from "../../../stacks/terraform-string";

describe("escapeTemplateSequences", () => {
  test("escapes shell and template sequences so Terraform renders them literally", () => {
    expect(escapeTemplateSequences('echo "${HOME}" %{ if x }')).toBe('echo "$${HOME}" %%{ if x }');
  });

  test("leaves cdktf tokens alone, so they still resolve to references", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app as App, "s");
    const source = new TerraformLocal(stack, "endpoint", "api.example");
    new TerraformLocal(stack, "script", escapeTemplateSequences(`host=${source.asString} home=\${HOME}`));
    const locals = JSON.parse(Testing.synth(stack)).locals;
    expect(locals.script).toBe("host=${local.endpoint} home=$${HOME}");
  });

  test("text without sequences is unchanged", () => {
    expect(escapeTemplateSequences("plain $HOME {braces} 100%")).toBe("plain $HOME {braces} 100%");
  });
});
