import { expect, test, type Page } from "./fixtures";
import { hydrated, hoverRow, signIn } from "./helpers";

const AWAITING = "Available once the platform operator has confirmed your support level";

/** The active customers matching `search`, hydrated; returns the first row's customer name. */
async function listFiltered(page: Page, search: string) {
  await page.goto(`/customers?status=active&q=${encodeURIComponent(search)}`);
  await hydrated(page);
  const firstName = page.locator("table.data-table tbody tr td.name a").first();
  await expect(firstName).toBeVisible();
  return (await firstName.textContent())!.trim();
}

test("a partner admin logs in as a customer, sees its portal under the banner, and returns to where they were", async ({
  page,
}) => {
  await signIn(page, "admin@northwind.test");
  const name = await listFiltered(page, "a");
  const cameFrom = page.url();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) }).first();
  await row.hover();
  await row.getByRole("button", { name: `Log in as ${name}` }).click();

  const dialog = page.getByRole("dialog", { name: `Log in as ${name}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel(/Reason/).fill("Checking what the customer reported");
  await page.screenshot({ path: "test-results/log-in-as-dialog.png" });
  await dialog.getByRole("button", { name: "Log in as" }).click();

  await expect(page).toHaveURL(/\/portal\/\d+$/);
  await hydrated(page);
  const banner = page.getByRole("region", { name: "Log in as" });
  await expect(banner).toContainText(`Viewing ${name} as Admin Northwind`);
  await expect(banner.getByTestId("impersonation-time-left")).toHaveText(/^(29|30):\d\d left$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await page.screenshot({ path: "test-results/log-in-as-portal.png", fullPage: true });

  // Inviting meanwhile creates nothing that outlasts the view: it goes to the invitee's inbox only.
  await page.getByRole("button", { name: "Invite a member" }).click();
  const invite = page.getByRole("dialog", { name: `Invite to ${name}` });
  await expect(invite.getByText("While you view the account as its users do, an invitation goes to the invitee's own inbox.")).toBeVisible();
  await expect(invite.getByRole("radio", { name: /Display activation link/ })).toHaveCount(0);
  await invite.getByLabel("Full name").fill("Vi Viewing");
  const invitee = `vi.viewing.${Date.now()}@example.com`;
  await invite.getByRole("textbox", { name: "Email" }).fill(invitee);
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(invite).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: `Invitation sent to ${invitee}.` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Activation link" })).toHaveCount(0);

  // The partner pages wait while the view lasts.
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/portal\/\d+$/);
  await hydrated(page);

  await page.getByRole("button", { name: "Return to Clientele" }).click();
  await expect(page).toHaveURL(cameFrom);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Customers" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Log in as" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("until the operator confirms the support level, Log in as is disabled with its reason; then it works", async ({
  browser,
}) => {
  const partner = await browser.newPage();
  await signIn(partner, "admin@bluebird.test");
  const name = await listFiltered(partner, "a");
  const button = (await hoverRow(partner, name)).getByRole("button", { name: `Log in as ${name}` });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(AWAITING);
  await expect(button).toHaveAttribute("title", AWAITING);
  await button.click({ force: true });
  await expect(partner.getByRole("dialog")).toHaveCount(0);

  const operator = await browser.newPage();
  await signIn(operator, "operator@clientele.test");
  await operator.goto("/settings");
  await hydrated(operator);
  await operator.getByRole("button", { name: "Confirm support level of Bluebird Networks" }).click();
  await expect(operator.getByRole("button", { name: "Withdraw the support level of Bluebird Networks" })).toBeVisible();
  await operator.screenshot({ path: "test-results/log-in-as-partners.png", fullPage: true });

  await listFiltered(partner, "a");
  const enabled = (await hoverRow(partner, name)).getByRole("button", { name: `Log in as ${name}` });
  await expect(enabled).toBeEnabled();
  await enabled.click();
  await expect(partner.getByRole("dialog", { name: `Log in as ${name}?` })).toBeVisible();
  await partner.getByRole("button", { name: "Cancel" }).click();

  // Withdrawn again: back to disabled (and the demo as it was).
  await operator.getByRole("button", { name: "Withdraw the support level of Bluebird Networks" }).click();
  await expect(operator.getByRole("button", { name: "Confirm support level of Bluebird Networks" })).toBeVisible();
  await listFiltered(partner, "a");
  await expect((await hoverRow(partner, name)).getByRole("button", { name: `Log in as ${name}` })).toBeDisabled();
});

test("Add network account and Create sub-account from the toolbar; the sidebar shows the new tree", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await listFiltered(page, "e");
  // A customer outside any network, so the new network is a top-level one in the sidebar.
  const topLevel = page.locator("tbody tr").filter({ has: page.locator("td.network-cell:empty") }).first();
  const name = (await topLevel.locator("td.name a").textContent())!.trim();
  await topLevel.getByRole("checkbox", { name: `Select ${name}` }).check();
  const toolbar = page.getByRole("region", { name: "Selection" });
  await toolbar.getByRole("button", { name: "Add network account" }).click();
  const dialog = page.getByRole("dialog", { name: "Add network account" });
  await dialog.getByRole("button", { name: "Create network" }).click();
  await expect(dialog.getByText("Name is required.")).toBeVisible();
  await dialog.getByLabel("Network name").fill("Aaa E2E Network");
  await dialog.getByRole("button", { name: "Create network" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Created network Aaa E2E Network" })).toBeVisible();

  // The new network is listed; selected alone it offers "Create sub-account".
  await listFiltered(page, "Aaa E2E Network");
  await page.getByRole("checkbox", { name: "Select Aaa E2E Network" }).check();
  await toolbar.getByRole("button", { name: "Create sub-account" }).click();
  const form = page.getByRole("dialog", { name: "New sub-account of Aaa E2E Network" });
  await expect(form).toBeVisible();
  await form.getByRole("textbox", { name: "Name", exact: true }).fill("Aaa E2E Branch");
  await form.getByRole("button", { name: "Create customer" }).click();
  await expect(form).toHaveCount(0);

  const sidebar = page.getByRole("region", { name: "Active customers" });
  await page.getByRole("searchbox", { name: "Filter active customers" }).fill("Aaa E2E");
  await expect(sidebar.getByText("Aaa E2E Branch")).toBeVisible();
  await page.getByRole("searchbox", { name: "Filter active customers" }).fill("");
  const network = sidebar.getByRole("button", { name: "Aaa E2E Network 2 active sub-accounts" });
  await expect(network).toBeVisible();
  await network.click();
  const accounts = page.locator(`#${await network.getAttribute("aria-controls")}`);
  await expect(accounts).toContainText(name);
  await expect(accounts).toContainText("Aaa E2E Branch");
  await page.screenshot({ path: "test-results/networks-sidebar.png", fullPage: true });
});
