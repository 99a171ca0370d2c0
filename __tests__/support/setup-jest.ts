/**
 * Loaded before every test file: cdktf's Jest matchers, and a Terraform environment that uses
 * the machine's provider mirror where one exists (so `toBeValidTerraform` works offline).
 */
import { Testing } from "cdktf";
// Types of the matchers Testing.setupJest() installs (toHaveResourceWithProperties, ...).
import "cdktf/lib/testing/adapters/jest";
import { terraformEnvironment } from "../../cli/terraform-environment";

Testing.setupJest();
const tfEnv = terraformEnvironment(process.env);
for (const key of ["TF_CLI_CONFIG_FILE", "CHECKPOINT_DISABLE"]) {
  if (tfEnv[key] !== undefined) process.env[key] = tfEnv[key];
}
