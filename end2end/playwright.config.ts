import { defineConfig } from "@playwright/test";
import { WORKERS, serverPort, serverUrl } from "./servers";

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
  webServer: Array.from({ length: WORKERS }, (_, worker) => ({
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
});
