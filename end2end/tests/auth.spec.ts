import { expect, test } from "./fixtures";
import { DEMO_PASSWORD, hydrated, signIn } from "./helpers";

test("a partner user signs in, sees the customers, and signs out", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers", exact: true })).toBeVisible();
  await expect(page.getByTestId("tenant-name")).toHaveText("Northwind Telecom");
  await expect(page.getByRole("table")).toContainText("Active");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  // The session is gone on the server: going back in needs a new sign-in.
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password gets one generic message and no session", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("admin@northwind.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not correct.");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/customers$/);
});
