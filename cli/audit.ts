/** `npm run audit [-- <stacks|globs>] [--concurrency=N] [--lock-timeout=60s]`: an alias of `kubeplane audit` (cli/commands/audit.ts). */
import { main } from "./kubeplane";

main(["audit", ...process.argv.slice(2)]);
