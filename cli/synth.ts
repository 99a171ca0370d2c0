/** `npm run synth [-- cdktf flags]`: an alias of `kubeplane synth` (cli/commands/synth.ts). */
import { main } from "./kubeplane";

main(["synth", ...process.argv.slice(2)]);
