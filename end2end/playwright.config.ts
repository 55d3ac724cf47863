import { defineConfig } from "@playwright/test";

// The server under test: a fresh SQLite database with demo data, on its own port so a running
// development server does not interfere. Built beforehand by scripts/test.sh (cargo test builds
// the server, cargo xtask build --frontend-only the WASM and CSS).
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
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
  webServer: {
    command:
      `rm -rf .data && ../target/debug/server --demo --listen 127.0.0.1:${port} ` +
      // Webhooks go to the tests' own receiver on 127.0.0.1 (webhooks.spec.ts).
      `--database-url "sqlite://.data/e2e.db?mode=rwc" --site-root ../target/site --webhook-allow-private`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
