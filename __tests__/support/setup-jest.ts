/**
 * Loaded before every test file: cdktf's Jest matchers, and a Terraform environment that uses
 * the machine's provider mirror where one exists (so `toBeValidTerraform` works offline).
 */
// Types of the matchers Testing.setupJest() installs (toHaveResourceWithProperties, ...).
import type {} from "cdktf/lib/testing/adapters/jest";
import { terraformEnvironment } from "../../cli/terraform-environment";

/**
 * cdktf's Jest matchers (Testing.setupJest()), loaded when a test first uses one: loading cdktf
 * and its dependencies is about 0.1 s of CPU per test file, and a quarter of the unit suites
 * never use cdktf. The matchers are cdktf's own, as Testing.setupJest() hands them to expect.extend.
 */
const CDKTF_MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
] as const;
let cdktfMatchers: jest.ExpectExtendMap | undefined;
function loadCdktfMatchers(): jest.ExpectExtendMap {
  if (!cdktfMatchers) {
    const captured: jest.ExpectExtendMap = {};
    const extend = expect.extend;
    expect.extend = (matchers) => void Object.assign(captured, matchers);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("cdktf") as typeof import("cdktf")).Testing.setupJest();
    } finally {
      expect.extend = extend;
    }
    const missing = CDKTF_MATCHERS.filter((name) => typeof captured[name] !== "function");
    if (missing.length > 0) throw new Error(`cdktf's Testing.setupJest() no longer installs ${missing.join(", ")}`);
    cdktfMatchers = captured;
  }
  return cdktfMatchers;
}
expect.extend(
  Object.fromEntries(
    CDKTF_MATCHERS.map((name) => [
      name,
      function (this: jest.MatcherContext, received: unknown, ...expected: unknown[]) {
        return loadCdktfMatchers()[name].call(this, received, ...expected);
      },
    ]),
  ),
);

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
