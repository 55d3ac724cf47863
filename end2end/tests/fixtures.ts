import { test as base } from "@playwright/test";
import { RELEASE_URL, serverUrl } from "../servers";

export { expect, request } from "@playwright/test";
export type { Browser, Locator, Page } from "@playwright/test";

/** Playwright's `test`, each worker talking to its own server and database (playwright.config.ts
 * starts one per worker), so test files that change the demo data run side by side without
 * seeing each other's changes; the "release" project's tests talk to the release bundle's. */
export const test = base.extend({
  baseURL: async ({}, use, testInfo) => {
    await use(testInfo.project.name === "release" ? RELEASE_URL : serverUrl(testInfo.parallelIndex));
  },
});
