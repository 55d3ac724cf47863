import { expect, test, type Page } from "./fixtures";
import { hydrated, hoverRow, signIn } from "./helpers";

async function openCustomers(page: Page, query = "") {
  await page.goto(`/customers${query}`);
  await hydrated(page);
}

test("new customer: errors stand next to their fields, the first gets focus, then it is created", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await openCustomers(page);
  await page.getByRole("button", { name: "New customer" }).click();
  const dialog = page.getByRole("dialog", { name: "New customer" });
  await expect(dialog).toBeVisible();

  await dialog.getByRole("button", { name: "Create customer" }).click();
  await expect(dialog.getByText("Name is required.")).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Name", exact: true })).toBeFocused();

  // As the user types: an address without a domain is flagged once the field is left, and the
  // message goes as soon as the address is complete.
  await dialog.getByLabel("Email").fill("zoe@");
  await dialog.getByLabel("Email").press("Tab");
  await expect(dialog.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await dialog.getByLabel("Email").fill("zoe@zulu-supplies.example");
  await expect(dialog.getByText("Enter an email address like name@example.com.")).toHaveCount(0);

  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("Zulu Zebra Supplies");
  await dialog.getByLabel("Country").selectOption({ label: "Germany" });
  await dialog.getByLabel("Primary phone").fill("+1 212");
  await dialog.getByLabel("Primary phone").press("Tab");
  await expect(dialog.getByText("This is not a valid phone number.")).toBeVisible();
  await dialog.getByLabel("City").fill("Berlin");
  // A number with a plausible shape but no such number plan: only the server knows (its
  // phone metadata stays out of the browser), and its error lands next to the field.
  await dialog.getByLabel("Primary phone").fill("+44 1 2345");
  await expect(dialog.getByText("This is not a valid phone number.")).toHaveCount(0);
  await dialog.getByLabel("Primary phone").press("Enter");
  await expect(dialog.getByText("This is not a valid phone number.")).toBeVisible();
  await expect(dialog.getByLabel("Primary phone")).toBeFocused();
  await dialog.getByLabel("Primary phone").fill("030 12345678");
  // Enter submits.
  await dialog.getByLabel("City").press("Enter");

  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Created Zulu Zebra Supplies." })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search customers" }).fill("zulu zebra");
  await expect(page.getByRole("link", { name: "Zulu Zebra Supplies" }).first()).toBeVisible();
});

test("edit from the row, and Esc asks before unsaved changes are lost", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await openCustomers(page, "?q=zulu+zebra");
  await (await hoverRow(page, "Zulu Zebra Supplies")).getByRole("button", { name: "Edit Zulu Zebra Supplies" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit customer" });
  await expect(dialog.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Zulu Zebra Supplies");

  await dialog.getByLabel("City").fill("Potsdam");
  await page.keyboard.press("Escape");
  await expect(dialog.getByText("You have unsaved changes. Discard them?")).toBeVisible();
  await dialog.getByRole("button", { name: "Keep editing" }).click();
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("row", { name: /Zulu Zebra Supplies/ })).toContainText("Potsdam");
});

test("an edit made meanwhile in another browser is a conflict, never a silent overwrite", async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, "admin@northwind.test");
  await signIn(b, "manager@northwind.test");
  for (const page of [a, b]) {
    await openCustomers(page, "?q=zulu+zebra");
    await (await hoverRow(page, "Zulu Zebra Supplies")).getByRole("button", { name: "Edit Zulu Zebra Supplies" }).click();
  }
  const dialogA = a.getByRole("dialog", { name: "Edit customer" });
  const dialogB = b.getByRole("dialog", { name: "Edit customer" });
  await expect(dialogB.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Zulu Zebra Supplies");

  await dialogA.getByLabel("City").fill("Leipzig");
  await dialogA.getByRole("button", { name: "Save changes" }).click();
  await expect(dialogA).toHaveCount(0);

  await dialogB.getByLabel("First name").fill("Zoe");
  await dialogB.getByRole("button", { name: "Save changes" }).click();
  const conflict = dialogB.getByTestId("conflict");
  await expect(conflict).toContainText("Someone else saved this customer");
  await expect(conflict).toContainText("Leipzig");
  await conflict.getByRole("button", { name: "Discard mine, load theirs" }).click();
  await expect(dialogB.getByLabel("City")).toHaveValue("Leipzig");
  await dialogB.getByLabel("First name").fill("Zoe");
  await dialogB.getByRole("button", { name: "Save changes" }).click();
  await expect(dialogB).toHaveCount(0);
  await expect(b.getByRole("row", { name: /Zulu Zebra Supplies/ })).toContainText("Zoe");
  await expect(b.getByRole("row", { name: /Zulu Zebra Supplies/ })).toContainText("Leipzig");
  await first.close();
  await second.close();
});

test("the detail page shows the record, and delete asks for the name to be typed", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  await openCustomers(page, "?q=zulu+zebra");
  await page.getByRole("link", { name: "Zulu Zebra Supplies" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Zulu Zebra Supplies" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Leipzig");
  await expect(page.getByRole("region", { name: "Recent activity" })).toContainText("Edited");

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Zulu Zebra Supplies?" });
  await expect(dialog.getByTestId("delete-impact")).toContainText("access for 0 users");
  const confirm = dialog.getByRole("button", { name: "Delete permanently" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type “Zulu Zebra Supplies” to confirm").fill("Zulu Zebra");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type “Zulu Zebra Supplies” to confirm").fill("Zulu Zebra Supplies");
  await confirm.click();

  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole("status").filter({ hasText: "Deleted Zulu Zebra Supplies." })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search customers" }).fill("zulu zebra");
  await expect(page.getByText("No customers match these filters.")).toBeVisible();
});

test("a field configuration change shows up in the form at once", async ({ page }) => {
  await signIn(page, "admin@bluebird.test");
  await page.getByRole("link", { name: "Customer fields" }).click();
  await hydrated(page);
  await page.getByLabel("City setting").selectOption("required");
  await expect(page.getByRole("status").filter({ hasText: "Field setting saved." })).toBeVisible();
  await page.getByLabel("Suite / apt setting").selectOption("hidden");
  await page.getByLabel("Label").fill("Contract tier");
  await page.getByLabel("Type").selectOption("choice");
  await page.getByLabel("Options (one per line)").fill("Gold\nSilver");
  await page.getByRole("button", { name: "Add field" }).click();
  await expect(page.getByRole("cell", { name: "contract_tier" })).toBeVisible();

  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("button", { name: "New customer" }).click();
  const dialog = page.getByRole("dialog", { name: "New customer" });
  await expect(dialog.getByLabel("City")).toHaveAttribute("aria-required", "true");
  await expect(dialog.getByLabel("Suite / apt")).toHaveCount(0);
  await expect(dialog.getByLabel("Contract tier")).toBeVisible();
  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("Yankee Yoga");
  await dialog.getByRole("button", { name: "Create customer" }).click();
  await expect(dialog.getByText("City is required.")).toBeVisible();
  await expect(dialog.getByLabel("City")).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.getByRole("button", { name: "Discard changes" }).click();
  await expect(dialog).toHaveCount(0);

  // Put the partner's form back as the other tests expect it.
  await page.getByRole("link", { name: "Customer fields" }).click();
  await page.getByLabel("City setting").selectOption("optional");
  await expect(page.getByRole("status").filter({ hasText: "Field setting saved." })).toBeVisible();
  await page.getByLabel("Suite / apt setting").selectOption("optional");
});

test("deleting a network lists its sub-accounts, nested, and takes them with it", async ({ page }) => {
  await signIn(page, "admin@northwind.test");
  const create = async (name: string, parent_id: number | null) => {
    const res = await page.request.post("/api/customers/create", {
      data: { input: { name, parent_id }, allow_duplicate_name: true },
    });
    expect(res.ok()).toBe(true);
    return (await res.json()) as number;
  };
  const network = await create("Yonder Delete Network", null);
  const branch = await create("Yonder Branch One", network);
  await create("Yonder Branch Two", network);
  await create("Yonder Inner Office", branch);

  await page.goto(`/customers/${network}`);
  await hydrated(page);
  const sidebar = page.getByRole("region", { name: "Active customers" });
  await page.getByRole("searchbox", { name: "Filter active customers" }).fill("Yonder");
  await expect(sidebar.getByText("Yonder Branch Two")).toBeVisible();

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Yonder Delete Network?" });
  const impact = dialog.getByTestId("delete-impact");
  await expect(impact).toContainText("2 sub-accounts directly in this network (2 active), and 1 more inside those");
  const tree = dialog.getByRole("list", { name: "Sub-accounts deleted with it" });
  await expect(tree.getByRole("listitem")).toHaveText(["Yonder Branch One", "Yonder Inner Office", "Yonder Branch Two"]);
  await dialog.getByLabel("Type “Yonder Delete Network” to confirm").fill("Yonder Delete Network");
  await dialog.getByRole("button", { name: "Delete permanently" }).click();

  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole("status").filter({ hasText: "Deleted Yonder Delete Network." })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search customers" }).fill("yonder");
  await expect(page.getByText("No customers match these filters.")).toBeVisible();
  await page.getByRole("searchbox", { name: "Filter active customers" }).fill("Yonder");
  await expect(sidebar.getByText("Yonder Branch Two")).toHaveCount(0);
});

test("a viewer can open a customer but sees no New, Edit or Delete", async ({ page }) => {
  await signIn(page, "viewer@northwind.test");
  await openCustomers(page);
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "New customer" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Edit|Delete) / })).toHaveCount(0);
  await page.locator("tbody td.name a").first().click();
  await expect(page.getByRole("region", { name: "Details" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^(Edit|Delete|Disable|Activate)$/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Customer fields" })).toHaveCount(0);
});

test("workflow and custom field filters follow the partner's configuration and live in the URL", async ({ page }) => {
  await signIn(page, "viewer@northwind.test");
  await openCustomers(page);
  await page.getByLabel("Workflow").selectOption("Live");
  await expect(page).toHaveURL(/workflow=Live/);
  await expect(page.getByRole("button", { name: "Remove filter Workflow: Live" })).toBeVisible();
  await page.getByLabel("Support plan").selectOption("Premium");
  await expect(page).toHaveURL(/f\.support_plan=Premium/);
  await expect(page.getByText("No customers match these filters.")).toBeVisible();
  await page.goBack();
  await expect(page).not.toHaveURL(/support_plan/);
  await expect(page.locator("tbody tr").first()).toBeVisible();
});
