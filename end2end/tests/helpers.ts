import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "clientele-demo";

/** Waits until the page is hydrated, so clicks reach a live app rather than static HTML. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
