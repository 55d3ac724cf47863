import { expect, test, type Page } from "./fixtures";
import { hydrated, signIn } from "./helpers";

/** Collects Content-Security-Policy violations the page reports, from the console and the DOM event. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (/Content Security Policy/i.test(error.message)) violations.push(error.message);
  });
  return violations;
}

async function visit(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response!.headers()["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  expect(response!.headers()["cache-control"], path).toBe("no-store");
  await hydrated(page);
}

test("every page hydrates under the Content-Security-Policy, with no violation", async ({ page }) => {
  const violations = watchCsp(page);
  for (const path of ["/login", "/forgot-password", "/activate?token=0", "/reset-password?token=0"]) {
    await visit(page, path);
  }
  await signIn(page, "admin@northwind.test");
  await visit(page, "/customers");
  const first = page.locator("tbody td.name a").first();
  const href = (await first.getAttribute("href"))!;
  for (const path of [href, `${href}/users`, "/settings/fields", "/settings/emails"]) {
    await visit(page, path);
  }
  // The interactive parts still work: open and close the add dialog.
  await visit(page, "/customers");
  await page.getByRole("button", { name: "New customer" }).first().click();
  await expect(page.getByRole("dialog", { name: "New customer" })).toBeVisible();
  await page.context().clearCookies();
  await signIn(page, "operator@clientele.test");
  for (const path of ["/settings", "/settings/mailbox"]) {
    await visit(page, path);
  }
  expect(violations).toEqual([]);
});
