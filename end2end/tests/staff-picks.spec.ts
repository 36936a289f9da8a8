import { test, expect, signIn } from "./fixtures";

function day(offset: number): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test("a moderator creates a round, adds a candidate and publishes a failing result", async ({ page }) => {
  await signIn(page, "moderator");
  await page.goto("/staff/rounds");
  // An upcoming round (so the public voting round stays the first one other specs open).
  const title = `测试期 ${Date.now()}`;
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("提名开始日期").fill(day(20));
  await page.getByLabel("投票开始日期").fill(day(25));
  await page.getByLabel("投票截止日期（含当天）").fill(day(24));
  await page.getByLabel("结果公布日期").fill(day(60));
  await page.getByRole("button", { name: "保存" }).click();
  // The last voting day before the first: refused next to the field.
  await expect(page.locator("#vote_until-error")).toContainText("格式不正确");
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("提名开始日期").fill(day(20));
  await page.getByLabel("投票开始日期").fill(day(25));
  await page.getByLabel("投票截止日期（含当天）").fill(day(30));
  await page.getByLabel("结果公布日期").fill(day(60));
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page).toHaveURL(/\/staff\/rounds\/\d+\?saved=1/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await page.getByLabel("食品名称").fill("冻汤圆");
  await page.getByRole("button", { name: "添加候选食品" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "冻汤圆" })).toBeVisible();

  await page.goto("/staff/results");
  await page.getByLabel("食品", { exact: true }).fill("测试凉面");
  await page.getByLabel("单位名称（未登记时填写）").fill("测试面馆");
  await page.getByLabel("抽样日期").fill(day(-1));
  await page.getByLabel("检验项目").fill("菌落总数\n大肠菌群");
  await page.getByLabel("不合格", { exact: true }).check();
  await page.getByLabel("不合格项目").fill("菌落总数 | 2×10⁵ CFU/g | ≤1×10⁵ CFU/g");
  await page.getByRole("button", { name: "发布" }).click();
  await expect(page.getByRole("status")).toContainText("抽检结果已发布");
  await page.goto("/results?food=%E6%B5%8B%E8%AF%95%E5%87%89%E9%9D%A2");
  await expect(page.locator(".batch").first()).toContainText("测试面馆");
  await expect(page.locator(".verdict.fail").first()).toHaveText("不合格");
});

test("the new pages read in English", async ({ page, context }) => {
  await context.addCookies([{ name: "lang", value: "en", url: page.url() === "about:blank" ? (process.env.BASE_URL ?? "http://127.0.0.1:3099") : page.url() }]);
  await page.goto("/picks");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You Pick, We Test");
  await page.getByRole("link", { name: "See and vote" }).first().click();
  await expect(page.getByRole("heading", { name: "Cast your ballot" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit ballot" })).toBeVisible();
  await page.goto("/results");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sampling results");
  await page.goto("/report");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Report a problem");
  await expect(page.getByText("Your name and number are stored encrypted")).toBeVisible();
  await page.goto("/track");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Track a case");
});
