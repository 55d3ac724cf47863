import { existsSync } from "node:fs";

// One server per Playwright worker, each on its own port with its own fresh SQLite database:
// test files change the demo data, so workers must not share one.
export const WORKERS = Number(process.env.E2E_WORKERS ?? 2);
const firstPort = Number(process.env.E2E_PORT ?? 3100);

export function serverPort(worker: number) {
  return firstPort + worker;
}

export function serverUrl(worker: number) {
  return `http://127.0.0.1:${serverPort(worker)}`;
}

// And one serving the release bundle (`cargo xtask budget` builds it into target/budget, with
// content-named files and the hash.txt that names them; scripts/test.sh builds it before the
// browser tests), so the optimised, content-named WASM that production serves is driven too: the
// release_bundle spec. Without target/budget (a browser-test run by hand) that spec is left out.
export const RELEASE_BUNDLE = existsSync("../target/budget/hash.txt");
export const RELEASE_PORT = firstPort + WORKERS;
export const RELEASE_URL = `http://127.0.0.1:${RELEASE_PORT}`;
