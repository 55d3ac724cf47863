import { expect, test, type Page } from "./fixtures";
import { hydrated, invite, signIn } from "./helpers";

const PASSWORD = "violet tractor ninety lanterns";

async function setTerms(page: Page, url: string, required: boolean) {
  await page.goto("/settings/emails");
  await hydrated(page);
  const card = page.getByRole("region", { name: "Consents asked at activation" });
  await card.getByLabel("Terms (web address)").fill(url);
  const must = card.getByRole("checkbox", { name: "Must be accepted" }).first();
  if (required) await must.check();
  else await must.uncheck();
  await card.getByRole("button", { name: "Save consents" }).click();
  await expect(card.getByRole("status")).toHaveText("Saved.");
}

test("activation asks for the partner's terms; the portal shows consents and withdraws marketing", async ({ page, browser }) => {
  await signIn(page, "admin@northwind.test");
  await setTerms(page, "https://northwind.example/terms", true);
  try {
    const link = await invite(page, "consenting@example.com", "Cora Consent");
    const person = await (await browser.newContext()).newPage();
    await person.goto(link);
    await hydrated(person);
    const terms = person.getByRole("checkbox", { name: /I accept the terms \(required\)/ });
    await expect(terms).toBeVisible();
    await person.getByLabel("New password").fill(PASSWORD);
    await person.getByLabel("Repeat the password").fill(PASSWORD);
    await person.getByRole("button", { name: "Activate and sign in" }).click();
    await expect(person.getByText("Accept the terms to continue.")).toBeVisible();
    await terms.check();
    await person.getByRole("checkbox", { name: /Send me marketing information/ }).check();
    await person.getByRole("button", { name: "Activate and sign in" }).click();

    const consents = person.getByRole("region", { name: "Your consents" });
    await expect(consents).toContainText("Northwind Telecom");
    await expect(consents).toContainText(/Terms: accepted on \d{4}-\d\d-\d\d/);
    await expect(consents).toContainText(/Marketing information: accepted/);
    await consents.getByRole("button", { name: "Withdraw marketing consent to Northwind Telecom" }).click();
    await expect(consents).toContainText(/Marketing information: declined/);
    await person.screenshot({ path: "test-results/consents-portal.png", fullPage: true });
  } finally {
    await setTerms(page, "", false);
  }
});
