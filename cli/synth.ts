/** `npm run synth [-- cdktf flags]`: `cdktf synth` with kubeplane's Terraform environment. */
import { cdktfMain } from "./cdktf-command";

// cdktfMain never rejects: a cdktf that cannot start is reported as `kubeplane: <message>`, exit 1.
cdktfMain("synth", process.argv.slice(2)).then((code) => (process.exitCode = code));
