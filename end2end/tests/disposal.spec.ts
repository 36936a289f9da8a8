import { test, expect, signIn } from "./fixtures";

// 核查处置 (issue 20): a moderator publishes a failing batch of a registry business, records what was done about
// it by the batch's form (a refused quantity shown next to its field), and the business's public page shows the
// batch's timeline and the summary line. Runs hydrated and with JavaScript off (plain form posts either way).

function day(offset: number): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test("a failing batch's disposal timeline shows on the business page", async ({ page }) => {
  const res = await page.request.get("/api/v1/businesses?per_page=1&page=3");
  const code: string = (await res.json()).items[0].credit_code;
  const food = `处置测试米粉${Date.now() % 100000}`;

  await signIn(page, "moderator");
  await page.goto("/staff/results");
  await page.getByLabel("食品", { exact: true }).fill(food);
  await page.getByLabel("统一社会信用代码（登记在册的单位）").fill(code);
  await page.getByLabel("抽样日期").fill(day(-3));
  await page.getByLabel("检验项目").fill("苯甲酸\n二氧化硫残留量");
  await page.getByLabel("不合格", { exact: true }).check();
  await page.getByLabel("不合格项目").fill("苯甲酸 | 0.6 g/kg | 不得使用");
  await page.getByRole("button", { name: "发布" }).click();
  await expect(page.getByRole("status")).toContainText("抽检结果已发布");
  const id = ((await page.getByRole("status").getByRole("link").textContent()) ?? "").replace(/\D/g, "");
  expect(id).not.toEqual("");

  // The batch's page: nothing recorded yet, 核查 due.
  await page.goto(`/staff/results/${id}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`抽检批次 #${id}`);
  await page.getByLabel("步骤").selectOption("check");
  await page.getByLabel("办理日期").fill(day(-1));
  await page.getByLabel("说明（公开）").fill("已向经营者送达检验结论");
  await page.getByRole("button", { name: "记录处置步骤" }).click();
  await expect(page.getByRole("status")).toHaveText("处置步骤已记录。");

  // A quantity that is not a number is refused next to its field, and nothing is stored.
  await page.getByLabel("步骤").selectOption("control");
  await page.getByLabel("办理日期").fill(day(0));
  await page.getByLabel(/^下架/).fill("两百");
  await page.getByRole("button", { name: "记录处置步骤" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "格式不正确" })).toBeVisible();
  await page.getByLabel("步骤").selectOption("control");
  await page.getByLabel("办理日期").fill(day(0));
  await page.getByLabel(/^下架/).fill("200");
  await page.getByLabel("单位", { exact: true }).selectOption("kg");
  await page.getByRole("button", { name: "记录处置步骤" }).click();
  await expect(page.getByRole("status")).toHaveText("处置步骤已记录。");

  // The business's public page, signed out: the batch with its timeline, and the summary line.
  await page.context().clearCookies();
  await page.goto(`/credit/${code}`);
  const record = page.getByRole("region", { name: "抽检记录" });
  await expect(record.getByText(/已下架 \d/)).toBeVisible();
  const batch = record.getByRole("listitem").filter({ hasText: food }).first();
  const timeline = batch.locator(".disposal");
  await expect(timeline).toBeVisible();
  await expect(timeline.getByRole("listitem").filter({ hasText: "核查" }).first()).toContainText("已完成");
  await expect(timeline.getByText("已向经营者送达检验结论")).toBeVisible();
  await expect(timeline.getByRole("listitem").filter({ hasText: "控制" })).toContainText("下架 200 千克");
  await expect(timeline.getByRole("listitem").filter({ hasText: "立案" })).toContainText("期限");
});
