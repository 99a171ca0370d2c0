/** `npm run deploy -- <stacks|globs> [cdktf flags]`: an alias of `kubeplane deploy` (cli/commands/deploy.ts). */
import { main } from "./kubeplane";

main(["deploy", ...process.argv.slice(2)]);
