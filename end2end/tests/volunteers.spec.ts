import { test, expect, signIn } from "./fixtures";

// 食安志愿者 (issue 22, part 3): someone joins the corps (group, district, phone), keeps the number and sign-in
// code shown once, a moderator approves them, they sign in and report from a business's page in three taps
// (the link, a problem, 确认提交) and see the case's tracking number. The public board shows counts only. Server
// HTML and plain form posts throughout: the same steps run hydrated and with JavaScript off.

test("join, approval, sign-in and a report in three taps from a business page", async ({ page }) => {
  // A phone of this run's own (the corps refuses a phone twice).
  const phone = `139${String(Date.now() % 100_000_000).padStart(8, "0")}`;

  await page.goto("/volunteers/join");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("报名成为食安志愿者");
  await page.getByLabel("所属群体").selectOption("外卖小哥");
  await page.getByLabel("区县").selectOption("涪城区");
  await page.getByLabel("手机号", { exact: true }).fill(phone);
  await page.getByLabel(/我同意/).check();
  await page.getByRole("button", { name: "提交报名" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("报名已提交");
  await expect(page.getByText(/登录码只显示这一次/)).toBeVisible();
  const number = (await page.getByRole("definition").nth(0).innerText()).trim();
  const code = (await page.getByRole("definition").nth(1).innerText()).trim();
  expect(number).toMatch(/^ZY\d{8}$/);
  expect(code).toMatch(/^[2-9A-Z]{10}$/);
  // Shown once.
  await page.reload();
  await expect(page.getByText(number)).toHaveCount(0);

  // Before approval the report page explains.
  await page.goto("/volunteers/login");
  await page.getByLabel("志愿者编号").fill(number);
  await page.getByLabel("登录码").fill(code);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/volunteers\/me$/);
  await expect(page.getByText("待审核").first()).toBeVisible();

  // A moderator approves.
  await signIn(page, "moderator");
  await page.goto("/staff/volunteers");
  const row = page.getByRole("row").filter({ hasText: number });
  await row.getByRole("button", { name: "通过" }).click();
  await expect(page).toHaveURL(/\/staff\/volunteers$/);
  await expect(page.getByRole("row").filter({ hasText: number })).toContainText("已通过");

  // Three taps from a business's page.
  const list = await (await page.request.get("/api/v1/businesses?per_page=1")).json();
  const credit: string = list.items[0].credit_code;
  await page.goto(`/credit/${credit}`);
  await page.getByRole("link", { name: "志愿者随手拍/快报" }).click(); // tap 1
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("志愿者快报");
  await page.getByRole("link", { name: "过期食品" }).click(); // tap 2
  await expect(page.getByText("确认提交这条快报？")).toBeVisible();
  await page.getByRole("button", { name: "确认提交" }).click(); // tap 3
  await expect(page).toHaveURL(/\/volunteers\/me\?filed=JB-\d{8}-\d{6}$/);
  const filed = new URL(page.url()).searchParams.get("filed")!;
  await expect(page.getByText(`快报已提交，案件编号 ${filed}`)).toBeVisible();
  await expect(page.getByRole("table")).toContainText(filed);
});

test("the public board counts groups and districts and names nobody", async ({ page }) => {
  await page.goto("/volunteers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("食安志愿者");
  await expect(page.getByRole("heading", { name: "按群体排行" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "按区县排行" })).toBeVisible();
  for (const group of ["外卖小哥", "快递小哥", "社区网格员", "出租车司机", "自媒体代表", "广场舞阿姨"]) {
    await expect(page.getByRole("cell", { name: group, exact: true })).toBeVisible();
  }
  await expect(page.getByText(/ZY\d{8}/)).toHaveCount(0);
  const board = await (await page.request.get("/api/v1/volunteers/leaderboard")).json();
  expect(board.by_group.length).toBe(7);
  expect(JSON.stringify(board)).not.toMatch(/ZY\d|1[3-9]\d{9}/);
  // Without signing in, the report page explains and links to sign-in and joining.
  const list = await (await page.request.get("/api/v1/businesses?per_page=1")).json();
  await page.goto(`/volunteers/report?business=${list.items[0].credit_code}`);
  await expect(page.getByRole("link", { name: "志愿者登录" })).toBeVisible();
  await expect(page.getByRole("link", { name: "报名加入" })).toBeVisible();
});
