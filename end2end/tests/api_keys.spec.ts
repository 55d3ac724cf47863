import { expect, request, test } from "./fixtures";
import { DEMO_PASSWORD, hydrated, invite, signIn } from "./helpers";

test("a partner admin makes an API key, software uses it, and revoking it locks the software out", async ({ page, baseURL }) => {
  const stamp = Date.now();
  const keyName = `CRM sync ${stamp}`;
  await signIn(page, "admin@northwind.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();

  // A name and the permissions; the dialog names what is missing first.
  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog", { name: "New API key" });
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByText("Give the key a name that says what uses it.")).toBeVisible();
  await expect(dialog.getByText("Choose at least one permission.")).toBeVisible();
  await dialog.getByLabel("Name").fill(keyName);
  await dialog.getByLabel("Expires").selectOption({ label: "In 90 days" });
  await dialog.getByRole("checkbox", { name: "customers.view" }).check();
  await dialog.getByRole("checkbox", { name: "customers.create" }).check();
  await expect(dialog.getByRole("checkbox", { name: "api_keys.manage" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Create key" }).click();

  // Shown once.
  const shown = page.getByRole("region", { name: "New API key" });
  const secret = await shown.getByRole("textbox", { name: "API key secret" }).inputValue();
  expect(secret).toMatch(/^clt_live_[0-9a-f]{64}$/);
  const row = page.getByRole("row").filter({ hasText: keyName });
  await expect(row).toContainText(secret.slice(0, 15) + "…");
  await expect(row).toContainText("customers.create");
  await expect(row).toContainText("Never");
  await expect(row).toContainText("Active");
  await page.screenshot({ path: "test-results/api-keys.png", fullPage: true });
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("region", { name: "New API key" })).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("body")).not.toContainText(secret.slice(15));

  // Software (no cookies) creates a customer with it; the list shows it.
  const software = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
  const name = `Api Customer ${stamp}`;
  const created = await software.post("/api/v1/customers", {
    data: { name, city: "Lisbon", country: "PT" },
    headers: { "Idempotency-Key": `e2e-${stamp}` },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  await page.goto(`/customers?q=${encodeURIComponent(name)}`);
  await hydrated(page);
  await expect(page.locator("#main").getByRole("link", { name, exact: true })).toBeVisible();
  const list = await software.get(`/api/v1/customers?q=${encodeURIComponent(name)}`);
  expect(list.status()).toBe(200);
  expect((await list.json()).data.map((c: { id: number }) => c.id)).toEqual([id]);
  // Its permissions end where they end: no editing.
  const edit = await software.patch(`/api/v1/customers/${id}`, { data: { city: "Porto" } });
  expect(edit.status()).toBe(403);
  expect(edit.headers()["content-type"]).toBe("application/problem+json");

  // Last use shows; revoking asks first, then locks the software out at once.
  await page.goto("/settings/api");
  await hydrated(page);
  await expect(row).not.toContainText("Never");
  await row.getByRole("button", { name: `Revoke key ${keyName}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Revoke the key “${keyName}”?` });
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("status")).toContainText(`Key “${keyName}” revoked`);
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  const refused = await software.get("/api/v1/customers");
  expect(refused.status()).toBe(401);
  await software.dispose();
});

test("the API's document is served without a key, as OpenAPI 3.1, and as a reference page for people", async ({ page, request: anyone }) => {
  const res = await anyone.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const document = await res.json();
  expect(document.openapi).toMatch(/^3\.1/);
  expect(Object.keys(document.paths)).toContain("/customers");

  await page.goto("/api/v1/reference");
  await expect(page.getByRole("heading", { name: "Clientele partner API, version 1", level: 1 })).toBeVisible();
  await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: "PATCH /customers/{id}" }).click();
  await expect(page.getByRole("heading", { name: "PATCH /customers/{id}" })).toBeInViewport();
  await expect(page.getByRole("region", { name: "PATCH /customers/{id}" })).toContainText("If-Match");
  await page.screenshot({ path: "test-results/api-reference.png" });
});

test("a customer account's owner makes an account key in the portal; it reads that account and stops when revoked", async ({ page, browser, baseURL }) => {
  await signIn(page, "admin@northwind.test");
  const link = await invite(page, `owner.key.${Date.now()}@example.com`, "Olga Owner");
  const theirs = await browser.newContext();
  const owner = await theirs.newPage();
  await owner.goto(link);
  await hydrated(owner);
  await owner.getByLabel("New password").fill(`${DEMO_PASSWORD} longer`);
  await owner.getByLabel("Repeat the password").fill(`${DEMO_PASSWORD} longer`);
  await owner.getByRole("button", { name: "Activate and sign in" }).click();
  await expect(owner.getByText("Customer portal")).toBeVisible();
  await hydrated(owner);
  const accountName = (await owner.getByRole("heading", { level: 1 }).textContent())!.trim();

  const card = owner.getByRole("region", { name: "API keys" });
  await card.getByRole("button", { name: "Create key" }).click();
  await expect(card.getByText("Give the key a name that says what uses it.")).toBeVisible();
  await card.getByLabel("Key name").fill("Our ERP");
  await card.getByRole("button", { name: "Create key" }).click();
  const secret = await card.getByRole("textbox", { name: "API key secret" }).inputValue();
  expect(secret).toMatch(/^clt_live_[0-9a-f]{64}$/);
  await expect(card.getByRole("listitem").filter({ hasText: "Our ERP" })).toContainText("Active");
  await owner.screenshot({ path: "test-results/portal-account-keys.png", fullPage: true });

  const software = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
  const res = await software.get("/api/v1/account");
  expect(res.status()).toBe(200);
  expect((await res.json()).name).toBe(accountName);
  expect((await software.get("/api/v1/customers")).status()).toBe(403);

  await card.getByRole("button", { name: "Revoke key Our ERP" }).click();
  await owner.getByRole("alertdialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(card.getByRole("listitem").filter({ hasText: "Our ERP" })).toContainText("Revoked");
  expect((await software.get("/api/v1/account")).status()).toBe(401);
  await software.dispose();
  await theirs.close();
});
