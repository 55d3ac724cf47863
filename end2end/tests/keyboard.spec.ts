import { expect, test, type Locator, type Page } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Everything by keyboard: row actions, ticking rows (space, shift+space for a range), dialogs
// giving focus back to what opened them, the sidebar's customer tree, a visible focus ring.

async function focusRing(el: Locator) {
  return el.evaluate((e) => {
    const s = getComputedStyle(e);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
}

async function rowNames(page: Page) {
  return (await page.locator("tbody td.name").allTextContents()).map((t) => t.trim());
}

test("row actions appear on keyboard focus and work from the keyboard", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  const [first] = await rowNames(page);
  const edit = page.getByRole("button", { name: `Edit ${first}` });
  // Drawn for the row with focus (or the pointer) only.
  await expect(edit).toHaveCount(0);
  // Tab from the row's name, past its filter links, reaches its actions; each shows while
  // focused, with a ring.
  await page.getByRole("main").getByRole("link", { name: first, exact: true }).focus();
  const view = page.getByRole("link", { name: `View ${first}` });
  for (let i = 0; i < 6 && !(await view.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(view).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(edit).toBeFocused();
  expect(await edit.evaluate((e) => getComputedStyle(e).opacity)).toBe("1");
  const ring = await focusRing(edit);
  expect(ring.style).toBe("solid");
  expect(ring.width).toBeGreaterThanOrEqual(2);

  // Enter opens the dialog; Escape closes it and focus is back on Edit.
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Edit customer" });
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(edit).toBeFocused();

  // The same for Delete (Cancel this time) and for New customer.
  const del = page.getByRole("button", { name: `Delete ${first}` });
  await del.focus();
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("dialog", { name: `Delete ${first}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).press("Enter");
  await expect(confirm).toHaveCount(0);
  await expect(del).toBeFocused();
  const create = page.getByRole("button", { name: "New customer" });
  await create.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "New customer" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(create).toBeFocused();
});

test("space ticks a row, shift+space ticks the range from the last one", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  const names = await rowNames(page);
  const box = (i: number) => page.getByRole("checkbox", { name: `Select ${names[i]}` });
  await box(1).focus();
  await page.keyboard.press("Space");
  await expect(box(1)).toBeChecked();
  await box(4).focus();
  await page.keyboard.press("Shift+Space");
  for (const i of [1, 2, 3, 4]) await expect(box(i)).toBeChecked();
  await expect(box(0)).not.toBeChecked();
  await expect(box(5)).not.toBeChecked();
  await expect(page.getByRole("region", { name: "Selection" })).toContainText("4 selected");
  // And back: shift+space on a ticked row unticks the range.
  await box(2).focus();
  await page.keyboard.press("Shift+Space");
  await expect(box(2)).not.toBeChecked();
  await expect(box(3)).not.toBeChecked();
  await expect(box(4)).not.toBeChecked();
  await expect(box(1)).toBeChecked();
});

test("the sidebar's customer tree moves with the arrow keys", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers");
  await hydrated(page);
  const tree = page.getByRole("region", { name: "Active customers" });
  const items = tree.locator(".customer-links a, .customer-links .network-toggle");
  await expect(items.first()).toBeVisible();
  await items.nth(0).focus();
  await page.keyboard.press("ArrowDown");
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press("End");
  await expect(items.last()).toBeFocused();
  await page.keyboard.press("Home");
  await expect(items.nth(0)).toBeFocused();

  // A network: Right opens it, Right again steps into its sub-accounts, Left goes back up,
  // Left again closes it.
  const network = tree.getByRole("button", { name: /sub-accounts?$/ }).first();
  await network.focus();
  await expect(network).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("ArrowRight");
  await expect(network).toHaveAttribute("aria-expanded", "true");
  const subs = tree.locator(".sub-accounts a");
  await expect(subs.first()).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(subs.first()).toBeFocused();
  const ring = await focusRing(subs.first());
  expect(ring.style).toBe("solid");
  await page.keyboard.press("ArrowLeft");
  await expect(network).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(network).toHaveAttribute("aria-expanded", "false");
  // Enter on a customer opens it.
  const link = tree.locator(".customer-links > li > a").first();
  const name = (await link.textContent())!.trim();
  await link.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
});
