import { expect, type Browser, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "clientele-demo";

/** Waits until the page is hydrated, so clicks reach a live app rather than static HTML. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

/** A customer's row in the list, with the pointer over it, as a person reaches its actions: they
 * are drawn only for the row hovered or holding focus. */
export async function hoverRow(page: Page, name: string) {
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) }).first();
  await row.hover();
  return row;
}

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** As the signed-in partner user: invites `email` to the first active customer with a displayed
 * link (through the server function the invite dialog calls) and returns the link. */
export async function invite(page: Page, email: string, fullName: string) {
  await page.goto("/customers?status=active");
  await hydrated(page);
  const href = await page.locator("tbody td.name a").first().getAttribute("href");
  const customer_id = Number(href!.split("/").pop());
  const res = await page.request.post("/api/customer-users/invite", {
    data: { customer_id, input: { full_name: fullName, email, role: "Owner", method: "DisplayLink" } },
  });
  expect(res.ok()).toBe(true);
  return (await res.json()).link as string;
}

/** The path of the link in the newest email to `to` whose subject matches, read by the operator
 * in the development mailbox (every email waits there without SMTP). */
export async function linkFromMailbox(browser: Browser, subject: RegExp, to: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "operator@clientele.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Mailbox" }).click();
  await page.getByRole("button", { name: subject }).filter({ hasText: to }).first().click();
  const body = (await page.getByLabel("Plain text body").first().textContent())!;
  await context.close();
  const url = new URL(body.match(/https?:\/\/\S+/)![0]);
  return url.pathname + url.search;
}
