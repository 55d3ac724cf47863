import { expect, test, type Page } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// The theme: light, dark, or the device's (prefers-color-scheme), chosen on My account, applied
// at once and remembered for the person on every device, and for nobody else.

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor);
const LIGHT = "rgb(246, 247, 249)";
const DARK = "rgb(15, 20, 28)";

test("a person's theme choice applies at once, follows them to another device, and not to others", async ({ page, browser }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, "manager@northwind.test");
  await page.goto("/account");
  await hydrated(page);
  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "system");
  expect(await background(page)).toBe(LIGHT);
  // The device's setting is followed while the choice is "system".
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background(page)).toBe(DARK);
  await page.emulateMedia({ colorScheme: "light" });

  const theme = page.getByRole("group", { name: "Theme" });
  await theme.getByRole("radio", { name: "Dark" }).check();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("status").filter({ hasText: "Theme saved" })).toBeVisible();
  expect(await background(page)).toBe(DARK);

  // Remembered: after a reload, and on another device that prefers light.
  await page.reload();
  await hydrated(page);
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(theme.getByRole("radio", { name: "Dark" })).toBeChecked();
  const phone = await browser.newContext({ colorScheme: "light" });
  const other = await phone.newPage();
  await signIn(other, "manager@northwind.test");
  await expect(other.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await background(other)).toBe(DARK);
  // A colleague keeps their own.
  const colleague = await (await browser.newContext({ colorScheme: "light" })).newPage();
  await signIn(colleague, "viewer@northwind.test");
  await expect(colleague.locator("html")).toHaveAttribute("data-theme", "system");
  expect(await background(colleague)).toBe(LIGHT);

  // Light overrides a dark device; back to the device's own.
  await page.emulateMedia({ colorScheme: "dark" });
  await theme.getByRole("radio", { name: "Light" }).check();
  await expect(html).toHaveAttribute("data-theme", "light");
  expect(await background(page)).toBe(LIGHT);
  await theme.getByRole("radio", { name: "Same as this device" }).check();
  await expect(html).toHaveAttribute("data-theme", "system");
  expect(await background(page)).toBe(DARK);
  await expect(page.getByRole("status").filter({ hasText: "Theme saved" })).toBeVisible();
  await other.reload();
  await hydrated(other);
  await expect(other.locator("html")).toHaveAttribute("data-theme", "system");
});
