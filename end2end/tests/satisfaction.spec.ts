import { test, expect, signIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** Files a 举报 against `creditCode` over the API; its number and access code. */
async function fileCase(page: Page, creditCode: string): Promise<{ no: string; code: string }> {
  const res = await page.request.post("/api/v1/complaints", {
    multipart: {
      kind: "举报",
      credit_code: creditCode,
      business_name: "满意度测试商户",
      category: "过期食品",
      description: "货架上的酸奶已经过期三天仍在销售。",
      reporter_name: "钱七",
      reporter_phone: "13700003333",
    },
  });
  expect(res.status()).toBe(201);
  const body = await res.json();
  return { no: body.tracking_no, code: body.access_code };
}

/** A moderator moves the case through the staff page's form. */
async function move(page: Page, no: string, to: string) {
  await page.goto("/staff/cases?order=newest");
  await page.getByRole("link", { name: no }).click();
  await page.getByLabel("转为").selectOption(to);
  await page.getByLabel("给举报人的公开回复").fill("经现场核查，未发现所反映的问题。");
  await page.getByRole("button", { name: "保存" }).first().click();
  await expect(page).toHaveURL(/saved=1/);
}

async function ratingsCounted(page: Page): Promise<number> {
  await page.goto("/stats");
  return Number(((await page.getByTestId("satisfaction-count").textContent()) ?? "").replace(/,/g, ""));
}

async function disclosed(page: Page, creditCode: string): Promise<number> {
  await page.goto(`/credit/${creditCode}`);
  await expect(page.getByRole("heading", { name: "投诉举报公示（近12个月）" })).toBeVisible();
  const total = page.getByTestId("disclosure-total");
  return (await total.count()) === 0 ? 0 : Number(await total.textContent());
}

test("a decided case is disclosed and rated; 不满意 sends it back to the queue and the statistics move", async ({
  page,
}) => {
  const search = await (await page.request.get("/api/v1/businesses?per_page=1&page=3")).json();
  const creditCode: string = search.items[0].credit_code;
  const disclosedBefore = await disclosed(page, creditCode);
  const { no, code } = await fileCase(page, creditCode);
  await signIn(page, "moderator");
  await move(page, no, "accepted");
  await move(page, no, "unsubstantiated");
  // The decided case is counted on the business's page, without the reporter.
  expect(await disclosed(page, creditCode)).toBe(disclosedBefore + 1);
  await expect(page.locator("main")).not.toContainText("钱七");

  const counted = await ratingsCounted(page);
  await page.goto("/track");
  await page.getByLabel("受理编号").fill(no);
  await page.getByLabel("查询码").fill(code);
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page.getByRole("heading", { name: "满意度评价" })).toBeVisible();
  await page.getByLabel("不满意", { exact: true }).check();
  await page.getByLabel("意见或理由").fill("商家仍在销售过期酸奶，希望再次核查。");
  await page.getByLabel("不满意，要求重新办理").check();
  await page.getByRole("button", { name: "提交评价" }).click();
  await expect(page).toHaveURL(/\/track\?rated=1/);
  await expect(page.locator("#rating")).toContainText("感谢您的评价");
  await expect(page.locator(".timeline")).toContainText("回访不满意，案件重新办理");
  await expect(page.locator("#rating")).toContainText("我们将在");
  await expect(page.getByRole("button", { name: "提交评价" })).toHaveCount(0);

  // The statistics count the rating at once.
  expect(await ratingsCounted(page)).toBe(counted + 1);
  // Back in the moderators' queue, flagged.
  await page.goto("/staff/cases");
  const row = page.locator("tr", { has: page.getByRole("link", { name: no }) });
  await expect(row).toContainText("回访不满意");
  // While it is handled again, it leaves the business's disclosure.
  expect(await disclosed(page, creditCode)).toBe(disclosedBefore);
});

test("a rating without a level is refused next to the field", async ({ page }) => {
  const search = await (await page.request.get("/api/v1/businesses?per_page=1&page=4")).json();
  const { no, code } = await fileCase(page, search.items[0].credit_code);
  await signIn(page, "moderator");
  await move(page, no, "accepted");
  await move(page, no, "unsubstantiated");
  await page.goto("/track");
  await page.getByLabel("受理编号").fill(no);
  await page.getByLabel("查询码").fill(code);
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page.getByRole("button", { name: "提交评价" })).toBeVisible();
  // Past the browser's own check (the levels are `required`), as an old browser would post it: the server's
  // answer goes back to the page, next to the field. The post carries this browser's track cookie.
  const res = await page.request.post("/track/rating", {
    form: { level: "", comment: "" },
    headers: { accept: "text/html" },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(303);
  const back = res.headers()["location"];
  expect(back).toMatch(/field=level/);
  await page.goto(back);
  await expect(page.locator("#level-error")).toBeVisible();
  await expect(page.getByRole("button", { name: "提交评价" })).toBeVisible();
});
