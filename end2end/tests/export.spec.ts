import { expect, test } from "./fixtures";
import { readFileSync } from "node:fs";
import { hydrated, signIn } from "./helpers";

test("Export downloads exactly the view's customers as CSV, and says how many first", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active&q=alpine");
  await hydrated(page);
  const link = page.getByRole("link", { name: /^Export \d+ customers?$/ });
  await expect(link).toBeVisible();
  const expected = Number((await link.textContent())!.match(/Export (\d+)/)![1]);
  expect(expected).toBeGreaterThan(0);

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^customers-northwind-\d{4}-\d\d-\d\d\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines[0]).toMatch(/^id,name,status,/);
  expect(lines).toHaveLength(expected + 1);
  for (const line of lines.slice(1)) expect(line.toLowerCase()).toContain("alpine");

  // With one customer ticked, the link exports that one.
  const first = page.locator("tbody tr").first();
  const name = (await first.locator("td.name a").textContent())!.trim();
  await first.getByRole("checkbox", { name: `Select ${name}` }).check();
  const selected = page.getByRole("link", { name: "Export 1 selected" });
  const [one] = await Promise.all([page.waitForEvent("download"), selected.click()]);
  const rows = readFileSync((await one.path())!, "utf8").trim().split(/\r?\n/);
  expect(rows).toHaveLength(2);
  expect(rows[1]).toContain(name);
});

test("a viewer is offered no export", async ({ page }) => {
  await signIn(page, "viewer@northwind.test");
  await page.goto("/customers");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Export/ })).toHaveCount(0);
});

test("one customer's export, from its row and its detail page, holds everything about it", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active&q=group");
  await hydrated(page);
  const first = page.locator("tbody tr").first();
  const name = (await first.locator("td.name a").textContent())!.trim();
  await first.hover();
  const [json] = await Promise.all([
    page.waitForEvent("download"),
    first.getByRole("link", { name: `Export everything about ${name}` }).click(),
  ]);
  expect(json.suggestedFilename()).toMatch(/^customer-\d+-\d{4}-\d\d-\d\d\.json$/);
  const data = JSON.parse(readFileSync((await json.path())!, "utf8"));
  expect(data.customer.name).toBe(name);
  expect(data.partner).toBe("Northwind Telecom");
  expect(Array.isArray(data.users)).toBe(true);

  await first.locator("td.name a").click();
  await hydrated(page);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const lines = readFileSync((await csv.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines[0]).toBe("section,item,field,value");
  expect(lines).toContain(`customer,,name,${name}`);
});

test("Export customer users downloads the people with access to this partner's accounts", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers");
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export customer users" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^customer-users-northwind-\d{4}-\d\d-\d\d\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines[0]).toBe(
    "email,name,account_id,account,role,state,invited_at,activated_at,last_sign_in_at,terms_accepted_at,privacy_accepted_at,marketing,marketing_at",
  );
});
