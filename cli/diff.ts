/** `npm run diff -- <stack> [cdktf flags]`: an alias of `kubeplane diff` (cli/commands/diff.ts). */
import { main } from "./kubeplane";

main(["diff", ...process.argv.slice(2)]);
