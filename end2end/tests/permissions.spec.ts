import { expect, test, type Locator, type Page } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Permission parity: for each built-in role, the controls the UI shows on the customer list, a
// row, the selection bar, the detail page and the users page are exactly those the session's
// permissions allow. The session (what /api/session says) is the UI's one source of truth; the
// roles' permissions themselves are checked against PRODUCT.md §2.

const ALL_PARTNER = [
  "CustomersView", "CustomersCreate", "CustomersEdit", "CustomersDisable", "CustomersDelete", "CustomersExport",
  "CustomersImpersonate", "CustomerUsersManage", "TenantConfigure", "PartnerUsersManage", "AuditView", "ApiKeysManage", "WebhooksManage",
];
const ROLES: [string, string, string[]][] = [
  ["Partner admin", "admin", ALL_PARTNER],
  ["Account manager", "manager", ["CustomersView", "CustomersCreate", "CustomersEdit", "CustomersDisable", "CustomersExport", "CustomersImpersonate", "CustomerUsersManage"]],
  ["Support", "support", ["CustomersView", "CustomersImpersonate", "CustomerUsersManage"]],
  ["Viewer", "viewer", ["CustomersView"]],
];

/** Each control is listed with whether the permissions allow it; the names of those on screen
 * must be exactly the allowed ones. */
async function expectParity(where: string, controls: [string, Locator, boolean][]) {
  const shown: string[] = [];
  for (const [name, locator] of controls) if (await locator.first().isVisible()) shown.push(name);
  expect(shown, where).toEqual(controls.filter(([, , ok]) => ok).map(([name]) => name));
}

async function sessionPermissions(page: Page): Promise<Set<string>> {
  const res = await page.request.post("/api/session", { form: {} });
  expect(res.ok()).toBe(true);
  return new Set((await res.json()).permissions as string[]);
}

let customer = { id: 0, name: "" };

test.beforeAll(async ({ browser }) => {
  // A customer with an invited user, so the users page has a row with its buttons.
  const page = await browser.newPage();
  await signIn(page, "admin@northwind.test");
  await page.goto("/customers?status=active");
  await hydrated(page);
  const link = page.locator("tbody td.name a").first();
  customer = { id: Number((await link.getAttribute("href"))!.split("/").pop()), name: (await link.textContent())!.trim() };
  const res = await page.request.post("/api/customer-users/invite", {
    data: { customer_id: customer.id, input: { full_name: "Parity Person", email: `parity.${Date.now()}@example.com`, role: "Member", method: "DisplayLink" } },
  });
  expect(res.ok()).toBe(true);
  await page.close();
});

for (const [role, who, permissions] of ROLES) {
  test(`${role}: the list, a row, the selection, the detail and users pages show exactly what the role may do`, async ({ page }) => {
    await signIn(page, `${who}@northwind.test`);
    const can = await sessionPermissions(page);
    expect([...can].sort(), "the role's permissions (PRODUCT.md §2)").toEqual([...permissions].sort());
    const has = (p: string) => can.has(p);
    const name = customer.name;

    // The list's toolbar.
    await page.goto("/customers?status=active");
    await hydrated(page);
    await expect(page.getByRole("link", { name, exact: true }).first()).toBeVisible();
    await expectParity("list toolbar", [
      ["New customer", page.getByRole("button", { name: "New customer" }), has("CustomersCreate")],
      ["Export", page.getByRole("link", { name: /^Export (\d|customers)/ }), has("CustomersExport")],
      ["Select rows", page.getByRole("checkbox", { name: "Select all on this page" }),
        has("CustomersDisable") || has("CustomerUsersManage") || has("CustomersImpersonate") || has("CustomersCreate")],
    ]);

    // A row's actions, as hovering shows them.
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await row.hover();
    await expectParity("row actions", [
      ["View", row.getByRole("link", { name: `View ${name}` }), true],
      ["Edit", row.getByRole("button", { name: `Edit ${name}` }), has("CustomersEdit")],
      ["Users", row.getByRole("link", { name: `Users of ${name}` }), true],
      ["Log in as", row.getByRole("button", { name: `Log in as ${name}` }), has("CustomersImpersonate")],
      ["Export", row.getByRole("link", { name: `Export everything about ${name}` }), has("CustomersExport")],
      ["Disable", row.getByRole("button", { name: `Disable ${name}` }), has("CustomersDisable")],
      ["Delete", row.getByRole("button", { name: `Delete ${name}` }), has("CustomersDelete")],
    ]);

    // The selection bar, with this one customer ticked.
    const select = page.getByRole("checkbox", { name: `Select ${name}` });
    if (await select.isVisible()) {
      await select.check();
      const bar = page.getByRole("region", { name: "Selection" });
      await expect(bar).toContainText("1 selected");
      await expectParity("selection bar", [
        ["Activate", bar.getByRole("button", { name: "Activate", exact: true }), has("CustomersDisable")],
        ["Disable", bar.getByRole("button", { name: "Disable", exact: true }), has("CustomersDisable")],
        ["Invite customer", bar.getByRole("button", { name: "Invite customer" }), has("CustomerUsersManage")],
        ["Log in as", bar.getByRole("button", { name: `Log in as ${name}` }), has("CustomersImpersonate")],
        ["Add network account", bar.getByRole("button", { name: "Add network account" }), has("CustomersCreate") && has("CustomersEdit")],
      ]);
    }

    // The detail page.
    await page.goto(`/customers/${customer.id}`);
    await hydrated(page);
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    const actions = page.locator(".page-actions");
    await expectParity("detail page", [
      ["Edit", actions.getByRole("button", { name: "Edit", exact: true }), has("CustomersEdit")],
      ["Log in as", actions.getByRole("button", { name: `Log in as ${name}` }), has("CustomersImpersonate")],
      ["Export JSON", actions.getByRole("link", { name: "Export JSON" }), has("CustomersExport")],
      ["Export CSV", actions.getByRole("link", { name: "Export CSV" }), has("CustomersExport")],
      ["Disable", actions.getByRole("button", { name: "Disable", exact: true }), has("CustomersDisable")],
      ["Delete", actions.getByRole("button", { name: "Delete", exact: true }), has("CustomersDelete")],
      ["Recent activity", page.getByRole("heading", { name: "Recent activity" }), has("AuditView")],
    ]);

    // The users page, with the invited person's row.
    await page.goto(`/customers/${customer.id}/users`);
    await hydrated(page);
    const person = page.getByTestId("customer-user").filter({ hasText: "Parity Person" }).first();
    await expect(person).toBeVisible();
    await expectParity("users page", [
      ["Invite user", page.getByRole("button", { name: "Invite user" }), has("CustomerUsersManage")],
      ["Resend", person.getByRole("button", { name: "Resend invitation to Parity Person" }), has("CustomerUsersManage")],
      ["New link", person.getByRole("button", { name: "Show a new link for Parity Person" }), has("CustomerUsersManage")],
      ["Revoke", person.getByRole("button", { name: "Revoke invitation of Parity Person" }), has("CustomerUsersManage")],
    ]);

    // The sidebar's settings, for the roles that configure the partner.
    const nav = page.getByRole("navigation", { name: "Main" });
    await expectParity("sidebar settings", [
      ["Team", nav.getByRole("link", { name: "Team" }), has("PartnerUsersManage")],
      ["Roles", nav.getByRole("link", { name: "Roles" }), has("TenantConfigure")],
      ["API keys", nav.getByRole("link", { name: "API keys" }), has("ApiKeysManage")],
      ["Webhooks", nav.getByRole("link", { name: "Webhooks" }), has("WebhooksManage")],
      ["Customer fields", nav.getByRole("link", { name: "Customer fields" }), has("TenantConfigure")],
      ["Audit log", nav.getByRole("link", { name: "Audit log" }), has("AuditView")],
    ]);
  });
}
