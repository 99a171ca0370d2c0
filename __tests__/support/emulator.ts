/**
 * The AWS emulator for test suites. The implementation lives in `cli/aws-emulator.ts` so that
 * `npm run local` starts the very same emulator.
 */
export { EMULATOR_AMIS, emulatorEnvironment, startEmulator } from "../../cli/aws-emulator";
export type { Emulator, EmulatorOptions } from "../../cli/aws-emulator";

/** The error code a request to `url` fails with (e.g. ECONNREFUSED), or "answered". */
export async function connectionError(url: string): Promise<string> {
  try {
    await fetch(url);
    return "answered";
  } catch (e) {
    return ((e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message) as string;
  }
}
