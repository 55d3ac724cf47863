import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

test("search and filters narrow the list, live in the URL, and Back restores the view", async ({ page }) => {
  await signIn(page, "viewer@bluebird.test");
  const count = page.getByTestId("customer-count");
  await expect(count).toHaveText("1,000 customers");

  await page.getByRole("searchbox", { name: "Search customers" }).fill("group");
  await expect(page).toHaveURL(/q=group/);
  await expect(count).toHaveText(/^\d{1,2} customers$/);
  for (const name of await page.locator("tbody td.name").allTextContents()) {
    expect(name.toLowerCase()).toContain("group");
  }

  await page.getByLabel("Status", { exact: true }).selectOption("disabled");
  await expect(page).toHaveURL(/q=group.*status=disabled|status=disabled.*q=group/);
  await expect(page.getByRole("button", { name: "Remove filter Status: Disabled" })).toBeVisible();
  await expect(page.getByText("No customers match these filters.")).toBeVisible();

  await page.goBack();
  await expect(page).not.toHaveURL(/status=/);
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("");
  await expect(page.getByRole("searchbox", { name: "Search customers" })).toHaveValue("group");

  await page.getByRole("button", { name: "Clear all" }).click();
  await expect(count).toHaveText("1,000 customers");
  await expect(page).toHaveURL(/\/customers$/);
});

test("clicking a city adds a filter chip that can be removed", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  const firstCity = page.locator("tbody tr").first().locator("a.cell-filter").first();
  const city = (await firstCity.textContent())!.trim();
  await firstCity.click();
  await expect(page).toHaveURL(new RegExp(`city=${encodeURIComponent(city).replace(/%20/g, "\\+")}`));
  await expect(page.getByText(`City: ${city}`)).toBeVisible();
  await page.getByRole("button", { name: `Remove filter City: ${city}` }).click();
  await expect(page).not.toHaveURL(/city=/);
});

test("the country picker adds countries by name; each is a removable chip", async ({ page }) => {
  await signIn(page, "viewer@northwind.test");
  await page.getByLabel("Add country").selectOption({ label: "Germany" });
  await expect(page).toHaveURL(/country=DE/);
  await expect(page.getByText("Country: Germany")).toBeVisible();
  await page.getByLabel("Add country").selectOption({ label: "France" });
  await expect(page).toHaveURL(/country=DE%2CFR|country=DE,FR/);
  const countries = await page.locator("tbody tr td:nth-child(6)").allTextContents();
  expect(countries.length).toBeGreaterThan(0);
  for (const c of countries) expect(["DE", "FR"]).toContain(c.trim());
  await page.getByRole("button", { name: "Remove filter Country: Germany" }).click();
  await expect(page).toHaveURL(/country=FR$/);
});

test("keyset paging, page size and sorting live in the URL", async ({ page }) => {
  await signIn(page, "viewer@bluebird.test");
  const firstRow = page.locator("tbody tr").first();
  const first = (await firstRow.textContent())!;
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(firstRow).not.toHaveText(first);
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(firstRow).toHaveText(first);

  await page.getByRole("link", { name: "100", exact: true }).click();
  await expect(page).toHaveURL(/size=100/);
  await expect(page.locator("tbody tr")).toHaveCount(100);

  await page.getByRole("link", { name: "Created" }).click();
  await expect(page).toHaveURL(/sort=created/);
  await expect(page.getByRole("columnheader", { name: /Created/ })).toHaveAttribute("aria-sort", "ascending");
  await page.getByRole("link", { name: /Created/ }).click();
  await expect(page.getByRole("columnheader", { name: /Created/ })).toHaveAttribute("aria-sort", "descending");
  await page.goBack();
  await expect(page.getByRole("columnheader", { name: /Created/ })).toHaveAttribute("aria-sort", "ascending");
});
