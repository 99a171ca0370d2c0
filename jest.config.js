/**
 * Two projects: `unit` (definitions, constructs, synth assertions, bootstrap rendering; no
 * emulator) and `emulator` (suites that start moto_server: node simulation, deploy loop).
 * TypeScript is transpiled by SWC; types are checked by `tsc --noEmit` in `npm test`.
 */
const base = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  moduleFileExtensions: ["ts", "js", "json"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup-jest.ts"],
};

module.exports = {
  // `emulator` holds the suites that run the AWS emulator or Terraform itself (deploys, the node
  // simulation, the HCL exit's terraform apply/validate); `unit` stays within its 60 s budget.
  // Two workers even on a 2-core machine (Jest's default is cores - 1): the unit suites spend much
  // of their time waiting on child processes (shellcheck, cloud-init, bash, containerd,
  // systemd-analyze, terraform). The emulator suites run two at a time too (npm test): each starts
  // its own moto_server on a free port and works in its own directories, and most of their time
  // is spent waiting on Terraform, the emulator and node scripts.
  maxWorkers: 2,
  projects: [
    { ...base, displayName: "unit", testMatch: ["<rootDir>/__tests__/unit/**/*.test.ts"] },
    {
      ...base,
      displayName: "emulator",
      testMatch: ["<rootDir>/__tests__/emulator/**/*.test.ts"],
      slowTestThreshold: 300,
    },
  ],
};
