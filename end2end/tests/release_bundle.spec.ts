import { expect, test } from "./fixtures";
import { hoverRow, hydrated, signIn } from "./helpers";

// The bundle production serves (wasm-opt'd, content-named, precompressed) rather than the debug
// one every other spec runs: what the optimiser or the naming could break shows here.
test("the release bundle hydrates, opens a customer's dialog and moves between pages", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const wasm: string[] = [];
  page.on("response", (r) => {
    if (r.url().includes(".wasm")) wasm.push(`${new URL(r.url()).pathname} ${r.headers()["content-encoding"]}`);
  });
  await signIn(page, "admin@northwind.test");
  wasm.length = 0;
  await page.goto("/customers?q=Alpine+Bakery+BV+508");
  await hydrated(page);
  expect(wasm).toEqual([expect.stringMatching(/^\/pkg\/clientele\.[0-9a-f]{16}\.wasm br$/)]);
  const row = await hoverRow(page, "Alpine Bakery BV 508");
  await row.getByRole("button", { name: "Edit Alpine Bakery BV 508" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit customer" });
  await expect(dialog.getByLabel("City")).toHaveValue("Barcelona");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  expect(errors).toEqual([]);
});
