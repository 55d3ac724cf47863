import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Phone (390 px), tablet (768 px) and desktop (1280 px): the sidebar, the list's columns and
// dialogs. With SCREENSHOTS=<dir> each width is also photographed in both themes, to look at.

async function noSidewaysScroll(page: Page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, "the page itself never scrolls sideways").toBeLessThanOrEqual(width);
}

async function photograph(page: Page, name: string) {
  const dir = process.env.SCREENSHOTS;
  if (!dir) return;
  await page.waitForTimeout(250); // the sidebar's slide
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${dir}/${name}-${scheme}.png`, fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
}

test("a phone: the sidebar is a menu, the list keeps its key columns, rows fold their actions, dialogs fit", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  await noSidewaysScroll(page);
  await photograph(page, "390-customers");

  // The sidebar hides behind Menu; opening it puts focus inside, Escape closes it and returns.
  const sidebar = page.getByRole("navigation", { name: "Main" });
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(sidebar).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(sidebar).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(sidebar.locator(":focus")).toHaveCount(1);
  await photograph(page, "390-menu");
  await page.keyboard.press("Escape");
  await expect(sidebar).toBeHidden();
  await expect(menu).toBeFocused();
  // Following a link in it closes it.
  await menu.click();
  await sidebar.getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { name: "Team", level: 1 })).toBeVisible();
  await expect(sidebar).toBeHidden();
  await noSidewaysScroll(page);
  await page.goBack();
  await hydrated(page);

  // Key columns: name, status, and one Actions button per row.
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: /^Name/ })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: /^Status/ })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Email" })).toBeHidden();
  const first = (await page.locator("tbody td.name").first().textContent())!.trim();
  const actions = page.getByRole("button", { name: `Actions for ${first}` });
  await expect(page.getByRole("button", { name: `Edit ${first}` })).toBeHidden();
  await actions.click();
  await expect(actions).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("button", { name: `Edit ${first}` })).toBeVisible();
  await noSidewaysScroll(page);
  await photograph(page, "390-row-actions");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: `Edit ${first}` })).toBeHidden();
  await expect(actions).toBeFocused();

  // Every column on request: then the table scrolls, the page does not.
  await page.getByRole("button", { name: "All columns" }).click();
  await expect(table.getByRole("columnheader", { name: "Email" })).toBeVisible();
  await noSidewaysScroll(page);
  await photograph(page, "390-all-columns");
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole("button", { name: "All columns" }).click();

  // A dialog fits the screen.
  await page.getByRole("button", { name: "New customer" }).click();
  const dialog = page.getByRole("dialog", { name: "New customer" });
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.height).toBeLessThanOrEqual(844);
  await photograph(page, "390-dialog");
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");

  // The detail page and the sign-in page fit too.
  await page.getByRole("link", { name: first, exact: true }).first().click();
  await expect(page.getByRole("heading", { name: first, level: 1 })).toBeVisible();
  await noSidewaysScroll(page);
  await photograph(page, "390-detail");
});

for (const width of [768, 1280]) {
  test(`${width} px: the list and its sidebar`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, "admin@northwind.test");
    await page.goto("/customers");
    await hydrated(page);
    await noSidewaysScroll(page);
    const sidebar = page.getByRole("navigation", { name: "Main" });
    if (width >= 1024) {
      // Wide: the sidebar is always there and there is no Menu button; all columns show.
      await expect(sidebar).toBeVisible();
      await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
      await expect(page.getByRole("columnheader", { name: "Email" })).toBeVisible();
    } else {
      await expect(sidebar).toBeHidden();
      await page.getByRole("button", { name: "Menu" }).click();
      await expect(sidebar).toBeVisible();
      await photograph(page, `${width}-menu`);
      await page.keyboard.press("Escape");
    }
    await photograph(page, `${width}-customers`);
    const first = page.locator("tbody td.name a").first();
    await first.click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await noSidewaysScroll(page);
    await photograph(page, `${width}-detail`);
  });
}

test("a phone: no page of a partner admin's scrolls sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin@northwind.test");
  for (const path of ["/settings/team", "/settings/roles", "/settings/fields", "/settings/emails", "/settings/log-in-as", "/settings/audit", "/account"]) {
    await page.goto(path);
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await noSidewaysScroll(page);
  }
});

test("signed out on a phone: the sign-in page fits", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/login");
  await hydrated(page);
  await noSidewaysScroll(page);
  await photograph(page, "390-login");
});
