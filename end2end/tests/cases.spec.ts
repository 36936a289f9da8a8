import { test, expect, jsEnabled, settle, signIn } from "./fixtures";

// A 2×2 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
  "base64",
);

test("file a 举报 with a photo, track it, staff accept it, the reporter sees it", async ({ page }) => {
  await page.goto("/report");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("投诉举报");
  await page.getByLabel("商户名称").fill("涪城区某烧烤店");
  await page.getByLabel("问题类别").selectOption("卫生状况");
  await page.getByLabel("发生了什么").fill("后厨地面油污严重，餐具没有消毒就直接使用。");
  await page.getByLabel("照片（最多5张").setInputFiles({ name: "kitchen.png", mimeType: "image/png", buffer: PNG });
  await page.getByLabel("姓名").fill("赵六");
  await page.getByLabel("手机号").fill("13600002222");
  await page.getByRole("button", { name: "提交" }).click();
  await expect(page).toHaveURL(/\/report\/receipt\/[0-9a-f]{32}$/);
  const values = page.locator(".receipt dd code");
  const no = (await values.nth(0).textContent()) ?? "";
  const code = (await values.nth(1).textContent()) ?? "";
  expect(no).toMatch(/^JB-\d{8}-\d{6}$/);
  expect(code).toHaveLength(10);

  await page.goto("/track");
  await page.getByLabel("受理编号").fill(no);
  await page.getByLabel("查询码").fill(code);
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/\/track\?found=1$/);
  await expect(page.locator(".tracked")).toContainText("已提交");

  await signIn(page, "moderator");
  await page.goto("/staff/cases?state=submitted");
  await page.getByRole("link", { name: no }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(no);
  await expect(page.locator(".photos img").first()).toBeVisible();
  await page.getByLabel("转为").selectOption("accepted");
  await page.getByLabel("给举报人的公开回复").fill("已受理，执法人员将前往检查。");
  await page.getByLabel("内部备注（不公开）").fill("内部：优先处理");
  await page.getByRole("button", { name: "保存" }).first().click();
  await expect(page).toHaveURL(/saved=1/);

  await page.goto("/track");
  await expect(page.locator(".tracked")).toContainText("已受理");
  await expect(page.locator(".tracked")).toContainText("已受理，执法人员将前往检查。");
  await expect(page.locator(".tracked")).not.toContainText("内部");
});

test("a failed report keeps what was typed and names the field", async ({ page }) => {
  await page.goto("/report");
  await page.getByLabel("商户名称").fill("绵州小吃（临园路店）");
  await page.getByLabel("问题类别").selectOption("过期食品");
  // Long enough for the browser, refused by the server: a zero-width character hides in it.
  await page.getByLabel("发生了什么").fill("货架上的牛奶已经过期\u200b三天了");
  await page.getByRole("button", { name: "提交" }).click();
  await expect(page).toHaveURL(/field=description/);
  await expect(page.locator("#description-error")).toContainText("格式不正确");
  await expect(page.getByLabel("商户名称")).toHaveValue("绵州小吃（临园路店）");
  await expect(page.getByLabel("问题类别")).toHaveValue("过期食品");
});

test("chosen photos are previewed, and too many are flagged before sending (JS on)", async ({ page }, testInfo) => {
  await page.goto("/report");
  await settle(page, testInfo);
  const input = page.getByLabel("照片（最多5张");
  await input.setInputFiles({ name: "<b>kitchen</b>.png", mimeType: "image/png", buffer: PNG });
  if (!jsEnabled(testInfo)) {
    // Without JavaScript the plain file input is all there is; the server checks the photos.
    await expect(page.locator("#photo-previews img")).toHaveCount(0);
    return;
  }
  const thumb = page.locator("#photo-previews img");
  await expect(thumb).toHaveCount(1);
  await expect(thumb).toHaveAttribute("alt", "<b>kitchen</b>.png");
  await expect(thumb).toHaveAttribute("src", /^blob:/);
  await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
  await expect(page.locator("#photo-status")).toHaveText("已选 1 张照片");
  const six = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.png`, mimeType: "image/png", buffer: PNG }));
  await input.setInputFiles(six);
  await expect(thumb).toHaveCount(6);
  await expect(page.locator("#photo-status")).toHaveText("已选 6 张，最多 5 张，请减少后再提交");
  expect(await input.evaluate((i: HTMLInputElement) => i.validity.valid)).toBe(false);
});
