/**
 * The environment every Terraform run of kubeplane gets (cdktf deploy/diff, terraform state,
 * `toBeValidTerraform` in tests).
 *
 * Where a filesystem provider mirror exists on the machine and the user has no Terraform CLI
 * config of their own, kubeplane writes one that installs the mirrored providers from the mirror
 * and everything else from the registry. Users with the registry and no mirror are unaffected:
 * their environment passes through unchanged. So are users with a CLI config of their own
 * (`TF_CLI_CONFIG_FILE`, or the default `~/.terraformrc`, `%APPDATA%/terraform.rc` on Windows):
 * it may hold credentials, a plugin cache or their own provider installation rules.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import * as path from "path";

/**
 * Directories searched for a provider mirror, after `KUBEPLANE_PROVIDER_MIRROR`. Not the implicit
 * local mirror directories (`/usr/share/terraform/plugins`, `/usr/local/share/terraform/plugins`,
 * `~/.terraform.d/plugins`, ...): Terraform searches those by itself, and a registry user with
 * something there must not be switched to a mirror-only config (nor have the provider lock skipped).
 */
export const DEFAULT_MIRROR_CANDIDATES: readonly string[] = ["/opt/tf-plugins"];

/** The project root (where package.json lives). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function subdirectories(p: string): string[] {
  return readdirSync(p).filter((name) => isDirectory(path.join(p, name)));
}

/** Provider source addresses (`host/namespace/type`) found in a mirror directory. */
export function mirroredProviders(mirror: string): string[] {
  const found: string[] = [];
  for (const host of subdirectories(mirror)) {
    for (const namespace of subdirectories(path.join(mirror, host))) {
      for (const type of subdirectories(path.join(mirror, host, namespace))) {
        found.push(`${host}/${namespace}/${type}`);
      }
    }
  }
  return found.sort();
}

/** The first mirror directory that holds at least one provider, or undefined. */
export function findProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
  defaultCandidates: readonly string[] = DEFAULT_MIRROR_CANDIDATES,
): string | undefined {
  const candidates = [env.KUBEPLANE_PROVIDER_MIRROR, ...defaultCandidates].filter(
    (c): c is string => Boolean(c),
  );
  return candidates.find((c) => isDirectory(c) && mirroredProviders(c).length > 0);
}

/** Renders a Terraform CLI config that takes `providers` from `mirror` and the rest directly. */
export function renderMirrorCliConfig(mirror: string, providers: string[]): string {
  const list = providers.map((p) => JSON.stringify(p)).join(", ");
  return [
    "# Written by kubeplane: providers found in the local mirror come from it, the rest from the registry.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = [${list}]`,
    "  }",
    "  direct {",
    `    exclude = [${list}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Where kubeplane writes its mirror CLI config under a project root. */
export function mirrorCliConfigPath(projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, ".kubeplane", "terraform-mirror.tfrc");
}

/**
 * Whether `env` (from terraformEnvironment) installs providers through kubeplane's mirror config.
 * Then `terraform providers lock`, which asks the registry for every platform's hashes, cannot
 * work offline and is skipped: the mirror is the source of the providers.
 */
export function usesMirrorCliConfig(env: NodeJS.ProcessEnv, projectRoot: string = PROJECT_ROOT): boolean {
  return env.TF_CLI_CONFIG_FILE !== undefined && path.resolve(env.TF_CLI_CONFIG_FILE) === mirrorCliConfigPath(projectRoot);
}

/**
 * The CLI config file Terraform reads in `env`, as Terraform picks it: `TF_CLI_CONFIG_FILE` (or
 * the legacy `TERRAFORM_CONFIG`) when set, even if missing (Terraform then warns and reads no
 * file, not the default); otherwise `$HOME/.terraformrc`, or `%APPDATA%/terraform.rc` on Windows.
 * Undefined when there is no home to look in.
 */
export function userCliConfigFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const override = env.TF_CLI_CONFIG_FILE || env.TERRAFORM_CONFIG;
  if (override) return override;
  if (platform === "win32") {
    return env.APPDATA ? path.join(env.APPDATA, "terraform.rc") : undefined;
  }
  return env.HOME ? path.join(env.HOME, ".terraformrc") : undefined;
}

/** Options of terraformEnvironment, for tests. */
export interface TerraformEnvironmentOptions {
  /** Mirror directories to look for after `KUBEPLANE_PROVIDER_MIRROR` (default DEFAULT_MIRROR_CANDIDATES). */
  mirrorCandidates?: readonly string[];
  platform?: NodeJS.Platform;
}

/**
 * Returns the environment for a Terraform process. A CLI config file of the user's that exists
 * (see userCliConfigFile) is kept and the environment is returned unchanged; otherwise, where a
 * mirror exists, a CLI config for it is written under `<projectRoot>/.kubeplane/` and named in
 * `TF_CLI_CONFIG_FILE`.
 */
export function terraformEnvironment(
  base: NodeJS.ProcessEnv = process.env,
  projectRoot: string = PROJECT_ROOT,
  options: TerraformEnvironmentOptions = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CHECKPOINT_DISABLE: "1", ...base };
  const userConfig = userCliConfigFile(base, options.platform);
  if (userConfig && existsSync(userConfig)) {
    return env;
  }
  const mirror = findProviderMirror(base, options.mirrorCandidates);
  if (!mirror) {
    return env;
  }
  const file = mirrorCliConfigPath(projectRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  const config = renderMirrorCliConfig(mirror, mirroredProviders(mirror));
  // Rewritten only when it changes: parallel runs (tests, audit) read it while others start.
  if (!existsSync(file) || readFileSync(file, "utf8") !== config) writeFileSync(file, config);
  return { ...env, TF_CLI_CONFIG_FILE: file };
}
