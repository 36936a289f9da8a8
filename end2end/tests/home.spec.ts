import { test, expect, jsEnabled, settle } from "./fixtures";

test("home page shows the brand, the navigation and the campaign figures", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/食安绵阳/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("食安绵阳 · 让每一口都放心");
  await expect(page.getByRole("img", { name: "食安绵阳标志" })).toBeVisible();
  const figures = page.getByRole("region", { name: "创建成果" });
  await expect(figures.getByText("43,993")).toBeVisible();
  await expect(figures.getByText("≥ 99.7%")).toBeVisible();
  await expect(figures.getByText("49,895")).toBeVisible();
  await expect(figures.getByText("2,945")).toBeVisible();
  await expect(figures.getByText("5,000")).toBeVisible();
  for (const name of ["首页", "你点我检", "举报投诉", "进度查询", "信用查询", "新闻动态"]) {
    await expect(page.getByRole("navigation").getByRole("link", { name, exact: true })).toBeVisible();
  }
  await expect(page.getByText("演示数据")).toBeVisible();
  // The home page has no island: nothing hydrates, with or without JavaScript.
  await settle(page, testInfo);
});

test("the English version is complete and remembered", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Food-Safe Mianyang · Safe food in every bite");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Credit lookup" })).toBeVisible();
  // Remembered on the next page.
  await page.getByRole("navigation").getByRole("link", { name: "News" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("News");
  // And back.
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("新闻动态");
});

test("unknown pages get a real 404 page", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "页面不存在" })).toBeVisible();
  await page.getByRole("link", { name: "返回首页" }).click();
  await expect(page).toHaveURL(/\/$/);
});
