import { test, expect, jsEnabled, settle } from "./fixtures";

test("search a business, open it and see its grade and the reasons", async ({ page }) => {
  await page.goto("/credit");
  await page.getByLabel("搜索商户").fill("米粉");
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/\/credit\?q=/);
  await expect(page.getByRole("status")).toContainText("共找到");
  // A business with a grade (one never inspected shows 待检查 and no score).
  const first = page.getByRole("list").filter({ hasText: "米粉" }).getByRole("link").filter({ hasNotText: "待检查" }).first();
  const name = (await first.locator("strong").textContent()) ?? "";
  expect(name).toContain("米粉");
  await first.click();
  await expect(page).toHaveURL(/\/credit\/[0-9A-Z]{18}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page.getByText("信用分")).toBeVisible();
  await expect(page.getByRole("heading", { name: "信用记录" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "等级变化" })).toBeVisible();
  await expect(page.getByRole("img", { name: "本页二维码" })).toBeVisible();
  await expect(page.getByRole("img", { name: "信用等级徽章" })).toBeVisible();
});

test("filters narrow the results and a business with a record shows why", async ({ page }) => {
  await page.goto("/credit");
  await page.getByLabel("信用等级").selectOption("C");
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/grade=C/);
  const results = page.locator(".results a");
  await expect(results.first()).toBeVisible();
  await results.first().click();
  // A C grade comes from deductions: at least one event with negative points is listed.
  await expect(page.locator(".grade.large b")).toHaveText("C");
  const rows = page.getByRole("table").getByRole("row");
  expect(await rows.count()).toBeGreaterThan(1);
  // Points are signed: a deduction reads "-N" in the points column.
  const points = page.getByRole("table").getByRole("row").nth(1).getByRole("cell").nth(2);
  await expect(points).toHaveText(/^-\d+/);
});

test("an invalid credit code is explained, not a blank page", async ({ page }) => {
  const res = await page.goto("/credit/12345");
  expect(res?.status()).toBe(400);
  await expect(page.getByRole("alert")).toContainText("统一社会信用代码不正确");
});

test("type-ahead suggests businesses when JavaScript is on", async ({ page }, testInfo) => {
  await page.goto("/credit");
  const box = page.getByLabel("搜索商户");
  await settle(page, testInfo);
  if (jsEnabled(testInfo)) {
    await box.pressSequentially("米粉", { delay: 50 });
    const list = page.getByRole("list", { name: "搜索建议" });
    await expect(list.getByRole("link").first()).toBeVisible();
    await expect(list.getByRole("link").first()).toContainText("米粉");
    await list.getByRole("link").first().click();
    await expect(page).toHaveURL(/\/credit\/[0-9A-Z]{18}$/);
  } else {
    // Without JavaScript there are no suggestions; the plain form does the search.
    await box.fill("米粉");
    await expect(page.getByRole("list", { name: "搜索建议" })).toHaveCount(0);
    await page.getByRole("button", { name: "查询" }).click();
    await expect(page.getByRole("status")).toContainText("共找到");
  }
});
