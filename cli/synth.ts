/** `npm run synth [-- cdktf flags]`: `cdktf synth` with kubeplane's Terraform environment. */
import { runCdktf } from "./cdktf-command";

runCdktf("synth", process.argv.slice(2)).then((code) => (process.exitCode = code));
