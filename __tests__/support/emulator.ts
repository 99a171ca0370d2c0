/**
 * The AWS emulator for test suites. The implementation lives in `cli/aws-emulator.ts` so that
 * `npm run local` starts the very same emulator.
 */
export { EMULATOR_AMIS, emulatorEnvironment, startEmulator } from "../../cli/aws-emulator";
export type { Emulator, EmulatorOptions } from "../../cli/aws-emulator";
