import { defineConfig } from "@playwright/test";
import { RELEASE_BUNDLE, RELEASE_PORT, RELEASE_URL, WORKERS, serverPort, serverUrl } from "./servers";

// The servers under test: one per worker (tests/fixtures.ts points each worker at its own), each
// with a fresh SQLite database of demo data, on ports of their own so a running development
// server does not interfere. Built beforehand by scripts/test.sh (cargo test builds the server,
// cargo xtask build --frontend-only the WASM and CSS).
export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Test files are shared out among the workers; a file's tests run in order, in one worker.
  fullyParallel: false,
  workers: WORKERS,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: serverUrl(0),
    browserName: "chromium",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "debug", testIgnore: /release_bundle\.spec\.ts/ },
    ...(RELEASE_BUNDLE ? [{ name: "release", testMatch: /release_bundle\.spec\.ts/ }] : []),
  ],
  webServer: [
    ...Array.from({ length: WORKERS }, (_, worker) => ({
      command:
        `rm -rf .data/${worker} && ../target/debug/server --demo --listen 127.0.0.1:${serverPort(worker)} ` +
        // Webhooks go to the tests' own receiver on 127.0.0.1 (webhooks.spec.ts).
        `--database-url "sqlite://.data/${worker}/e2e.db?mode=rwc" --site-root ../target/site --webhook-allow-private`,
      url: `${serverUrl(worker)}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore" as const,
      stderr: "pipe" as const,
    })),
    // The debug server with the release bundle: Leptos reads the bundle's file names from the
    // hash.txt beside the server binary, so the binary is copied next to target/budget's.
    ...(RELEASE_BUNDLE
      ? [
          {
            command:
              `rm -rf .data/release && mkdir -p .data/release && cp ../target/debug/server ../target/budget/hash.txt .data/release/ && ` +
              `.data/release/server --demo --listen 127.0.0.1:${RELEASE_PORT} ` +
              `--database-url "sqlite://.data/release/e2e.db?mode=rwc" --site-root ../target/budget`,
            url: `${RELEASE_URL}/healthz`,
            reuseExistingServer: false,
            timeout: 120_000,
            stdout: "ignore" as const,
            stderr: "pipe" as const,
          },
        ]
      : []),
  ],
});
