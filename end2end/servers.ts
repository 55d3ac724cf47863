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
