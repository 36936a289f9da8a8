import { test, expect, jsEnabled, settle } from "./fixtures";

test("vote, change the vote and see the counts move", async ({ page }, testInfo) => {
  await page.goto("/picks");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("你点我检");
  await page.getByRole("link", { name: "查看并投票" }).first().click();
  await expect(page).toHaveURL(/\/picks\/\d+$/);
  await settle(page, testInfo);
  const ballots = page.locator("#tally .count strong");
  const before = Number(await ballots.textContent());
  await page.getByLabel("腊肉香肠").check();
  await page.getByLabel("汤圆").check();
  if (jsEnabled(testInfo)) {
    // The picker island counts picks and holds the ballot to its limit of three.
    await expect(page.locator("#pick-count")).toHaveText("已选 2 / 3 项");
    await page.getByLabel("牛肉干").check();
    await expect(page.getByLabel("凉粉")).toBeDisabled();
    await page.getByLabel("牛肉干").uncheck();
    await expect(page.getByLabel("凉粉")).toBeEnabled();
  } else {
    await expect(page.locator("#pick-count")).toHaveText("");
  }
  await page.getByRole("button", { name: "提交选票" }).click();
  await expect(page).toHaveURL(/voted=1/);
  await expect(page.getByRole("status").first()).toContainText("投票成功");
  await expect(page.locator("#tally .count strong")).toHaveText(String(before + 1));
  await expect(page.getByLabel("腊肉香肠")).toBeChecked();
  await expect(page.getByRole("heading", { name: "你的选票" })).toBeVisible();
  // Change the vote: the new ballot replaces the first, the number of ballots stays.
  await settle(page, testInfo);
  await page.getByLabel("腊肉香肠").uncheck();
  await page.getByLabel("豆腐").check();
  await page.getByRole("button", { name: "提交选票" }).click();
  await expect(page).toHaveURL(/voted=replaced/);
  await expect(page.getByRole("status").first()).toContainText("已用新选票替换");
  await expect(page.locator("#tally .count strong")).toHaveText(String(before + 1));
  await expect(page.getByLabel("豆腐")).toBeChecked();
  await expect(page.getByLabel("腊肉香肠")).not.toBeChecked();
  await expect(page.getByRole("img", { name: "各候选食品得票柱状图" })).toBeVisible();
});

test("too many picks without JavaScript are refused next to the ballot", async ({ page }, testInfo) => {
  test.skip(jsEnabled(testInfo), "with JavaScript the picker prevents a fourth pick");
  await page.goto("/picks");
  await page.getByRole("link", { name: "查看并投票" }).first().click();
  for (const food of ["腊肉香肠", "汤圆", "牛肉干", "凉粉"]) {
    await page.getByLabel(food).check();
  }
  await page.getByRole("button", { name: "提交选票" }).click();
  await expect(page).toHaveURL(/error=too_many&field=candidate_ids/);
  await expect(page.locator("#candidate_ids-error")).toContainText("选择的项目过多");
});

test("a finished round shows its tally, integrity report and results", async ({ page }) => {
  await page.goto("/picks");
  await page.getByRole("link", { name: "2026年第三期 你点我检" }).click();
  await expect(page.getByText("结果已公布").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "投票结果" })).toBeVisible();
  await expect(page.getByRole("img", { name: "各候选食品得票柱状图" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "投票公正性报告" })).toBeVisible();
  await expect(page.getByText("疑似机器人")).toBeVisible();
  await expect(page.getByRole("heading", { name: "本期抽检结果" })).toBeVisible();
  await expect(page.locator(".verdict.fail").first()).toHaveText("不合格");
  await expect(page.getByRole("link", { name: "检验报告（PDF）" }).first()).toBeVisible();
});

test("results can be filtered to failing batches and lead to the business", async ({ page }) => {
  await page.goto("/results");
  await page.getByLabel("结论").selectOption("fail");
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/verdict=fail/);
  const verdicts = page.locator(".batch .verdict");
  await expect(verdicts.first()).toBeVisible();
  for (const v of await verdicts.allTextContents()) expect(v).toBe("不合格");
  await expect(page.getByRole("table").first()).toContainText("标准要求");
  await page.locator(".batch dd a").first().click();
  await expect(page).toHaveURL(/\/credit\/[0-9A-Z]{18}$/);
  await expect(page.getByRole("heading", { name: "抽检记录" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "抽检不合格" }).first()).toBeVisible();
});
