/** `npm run destroy -- <stacks|globs> [cdktf flags]`: an alias of `kubeplane destroy` (cli/commands/destroy.ts). */
import { main } from "./kubeplane";

main(["destroy", ...process.argv.slice(2)]);
