import { expect, test } from "./fixtures";
import { hydrated, invite, signIn } from "./helpers";

const FIRST = "violet tractor ninety lanterns";
const SECOND = "amber kettle seventeen harbours";

test("a person changes their password in My account and their other session ends", async ({ page, browser }) => {
  // A customer user of their own, so that no other test's password changes.
  const email = `mia.${Date.now()}@example.com`;
  await signIn(page, "admin@northwind.test");
  const link = await invite(page, email, "Mia Mine");

  const laptopContext = await browser.newContext();
  const laptop = await laptopContext.newPage();
  await laptop.goto(link);
  await hydrated(laptop);
  await laptop.getByLabel("New password").fill(FIRST);
  await laptop.getByLabel("Repeat the password").fill(FIRST);
  await laptop.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(laptop.getByText("Customer portal")).toBeVisible();

  const phoneContext = await browser.newContext();
  const phone = await phoneContext.newPage();
  await phone.goto("/login");
  await hydrated(phone);
  await phone.getByLabel("Email").fill(email);
  await phone.getByLabel("Password").fill(FIRST);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone.getByText("Customer portal")).toBeVisible();

  await laptop.getByRole("link", { name: "My account" }).click();
  await hydrated(laptop);
  await expect(laptop.getByRole("heading", { name: "My account", level: 1 })).toBeVisible();
  await expect(laptop.getByTestId("own-session")).toHaveCount(2);
  await laptop.getByLabel("Current password").fill("not my password");
  await laptop.getByLabel("New password").fill(SECOND);
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByText("That is not your current password.")).toBeVisible();
  await laptop.getByLabel("Current password").fill(FIRST);
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByRole("status")).toContainText("Password changed");
  await expect(laptop.getByTestId("own-session")).toHaveCount(1);
  await laptop.screenshot({ path: "test-results/my-account.png", fullPage: true });

  // The phone's session has ended: its next page asks it to sign in.
  await phone.goto("/portal");
  await expect(phone).toHaveURL(/\/login/);
  await laptopContext.close();
  await phoneContext.close();
});
