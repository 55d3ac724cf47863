import { expect, test } from "./fixtures";
import { hydrated, linkFromMailbox, signIn } from "./helpers";

const STRONG = "violet tractor ninety lanterns";

test("the operator creates a partner whose invited admin activates, makes a role and invites a colleague with it", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const name = `Initech ${stamp}`;
  const email = `bill.${stamp}@initech.example`;
  await signIn(page, "operator@clientele.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners", exact: true }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "New partner" }).click();
  const dialog = page.getByRole("dialog", { name: "New partner" });
  await dialog.getByRole("button", { name: "Create partner" }).click();
  await expect(dialog.getByText("Enter the partner's name.")).toBeVisible();
  await dialog.getByLabel("Partner name").fill(name);
  await dialog.getByLabel("Contact name").fill("Peter Gibbons");
  await dialog.getByLabel("Contact email").fill("peter@initech.example");
  await dialog.getByLabel("Support level confirmed").check();
  await dialog.getByLabel("Admin's full name").fill("Bill Lumbergh");
  await dialog.getByLabel("Admin's email").fill(email);
  await dialog.getByRole("button", { name: "Create partner" }).click();
  await expect(page.getByRole("status")).toContainText(`${name} created; the invitation went to ${email}.`);
  await page.getByRole("searchbox", { name: "Search partners" }).fill(`initech ${stamp}`);
  await expect(page.getByTestId("partner")).toHaveCount(1);
  await expect(page.getByTestId("partner")).toContainText("Peter Gibbons");
  await page.screenshot({ path: "test-results/partners.png", fullPage: true });

  const path = await linkFromMailbox(browser, new RegExp(`Join the ${name} team`), email);
  const theirs = await browser.newContext();
  const admin = await theirs.newPage();
  await admin.goto(path);
  await hydrated(admin);
  await admin.getByLabel("New password").fill(STRONG);
  await admin.getByLabel("Repeat the password").fill(STRONG);
  await admin.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(admin.locator(".who .role")).toHaveText("Partner admin");
  await expect(admin.getByTestId("tenant-name")).toHaveText(name);

  // That admin makes a custom role and invites a colleague with it.
  const nav = admin.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Roles" }).click();
  await hydrated(admin);
  await admin.getByRole("button", { name: "New role" }).click();
  const roleDialog = admin.getByRole("dialog", { name: "New role" });
  await roleDialog.getByLabel("Name").fill("Readers");
  await roleDialog.getByRole("checkbox", { name: "customers.view" }).check();
  await roleDialog.getByRole("button", { name: "Save role" }).click();
  await expect(admin.getByRole("columnheader", { name: "Readers" })).toBeVisible();
  await nav.getByRole("link", { name: "Team" }).click();
  await hydrated(admin);
  await admin.getByRole("button", { name: "Invite colleague" }).click();
  const invite = admin.getByRole("dialog", { name: "Invite a colleague" });
  const colleagueEmail = `rita.${stamp}@initech.example`;
  await invite.getByLabel("Full name").fill("Rita Reader");
  await invite.getByRole("textbox", { name: "Email" }).fill(colleagueEmail);
  await invite.getByLabel("Role").selectOption({ label: "Readers" });
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(admin.getByTestId("team-member").filter({ hasText: colleagueEmail })).toContainText("Invited");

  // The colleague sees only what the role allows.
  const colleaguePath = await linkFromMailbox(browser, new RegExp(`Join the ${name} team`), colleagueEmail);
  const hers = await browser.newContext();
  const colleague = await hers.newPage();
  await colleague.goto(colleaguePath);
  await hydrated(colleague);
  await colleague.getByLabel("New password").fill(STRONG);
  await colleague.getByLabel("Repeat the password").fill(STRONG);
  await colleague.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(colleague.locator(".who .role")).toHaveText("Readers");
  const herNav = colleague.getByRole("navigation", { name: "Main" });
  await expect(herNav.getByRole("link", { name: "Customers" })).toBeVisible();
  await expect(herNav.getByRole("heading", { name: "Settings" })).toHaveCount(0);
  await colleague.goto("/customers");
  await hydrated(colleague);
  await expect(colleague.getByRole("button", { name: "New customer" })).toHaveCount(0);
  await hers.close();

  // The admin's audit log shows those actions, with the filter in the URL.
  await nav.getByRole("link", { name: "Audit log" }).click();
  await hydrated(admin);
  await admin.getByLabel("Action").fill("partner_user.");
  await admin.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin).toHaveURL(/\/settings\/audit\?action=partner_user\.$/);
  const entries = admin.getByTestId("audit-entry");
  await expect(entries.filter({ hasText: "Invited a colleague" }).filter({ hasText: "Rita Reader" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "A colleague accepted the invitation" }).filter({ hasText: "Rita Reader" })).toHaveCount(1);
  await theirs.close();

  // Disabled, its admin is signed out and cannot sign in; the list says so.
  await page.getByRole("button", { name: `Disable ${name}` }).click();
  await page.getByRole("alertdialog", { name: `Disable ${name}?` }).getByRole("button", { name: "Disable partner" }).click();
  await expect(page.getByTestId("partner")).toContainText("Disabled");
  const again = await browser.newContext();
  const login = await again.newPage();
  await login.goto("/login");
  await hydrated(login);
  await login.getByLabel("Email").fill(email);
  await login.getByLabel("Password").fill(STRONG);
  await login.getByRole("button", { name: "Sign in" }).click();
  await expect(login.getByRole("alert")).toContainText("access is paused");
  await again.close();
});

test("the audit log keeps its filter in the URL and opens an entry to its before and after", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  const roleName = `Auditors ${Date.now()}`;
  const res = await page.request.post("/api/roles/save", {
    data: { draft: { name: roleName, permissions: ["CustomersView", "AuditView"] } },
  });
  expect(res.ok()).toBe(true);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await hydrated(page);
  await page.getByLabel("Action").fill("role.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/settings\/audit\?action=role\.$/);
  const entry = page.getByTestId("audit-entry").filter({ hasText: roleName }).first();
  await expect(entry).toContainText("Created a role");
  await entry.getByText("2 changes").click();
  await expect(entry.getByRole("table")).toContainText("customers.view");
  await page.screenshot({ path: "test-results/audit-log.png", fullPage: true });

  // The URL alone brings the same view back.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Action")).toHaveValue("role.");
  await expect(page.getByTestId("audit-entry").filter({ hasText: roleName })).toHaveCount(1);
  // A bad filter says what is wrong.
  await page.getByLabel("About").fill("nonsense");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("Enter what the entries are about as kind:id")).toBeVisible();
});
