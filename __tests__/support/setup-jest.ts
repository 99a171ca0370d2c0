/**
 * Loaded before every test file: cdktf's Jest matchers, and a Terraform environment that uses
 * the machine's provider mirror where one exists (so `toBeValidTerraform` works offline).
 */
import { Testing } from "cdktf";
// Types of the matchers Testing.setupJest() installs (toHaveResourceWithProperties, ...).
import "cdktf/lib/testing/adapters/jest";
import { terraformEnvironment } from "../../cli/terraform-environment";

Testing.setupJest();

/**
 * cdktf records a complete stack trace where each token and complex attribute is created
 * (node_modules/cdktf/lib/tokens/private/stack-trace.js, called by Intrinsic and
 * ComplexResolvable), which it only prints in its own error messages. Under Jest every stack read
 * goes through Jest's source-map formatter (@jest/source-map's formatStackTrace maps each frame,
 * decoding the inline maps of cdktf's and the provider's files): about 8 s of CPU in a unit run.
 * Here these traces are formatted as V8 formats them, the whole stack, with positions in the
 * transpiled JavaScript; errors and failures keep Jest's mapped stacks.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfStackTrace = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: Function) => string[] };
cdktfStackTrace.captureStackTrace = function captureStackTrace(below?: Function): string[] {
  const holder: { stack?: string[] } = {};
  const { stackTraceLimit, prepareStackTrace } = Error;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.prepareStackTrace = (_holder, frames) => frames.map(String);
    Error.captureStackTrace(holder, below ?? captureStackTrace);
    return holder.stack ?? [];
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    Error.prepareStackTrace = prepareStackTrace;
  }
};
const tfEnv = terraformEnvironment(process.env);
for (const key of ["TF_CLI_CONFIG_FILE", "CHECKPOINT_DISABLE"]) {
  if (tfEnv[key] !== undefined) process.env[key] = tfEnv[key];
}
