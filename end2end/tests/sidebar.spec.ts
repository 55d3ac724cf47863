import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

const partnerRoles = [
  { email: "admin@northwind.test", role: "Partner admin" },
  { email: "manager@northwind.test", role: "Account manager" },
  { email: "support@bluebird.test", role: "Support" },
  { email: "viewer@bluebird.test", role: "Viewer" },
];

for (const { email, role } of partnerRoles) {
  const admin = role === "Partner admin";
  test(`the sidebar of a ${role} shows Customers and active customers${admin ? ", and the partner's Settings" : ", no Settings"}`, async ({ page }) => {
    await signIn(page, email);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Customers" })).toBeVisible();
    await expect(nav.getByRole("heading", { name: "Active customers" })).toBeVisible();
    await expect(page.locator(".who .role")).toHaveText(role);
    await expect(nav.getByRole("link", { name: "Partners", exact: true })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "Mailbox", exact: true })).toHaveCount(0);
    if (admin) {
      const settings = nav.getByRole("list", { name: "Settings" });
      for (const entry of ["Team", "Roles", "Customer fields", "Email settings", "Log in as settings"]) {
        await expect(settings.getByRole("link", { name: entry, exact: true })).toBeVisible();
      }
    } else {
      await expect(nav.getByRole("heading", { name: "Settings" })).toHaveCount(0);
    }
  });
}

test("the operator's sidebar has Settings → Partners, listing every partner", async ({ page }) => {
  await signIn(page, "operator@clientele.test");
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("list", { name: "Settings" }).getByRole("link", { name: "Partners", exact: true }).click();
  await expect(page).toHaveURL(/\/settings$/);
  const table = page.getByRole("table");
  await expect(table).toContainText("Northwind Telecom");
  await expect(table).toContainText("Bluebird Networks");
  await page.getByRole("button", { name: "Manage customers of Bluebird Networks" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByLabel("Partner")).toHaveValue(/\d+/);
  await expect(page.locator("#tenant-select option:checked")).toHaveText("Bluebird Networks");
});

test("the sidebar filter narrows the active customers", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  const section = page.getByRole("region", { name: "Active customers" });
  const filter = page.getByRole("searchbox", { name: "Filter active customers" });
  await filter.fill("group");
  const items = section.getByRole("listitem");
  await expect(items.first()).toContainText("Group");
  for (const text of await items.allTextContents()) expect(text.toLowerCase()).toContain("group");
});

test("a network in the sidebar expands to its active sub-accounts", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  const section = page.getByRole("region", { name: "Active customers" });
  const network = section.getByRole("button", { name: /sub-accounts?$/ }).first();
  await expect(network).toHaveAttribute("aria-expanded", "false");
  await network.click();
  await expect(network).toHaveAttribute("aria-expanded", "true");
  const accounts = page.locator(`#${await network.getAttribute("aria-controls")}`);
  const expected = Number((await network.textContent())!.match(/(\d+) active sub-account/)![1]);
  await expect(accounts.getByRole("listitem")).toHaveCount(expected);
  await network.click();
  await expect(accounts).toHaveCount(0);
});
