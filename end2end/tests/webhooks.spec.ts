import { expect, test } from "./fixtures";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { hydrated, signIn } from "./helpers";

type Received = { headers: IncomingHttpHeaders; body: string };

/** A receiver on 127.0.0.1 (the test server runs with --webhook-allow-private). */
async function receiver() {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/clientele`, got, close: () => server.close() };
}

/** The Standard Webhooks check a partner's receiver makes. */
function verified(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`;
  const expected = "v1," + createHmac("sha256", key).update(signed).digest("base64");
  return String(r.headers["webhook-signature"]).split(" ").includes(expected);
}

test("a partner admin adds a webhook endpoint, sends a test event and sees it delivered, signed", async ({ page }) => {
  const hook = await receiver();
  try {
    await signIn(page, "admin@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await hydrated(page);
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "Add endpoint" }).click();
    const dialog = page.getByRole("dialog", { name: "Add endpoint" });
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await expect(dialog.getByText("Enter the address Clientele should post events to.")).toBeVisible();
    await expect(dialog.getByText("Choose at least one event.")).toBeVisible();
    await dialog.getByLabel("URL").fill(hook.url);
    await dialog.getByLabel("Description").fill("Our CRM");
    await dialog.getByRole("checkbox", { name: "customer.created" }).check();
    await dialog.getByRole("checkbox", { name: "customer.status_changed" }).check();
    await dialog.getByRole("button", { name: "Add endpoint" }).click();

    // The secret, shown once.
    const shown = page.getByRole("region", { name: "Signing secret" });
    const secret = await shown.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await shown.getByRole("button", { name: "Done" }).click();

    const card = page.getByRole("region", { name: `Endpoint ${hook.url}` });
    await expect(card).toContainText("Active");
    await expect(card).toContainText("customer.status_changed");
    await card.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByRole("status")).toContainText("Test event queued");

    // The receiver gets it, signed; the page shows the delivery.
    await expect.poll(() => hook.got.length, { timeout: 10_000 }).toBe(1);
    expect(verified(secret, hook.got[0])).toBe(true);
    expect(JSON.parse(hook.got[0].body).type).toBe("webhook.test");
    await expect(async () => {
      await card.getByRole("button", { name: "Refresh deliveries" }).click();
      await expect(card.getByRole("row").filter({ hasText: "webhook.test" })).toContainText("delivered", { timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    const row = card.getByRole("row").filter({ hasText: "webhook.test" });
    await expect(row).toContainText("200");
    await expect(row).toContainText("thanks");
    await page.screenshot({ path: "test-results/webhooks.png", fullPage: true });

    // Disabling a customer in the list sends its status change.
    await page.goto("/customers?status=active");
    await hydrated(page);
    const first = page.locator("#main tbody tr").first();
    const name = (await first.locator("td.name a").textContent())!.trim();
    await page.getByRole("checkbox", { name: `Select ${name}` }).check();
    await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Disable" }).click();
    await page.getByRole("dialog", { name: /^Disable customer/ }).getByRole("button", { name: "Disable" }).click();
    await expect(page.getByRole("status")).toContainText("Disabled");
    await expect.poll(() => hook.got.length, { timeout: 10_000 }).toBe(2);
    const event = JSON.parse(hook.got[1].body);
    expect(event.type).toBe("customer.status_changed");
    expect(event.data.name).toBe(name);
    expect(verified(secret, hook.got[1])).toBe(true);

    // Pausing stops new events; removing asks first.
    await page.goto("/settings/webhooks");
    await hydrated(page);
    await card.getByRole("button", { name: "Pause" }).click();
    await expect(card).toContainText("Paused");
    await card.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove endpoint" }).click();
    await expect(page.getByRole("status")).toContainText("Endpoint removed.");
    await expect(card).toHaveCount(0);
  } finally {
    hook.close();
  }
});
