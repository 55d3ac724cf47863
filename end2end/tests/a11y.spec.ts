import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "./fixtures";
import { appendFileSync } from "node:fs";
import { DEMO_PASSWORD, hydrated, hoverRow, invite, signIn } from "./helpers";

// axe-core on every page and dialog, for each kind of person, in the light and the dark theme
// (the device's prefers-color-scheme, which the default "system" theme follows). WCAG 2.0-2.2 A
// and AA rules plus axe's best practices (landmarks, heading order): no serious or critical
// violation may remain. With AXE_REPORT=<file> the counts of every
// violation by impact, per page and theme, are appended there as JSON lines (the numbers in
// the notes).

// Each page is scanned twice (both themes) and axe walks every node: on a 2-core machine a
// long page takes several seconds a scan, so the tests here get minutes, not Playwright's 30 s.
test.describe.configure({ timeout: 300_000 });

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

async function audit(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
    const counts: Record<string, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
    for (const v of results.violations) counts[v.impact ?? "minor"] += v.nodes.length;
    if (process.env.AXE_REPORT) appendFileSync(process.env.AXE_REPORT, JSON.stringify({ page: name, scheme, ...counts }) + "\n");
    const blocking = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    expect.soft(blocking, `${name}, ${scheme} theme`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function visit(page: Page, path: string, name: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await audit(page, name);
}

/** Opens a dialog with `open`, audits it, closes it with Escape. */
async function auditDialog(page: Page, name: string, open: () => Promise<void>) {
  await open();
  const dialog = page.locator("dialog[open]");
  await expect(dialog).toBeVisible();
  await audit(page, `${name} dialog`);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
}

test("signed out: sign-in, forgotten password, invalid links, not found", async ({ page }) => {
  await visit(page, "/login", "Sign in");
  await visit(page, "/forgot-password", "Forgotten password");
  await visit(page, "/activate?token=nonsense", "Activation link, invalid");
  await visit(page, "/reset-password?token=nonsense", "Reset link, invalid");
  await visit(page, "/no-such-page", "Not found");
});

test("platform operator: partners, audit log, mailbox, my account, new partner", async ({ page }) => {
  await signIn(page, "operator@clientele.test");
  await visit(page, "/settings", "Operator: Partners");
  await auditDialog(page, "Operator: New partner", () => page.getByRole("button", { name: "New partner" }).click());
  await visit(page, "/settings/audit", "Operator: Audit log");
  await visit(page, "/settings/mailbox", "Operator: Mailbox");
  await visit(page, "/account", "Operator: My account");
});

test("partner admin: every page and dialog", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await visit(page, "/customers?status=active", "Admin: Customers");
  const first = (await page.locator("tbody td.name").first().textContent())!.trim();
  await auditDialog(page, "Admin: New customer", () => page.getByRole("button", { name: "New customer" }).click());
  await auditDialog(page, "Admin: Edit customer", async () => (await hoverRow(page, first)).getByRole("button", { name: `Edit ${first}` }).click());
  await auditDialog(page, "Admin: Delete customer", async () => (await hoverRow(page, first)).getByRole("button", { name: `Delete ${first}` }).click());
  await auditDialog(page, "Admin: Log in as", async () => (await hoverRow(page, first)).getByRole("button", { name: `Log in as ${first}` }).click());
  await auditDialog(page, "Admin: Disable customer", async () => (await hoverRow(page, first)).getByRole("button", { name: `Disable ${first}` }).click());
  await page.getByRole("checkbox", { name: `Select ${first}` }).check();
  await audit(page, "Admin: Customers with a selection");
  await auditDialog(page, "Admin: Add network account", () =>
    page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Add network account" }).click(),
  );
  const href = await page.getByRole("link", { name: first, exact: true }).first().getAttribute("href");
  await visit(page, href!, "Admin: Customer detail");
  await visit(page, `${href}/users`, "Admin: Customer users");
  await auditDialog(page, "Admin: Invite customer user", () => page.getByRole("button", { name: "Invite user" }).click());
  await visit(page, "/settings/team", "Admin: Team");
  await auditDialog(page, "Admin: Invite colleague", () => page.getByRole("button", { name: "Invite colleague" }).click());
  await visit(page, "/settings/roles", "Admin: Roles");
  await auditDialog(page, "Admin: New role", () => page.getByRole("button", { name: "New role" }).click());
  await visit(page, "/settings/fields", "Admin: Customer fields");
  await visit(page, "/settings/emails", "Admin: Email settings");
  await visit(page, "/settings/log-in-as", "Admin: Log in as settings");
  await visit(page, "/settings/api", "Admin: API keys");
  await auditDialog(page, "Admin: New API key", () => page.getByRole("button", { name: "New API key" }).click());
  await visit(page, "/settings/webhooks", "Admin: Webhooks");
  await auditDialog(page, "Admin: Add endpoint", () => page.getByRole("button", { name: "Add endpoint" }).click());
  await visit(page, "/settings/audit", "Admin: Audit log");
  await visit(page, "/account", "Admin: My account");
});

for (const [role, who] of [
  ["Account manager", "manager"],
  ["Support", "support"],
  ["Viewer", "viewer"],
] as const) {
  test(`${role}: customers, detail, users`, async ({ page }) => {
    await signIn(page, `${who}@northwind.test`);
    await visit(page, "/customers", `${role}: Customers`);
    const href = await page.locator("tbody td.name a").first().getAttribute("href");
    await visit(page, href!, `${role}: Customer detail`);
    await visit(page, `${href}/users`, `${role}: Customer users`);
  });
}

/** As the signed-in partner admin on `page`: invites a customer user and activates them in a
 * browser of their own, signed in to the portal. */
async function customerUser(browser: Browser, page: Page) {
  const email = `a11y.${Date.now()}@example.com`;
  const link = await invite(page, email, "Ada Accessible");
  const theirs = await browser.newContext();
  const person = await theirs.newPage();
  await person.goto(link);
  await hydrated(person);
  await person.getByLabel("New password").fill(DEMO_PASSWORD + " longer");
  await person.getByLabel("Repeat the password").fill(DEMO_PASSWORD + " longer");
  await person.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(person.getByText("Customer portal")).toBeVisible();
  return person;
}

test("customer user: activation, the portal, my account", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  const link = await invite(page, `a11y.link.${Date.now()}@example.com`, "Ivy Invited");
  await visit(page, link, "Activation page");
  const person = await customerUser(browser, page);
  await hydrated(person);
  await audit(person, "Customer user: Portal account");
  await visit(person, "/account", "Customer user: My account");
});
