import { test, expect, signIn } from "./fixtures";

// 一码通 (issue 22): a shopper scans a stall's QR code and sees the operator's grade, today's rapid tests and the
// certificates of what is on sale; a market's page counts today's tests and lists the failing ones; staff issue a
// market's key (shown once) and upload a CSV whose refused rows are listed by line. Server HTML and plain form
// posts throughout: the same steps run hydrated and with JavaScript off.

test("scanning a stall's QR code opens its grade, today's rapid tests and certificates", async ({ page }) => {
  // The demo's first market has a failing test today; its stall is the one a shopper scans.
  const markets = await (await page.request.get("/api/v1/markets")).json();
  const market = markets[0];
  const detail = await (await page.request.get(`/api/v1/markets/${market.id}`)).json();
  const code: string = detail.failing[0].stall;

  // The QR code printed on the stall is an image of the stall's own address.
  const qr = await page.request.get(`/m/${code}/qr.svg`);
  expect(qr.status()).toBe(200);
  expect(qr.headers()["content-type"]).toBe("image/svg+xml");

  // What the phone opens when it scans it.
  await page.goto(`/m/${code}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(market.name);
  await expect(page.getByRole("heading", { name: "今日快检" })).toBeVisible();
  const tests = page.getByRole("table").first();
  await expect(tests.getByRole("columnheader", { name: "检测项目" })).toBeVisible();
  await expect(tests.getByText("不合格").first()).toBeVisible();
  await expect(page.getByText("近期快检不合格").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: /承诺达标合格证/ })).toBeVisible();
  await expect(page.getByText("不使用禁用农药兽药及非法添加物").first()).toBeVisible();
  await expect(page.getByText(/自控自检|委托检测|内部质量控制|自我承诺/).first()).toBeVisible();

  // The certificate traces to its producer and every stall holding it.
  await page.getByRole("link", { name: "追溯" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("合格证追溯：同一合格证的在售摊位");
  await expect(page.getByRole("table").getByRole("row")).not.toHaveCount(1);

  // The stall's market is one link away.
  await page.goto(`/m/${code}`);
  await page.getByRole("link", { name: market.name }).click();
  await expect(page).toHaveURL(new RegExp(`/markets/${market.id}$`));
});

test("a market's page counts today's rapid tests and lists the failing ones", async ({ page }) => {
  await page.goto("/markets");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("一码通 · 农贸市场");
  await page.getByRole("link", { name: "涪城区临园路农贸市场" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("涪城区临园路农贸市场");
  await expect(page.getByText(/今日快检 \d+ 批次 · 合格 \d+/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "摊位（按经营者信用等级）" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "近30天快检不合格" })).toBeVisible();
  // A failing test's stall opens that stall's page.
  const failing = page.getByRole("table").last();
  await failing.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/m\/[2-9A-HJKMNP-Z]{7}$/);
  await expect(page.getByRole("heading", { name: "今日快检" })).toBeVisible();
});

test("staff issue a market's key once and see a refused CSV's rows by line", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/staff/markets");
  await page.getByRole("link", { name: "安州区花荄农贸市场" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("安州区花荄农贸市场");

  await page.getByRole("button", { name: "签发新密钥" }).click();
  await expect(page.getByText(/密钥只显示这一次/)).toBeVisible();
  const url = page.url();
  expect(url).toContain("key=");
  // Shown once: the same address shows it no more.
  await page.goto(url);
  await expect(page.getByText(/密钥只显示这一次/)).toHaveCount(0);

  // A CSV with the wrong columns: nothing stored, the missing columns named on line 1.
  await page.getByLabel("数据类型").selectOption("rapid_tests");
  await page.getByLabel("CSV文件").setInputFiles({
    name: "tests.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("test_no,stall,sample\nE2E-1,2222222,菠菜\n"),
  });
  await page.getByRole("button", { name: "上传CSV（整批入库或整批退回）" }).click();
  const upload = page.getByRole("listitem").filter({ hasText: "未入库（整批退回）" }).first();
  await expect(upload).toBeVisible();
  await expect(upload.getByRole("cell", { name: "method", exact: true })).toBeVisible();
});
