import { test, expect, jsEnabled, signIn } from "./fixtures";

test("a business objects to a new record, staff uphold it, and the page shows the outcome", async ({ page }, testInfo) => {
  // A licensed, inspected grade-A catering business of this project's own (each project takes another one).
  const res = await page.request.get("/api/v1/businesses?grade=A&category=%E9%A4%90%E9%A5%AE&per_page=60");
  const items = (await res.json()).items.filter(
    (b: any) => b.licence_no && b.score === 100 && !b.new_rating_pending && !b.awaiting_inspection,
  );
  const b = items[jsEnabled(testInfo) ? 7 : 8];
  const code: string = b.credit_code;
  const description = `超范围经营（异议测试，${testInfo.project.name}）`;
  const reasons = `经核查，该店经营范围已于检查前变更（${testInfo.project.name}）`;

  // A moderator records a penalty: the grade in force stays, marked 新评级待公布.
  await signIn(page, "moderator");
  await page.goto("/staff/businesses");
  const form = page.getByRole("form", { name: "登记信用事项" });
  await form.getByLabel("统一社会信用代码").fill(code);
  await form.getByLabel("事项").selectOption("penalty");
  await form.getByLabel("严重程度").selectOption("general");
  await form.getByLabel("发生日期").fill(new Date().toISOString().slice(0, 10));
  await form.getByLabel("来源").fill("绵阳市市场监督管理局");
  await form.getByLabel("说明").fill(description);
  await form.getByRole("button", { name: "登记信用事项" }).click();
  await expect(page).toHaveURL(new RegExp(`/credit/${code}$`));
  await expect(page.getByText("新评级待公布").first()).toBeVisible();
  await expect(page.locator(".grade.large b")).toHaveText("A");

  // The business objects (a plain form: <details> opens and the form posts without JavaScript too).
  const detail = await (await page.request.get(`/api/v1/businesses/${code}`)).json();
  const event = detail.events.find((e: any) => e.description === description);
  await page.getByText("我是该商户：提出异议、申请信用修复或复查").click();
  await page.getByRole("radio", { name: "异议", exact: true }).check();
  await page.getByLabel("所涉信用事项").selectOption(String(event.id));
  await page.locator("#objection-licence").fill(b.licence_no);
  await page.getByLabel("理由或整改情况（10–2000字）").fill("检查前已办理经营范围变更，附变更通知书。");
  await page.locator("#objection-contact").fill("王先生 13800000000");
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(new RegExp(`/credit/${code}\\?objected=1`));
  await expect(page.getByRole("status").filter({ hasText: "申请已登记" })).toBeVisible();
  await expect(page.getByText("该商户有一项异议正在处理")).toBeVisible();

  // A wrong licence number is explained next to the field, and nothing is filed.
  await page.getByText("我是该商户：提出异议、申请信用修复或复查").click();
  await page.getByRole("radio", { name: "申请复查" }).check();
  await page.locator("#objection-licence").fill("JY29999999999999");
  await page.getByLabel("理由或整改情况（10–2000字）").fill("整改已完成，申请复查量化分级。");
  await page.locator("#objection-contact").fill("王先生 13800000000");
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(/field=licence_no/);
  await expect(page.locator("#licence_no-error")).toBeVisible();

  // Staff uphold it with reasons.
  await page.goto("/staff/objections");
  const item = page.getByRole("listitem").filter({ hasText: "检查前已办理经营范围变更" });
  await expect(item).toContainText("13800000000");
  await item.getByLabel("决定理由（公开）").fill(reasons);
  await item.getByRole("button", { name: "予以支持" }).click();
  await expect(page).toHaveURL(/\/staff\/objections\?saved=1/);

  // The page: the event annulled, the grade A in force, no pending rating, the decision with its reasons.
  await page.goto(`/credit/${code}`);
  await expect(page.getByText("新评级待公布")).toHaveCount(0);
  await expect(page.locator(".grade.large b")).toHaveText("A");
  await expect(page.getByRole("row").filter({ hasText: description })).toContainText("已撤销");
  await expect(page.getByText(reasons)).toBeVisible();
  await expect(page.locator("#objections")).toContainText("予以支持");

  // In English too.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Objections and credit repair" })).toBeVisible();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "异议与信用修复" })).toBeVisible();
});

test("a business never inspected shows 待检查 instead of a grade, on its page and in search", async ({ page }) => {
  let found: any = null;
  for (let p = 1; p <= 20 && !found; p++) {
    const res = await page.request.get(`/api/v1/businesses?per_page=100&page=${p}`);
    found = (await res.json()).items.find((b: any) => b.awaiting_inspection);
  }
  expect(found, "the demo has businesses awaiting inspection").toBeTruthy();
  await page.goto(`/credit/${found.credit_code}`);
  await expect(page.locator(".grade.large")).toContainText("待检查");
  await expect(page.getByText("该商户尚未接受检查，暂无信用评级。")).toBeVisible();
  await expect(page.getByText("信用分")).toHaveCount(0);
  await page.goto(`/credit?q=${found.credit_code}`);
  await expect(page.locator(".results a").first()).toContainText("待检查");
});

test("the demo's pending downgrade shows 新评级待公布", async ({ page }) => {
  let found: any = null;
  for (let p = 1; p <= 50 && !found; p++) {
    const res = await page.request.get(`/api/v1/businesses?grade=A&per_page=100&page=${p}`);
    found = (await res.json()).items.find((b: any) => b.new_rating_pending);
  }
  expect(found, "the demo has a pending downgrade").toBeTruthy();
  await page.goto(`/credit/${found.credit_code}`);
  await expect(page.getByRole("note").filter({ hasText: "新评级待公布" })).toBeVisible();
  await expect(page.getByText("评级日期")).toBeVisible();
});
