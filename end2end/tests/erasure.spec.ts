import { expect, test } from "./fixtures";
import { hydrated, invite, signIn } from "./helpers";

const PASSWORD = "violet tractor ninety lanterns";

test("a customer user deletes their own account from the portal", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  const link = await invite(page, "leaving@example.com", "Lea Leaving");

  const person = await (await browser.newContext()).newPage();
  await person.goto(link);
  await hydrated(person);
  await person.getByLabel("New password").fill(PASSWORD);
  await person.getByLabel("Repeat the password").fill(PASSWORD);
  await person.getByRole("button", { name: "Activate and sign in" }).click();
  const card = person.getByRole("region", { name: "Delete my account" });
  await expect(card).toBeVisible();
  // Activation loads the portal afresh: the form only submits through the app once it hydrates
  // (on a busy CI machine a click before that reloaded the page and no error ever showed).
  await hydrated(person);
  await card.getByLabel("Your password").fill("not my password");
  await card.getByRole("button", { name: "Delete my account" }).click();
  await expect(card.getByText("That is not your password.")).toBeVisible();
  await card.getByLabel("Your password").fill(PASSWORD);
  await card.getByRole("button", { name: "Delete my account" }).click();
  await expect(person).toHaveURL(/\/login$/);

  // Gone: signing in again fails like any unknown address.
  await person.goto("/login");
  await hydrated(person);
  await person.getByLabel("Email").fill("leaving@example.com");
  await person.getByLabel("Password").fill(PASSWORD);
  await person.getByRole("button", { name: "Sign in" }).click();
  await expect(person.getByRole("alert")).toContainText("not correct");
});

test("the operator erases a person everywhere after seeing which partners hold them", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  await invite(page, "erase.me@example.com", "Erin Erase");

  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, "operator@clientele.test");
  await operator.goto("/settings");
  await hydrated(operator);
  const card = operator.getByRole("region", { name: "Erase a person everywhere" });
  await card.getByLabel("Email address").fill("erase.me@example.com");
  await card.getByRole("button", { name: "Find" }).click();
  await expect(card.getByTestId("erase-effect")).toContainText("belongs to 1 partner: Northwind Telecom");
  const erase = card.getByRole("button", { name: "Erase everywhere" });
  await expect(erase).toBeDisabled();
  await card.getByLabel("Type their email address to confirm").fill("erase.me@example.com");
  await operator.screenshot({ path: "test-results/erase-confirm.png", fullPage: true });
  await erase.click();
  await expect(card.getByRole("status")).toContainText(/Erased\. The audit log now names them “erased person #\d+”/);

  await card.getByLabel("Email address").fill("erase.me@example.com");
  await card.getByRole("button", { name: "Find" }).click();
  await expect(card.getByRole("alert")).toContainText("nobody has that email address");
});
