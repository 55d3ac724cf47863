import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

test("bulk disable asks first, then updates the list and the sidebar without a reload", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?q=group&status=active");
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Remove filter Status: Active" })).toBeVisible();
  const names = await page.locator("tbody td.name").allTextContents();
  expect(names.length).toBeGreaterThanOrEqual(2);
  const [first, second] = names;

  const sidebar = page.getByRole("region", { name: "Active customers" });
  await page.getByRole("searchbox", { name: "Filter active customers" }).fill(first);
  await expect(sidebar.getByText(first, { exact: true })).toBeVisible();

  await page.getByRole("checkbox", { name: `Select ${first}` }).check();
  await page.getByRole("checkbox", { name: `Select ${second}` }).check();
  await expect(page.getByTestId("selected-count")).toHaveText("2 selected");
  await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Disable" }).click();

  const dialog = page.getByRole("dialog", { name: "Disable customers?" });
  await expect(dialog.getByTestId("confirm-effect")).toContainText("2 customers will be disabled");
  await dialog.getByRole("button", { name: "Disable" }).click();

  await expect(page.getByRole("status")).toHaveText("Disabled 2 customers.");
  await expect(dialog).toHaveCount(0);
  await expect(sidebar.getByText(first, { exact: true })).toHaveCount(0);
  await expect(page.locator("tbody td.name", { hasText: first })).toHaveCount(0);

  await page.getByLabel("Status", { exact: true }).selectOption("disabled");
  await expect(page.getByRole("row", { name: new RegExp(first) })).toContainText("Disabled");
});

test("a row's action appears on keyboard focus and asks before it acts", async ({ page }) => {
  await signIn(page, "admin@bluebird.test");
  await page.goto("/customers?status=disabled");
  await hydrated(page);
  const name = (await page.locator("tbody td.name").first().textContent())!;
  const action = page.getByRole("button", { name: `Activate ${name}` });
  // Drawn for the focused (or hovered) row only.
  await expect(action).toHaveCount(0);
  await page.getByRole("checkbox", { name: `Select ${name}` }).focus();
  await expect(action).toHaveCSS("opacity", "1");
  await action.click();
  const dialog = page.getByRole("dialog", { name: "Activate customers?" });
  await expect(dialog.getByTestId("confirm-effect")).toContainText("1 customer will be activated");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(page.locator("tbody td.name").first()).toHaveText(name);
});

test("a viewer sees no selection and no Disable or Activate actions", async ({ page }) => {
  await signIn(page, "viewer@bluebird.test");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Disable|Activate)\b/ })).toHaveCount(0);
});
