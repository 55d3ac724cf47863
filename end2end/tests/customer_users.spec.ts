import { expect, test } from "./fixtures";
import { hydrated, linkFromMailbox, signIn } from "./helpers";

test("invite with a displayed link, activate it in a fresh browser, land in the portal; the partner sees the active mark", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  const name = (await page.locator("tbody td.name").first().textContent())!.trim();

  // The list's "Invite customer" acts on exactly one selected customer.
  await page.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Invite customer" }).click();
  await expect(page.getByRole("heading", { name: `Users of ${name}` })).toBeVisible();
  const dialog = page.getByRole("dialog", { name: `Invite to ${name}` });
  await expect(dialog).toBeVisible();

  await dialog.getByRole("button", { name: "Invite" }).click();
  await expect(dialog.getByText("Enter the person's full name.")).toBeVisible();
  await dialog.getByLabel("Full name").fill("Paula Portal");
  await dialog.getByRole("textbox", { name: "Email" }).fill("paula.portal@example.com");
  await dialog.getByRole("radio", { name: "Owner" }).check();
  await dialog.getByRole("radio", { name: /Display activation link/ }).check();
  await dialog.getByRole("button", { name: "Invite" }).click();
  await expect(dialog).toHaveCount(0);

  const shown = page.getByRole("region", { name: "Activation link" });
  await expect(shown).toContainText("paula.portal@example.com");
  await expect(shown).toContainText("expires");
  const link = await shown.getByRole("textbox", { name: "Activation link" }).inputValue();
  expect(link).toMatch(/\/activate\?token=[0-9a-f]{64}$/);
  const row = page.getByTestId("customer-user").filter({ hasText: "paula.portal@example.com" });
  await expect(row).toContainText("Invited");

  // The invited person, in a browser of their own.
  const theirs = await browser.newContext();
  const person = await theirs.newPage();
  await person.goto(link);
  await hydrated(person);
  await expect(person.getByText(`You are invited to ${name}`)).toBeVisible();
  await person.getByLabel("New password").fill("password");
  await expect(person.getByText("Strength: Weak")).toBeVisible();
  await person.getByLabel("Repeat the password").fill("password");
  await person.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(person.getByText(/too easy to guess/)).toBeVisible();
  await person.getByLabel("New password").fill("violet tractor ninety lanterns");
  await expect(person.getByText("Strength: Very strong")).toBeVisible();
  await person.getByLabel("Repeat the password").fill("violet tractor ninety lanterns");
  await person.getByRole("button", { name: "Activate and sign in" }).click();

  await expect(person.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(person.getByText("Customer portal")).toBeVisible();
  await expect(person.getByRole("table", { name: "Users of this account" })).toContainText("paula.portal@example.com");
  // The partner's pages are not theirs.
  await person.goto("/customers");
  await hydrated(person);
  await expect(person.getByRole("alert").first()).toContainText("Not permitted");

  // The link is spent.
  const again = await theirs.newPage();
  await again.goto(link);
  await expect(again.getByRole("alert")).toContainText("already been used");
  await theirs.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("customer-user").filter({ hasText: "paula.portal@example.com" })).toContainText("Active");
});

test("forgot password answers alike; the operator's mailbox holds the reset email", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.getByLabel("Email").fill("support@northwind.test");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address");

  await signIn(page, "operator@clientele.test");
  await page.getByRole("link", { name: "Mailbox" }).click();
  const mail = page.getByRole("button", { name: /Reset your .* password/ }).first();
  await expect(mail).toContainText("support@northwind.test");
  await mail.click();
  await expect(page.getByLabel("Plain text body")).toContainText("/reset-password?token=");
});

test("the network picker searches every customer", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?q=group");
  await hydrated(page);
  const network = (await page.locator("tbody td.name").first().textContent())!.trim();
  await page.getByRole("button", { name: "New customer" }).click();
  const dialog = page.getByRole("dialog", { name: "New customer" });
  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("Yankee Yoga Studio");
  await dialog.getByLabel("City").fill("Berlin");
  const picker = dialog.getByRole("combobox", { name: "Network" });
  await picker.fill(network.split(" ").slice(0, 2).join(" "));
  await expect(picker).toHaveAttribute("aria-expanded", "true");
  await dialog.getByRole("option", { name: new RegExp(network) }).click();
  await expect(picker).toHaveValue(network);
  await dialog.getByRole("button", { name: "Create customer" }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByRole("searchbox", { name: "Search customers" }).fill("yankee yoga");
  await page.getByRole("link", { name: "Yankee Yoga Studio" }).first().click();
  await expect(page.getByRole("link", { name: network })).toBeVisible();
});

test("email settings: link lifetime and templates are checked before they are saved", async ({ page }) => {
  await signIn(page, "admin@bluebird.test");
  await page.getByRole("link", { name: "Email settings" }).click();
  await hydrated(page);
  const hours = page.getByLabel("Links expire after (hours)");
  await hours.fill("0");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Choose between 1 and 720 hours.")).toBeVisible();
  await hours.fill("48");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved.").first()).toBeVisible();

  const invitation = page.getByRole("region", { name: /Invitation email/ });
  await invitation.getByLabel("Message").fill("Hello {{name}}, no link here.");
  await invitation.getByRole("button", { name: "Save invitation email" }).click();
  await expect(invitation.getByText(/Include \{\{link\}\}/)).toBeVisible();
  // The template words the email; it cannot wrap the link in an address of its own.
  await invitation.getByLabel("Message").fill("Hello {{name}}: https://elsewhere.example/?go={{link}}");
  await invitation.getByRole("button", { name: "Save invitation email" }).click();
  await expect(invitation.getByText(/on a line of its own/)).toBeVisible();
  await invitation.getByLabel("Message").fill("Hello {{name}}:\n{{link}}");
  await invitation.getByRole("button", { name: "Save invitation email" }).click();
  await expect(invitation.getByRole("heading")).toHaveText("Invitation email");
  await expect(invitation.getByRole("button", { name: "Restore default" })).toBeVisible();

  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Links expire after (hours)")).toHaveValue("48");
  await expect(page.getByRole("region", { name: /Invitation email/ }).getByLabel("Message")).toHaveValue("Hello {{name}}:\n{{link}}");
});

test("an invitation for an existing account goes to its own inbox, never as a link to hand over, and accepts with one click", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  const name = (await page.locator("tbody td.name").nth(1).textContent())!.trim();
  await page.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Invite customer" }).click();
  const dialog = page.getByRole("dialog", { name: `Invite to ${name}` });
  await expect(dialog.getByText(/A link is displayed only for someone new to Clientele/)).toBeVisible();
  // Bluebird's viewer already has an account (another partner's staff).
  await dialog.getByLabel("Full name").fill("Vera Viewer");
  await dialog.getByRole("textbox", { name: "Email" }).fill("viewer@bluebird.test");
  await dialog.getByRole("radio", { name: /Display activation link/ }).check();
  await dialog.getByRole("button", { name: "Invite" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "viewer@bluebird.test already has a Clientele account, so the invitation was emailed to that address" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Activation link" })).toHaveCount(0);

  // The person opens it from their inbox: no password is asked for, one click accepts.
  const path = await linkFromMailbox(browser, /./, "viewer@bluebird.test");
  const theirs = await browser.newContext();
  const person = await theirs.newPage();
  await person.goto(path);
  await hydrated(person);
  await expect(person.getByText(`You are invited to ${name}`)).toBeVisible();
  await expect(person.getByLabel(/password/i)).toHaveCount(0);
  await person.getByRole("button", { name: "Accept invitation" }).click();
  // Signed in now: their own work (their partner workspace) comes first.
  await expect(person).toHaveURL(/\/customers$/);
  await theirs.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("customer-user").filter({ hasText: "viewer@bluebird.test" })).toContainText("Active");
});
