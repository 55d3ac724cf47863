import { expect, test } from "./fixtures";
import { hydrated, linkFromMailbox, signIn } from "./helpers";

const STRONG = "violet tractor ninety lanterns";

test("a partner admin makes a custom role and invites a colleague with it, who sees only what it allows", async ({ page, browser }) => {
  const stamp = Date.now();
  const roleName = `Billing desk ${stamp}`;
  const email = `bill.${stamp}@example.com`;
  await signIn(page, "admin@northwind.test");
  const nav = page.getByRole("navigation", { name: "Main" });

  // Roles: the built-in ones read-only, a new one from two permissions.
  await nav.getByRole("link", { name: "Roles" }).click();
  await hydrated(page);
  await expect(page.getByRole("columnheader", { name: /Partner admin/ })).toBeVisible();
  await page.getByRole("button", { name: "New role" }).click();
  const dialog = page.getByRole("dialog", { name: "New role" });
  await dialog.getByLabel("Name").fill(roleName);
  await dialog.getByRole("checkbox", { name: "customers.view" }).check();
  await dialog.getByRole("checkbox", { name: "customers.export" }).check();
  await dialog.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByRole("status")).toContainText(`Role “${roleName}” saved.`);
  await expect(page.getByRole("columnheader", { name: roleName })).toBeVisible();
  await page.screenshot({ path: "test-results/roles.png", fullPage: true });

  // Team: invite a colleague with it, by email.
  await nav.getByRole("link", { name: "Team" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Invite colleague" }).click();
  const invite = page.getByRole("dialog", { name: "Invite a colleague" });
  await invite.getByLabel("Full name").fill("Bill Payer");
  await invite.getByRole("textbox", { name: "Email" }).fill(email);
  await invite.getByLabel("Role").selectOption({ label: roleName });
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText(`Invitation for ${email} saved.`);
  const row = page.getByTestId("team-member").filter({ hasText: email });
  await expect(row).toContainText("Invited");
  await expect(row).toContainText(roleName);
  await page.screenshot({ path: "test-results/team.png", fullPage: true });

  // The colleague accepts from their inbox and signs in.
  const path = await linkFromMailbox(browser, /Join the Northwind .* team/, email);
  const theirs = await browser.newContext();
  const colleague = await theirs.newPage();
  await colleague.goto(path);
  await hydrated(colleague);
  await expect(colleague.getByText(`the Northwind Telecom team, as ${roleName}`)).toBeVisible();
  await colleague.getByLabel("New password").fill(STRONG);
  await colleague.getByLabel("Repeat the password").fill(STRONG);
  await colleague.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(colleague.locator(".who .role")).toHaveText(roleName);

  // Exactly what the role allows: the list and its export; no adding, no settings.
  await colleague.goto("/customers");
  await hydrated(colleague);
  await expect(colleague.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await expect(colleague.getByRole("link", { name: /^Export [\d,]+ customers/ })).toBeVisible();
  await expect(colleague.getByRole("button", { name: "New customer" })).toHaveCount(0);
  const theirNav = colleague.getByRole("navigation", { name: "Main" });
  await expect(theirNav.getByRole("heading", { name: "Settings" })).toHaveCount(0);
  await expect(theirNav.getByRole("link", { name: "Team" })).toHaveCount(0);
  // And the server refuses the rest, whatever the browser asks.
  const res = await colleague.request.post("/api/team/list", { data: {} });
  expect(res.status()).toBe(403);
  await theirs.close();

  // The admin sees the colleague active now, and may not remove the role they hold.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("team-member").filter({ hasText: email })).toContainText("Active");
  await nav.getByRole("link", { name: "Roles" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: `Delete role ${roleName}` }).click();
  await expect(page.getByRole("alert")).toContainText("held by Bill Payer");
});

test("the admin cannot change their own role or remove themselves", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await page.goto("/settings/team");
  await hydrated(page);
  const me = page.getByTestId("team-member").filter({ hasText: "admin@northwind.test" });
  await expect(me).toContainText("(you)");
  await expect(me.getByRole("combobox")).toHaveCount(0);
  await expect(me.getByRole("button")).toHaveCount(0);
});
