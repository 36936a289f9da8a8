import { test, expect, signIn } from "./fixtures";

// 关注 by SMS and partner webhooks, hydrated and with JavaScript off alike (plain links and forms).

test("a business page links its follow page, which offers the feed and says when SMS alerts are not available", async ({ page }) => {
  const res = await page.request.get("/api/v1/businesses?per_page=1&page=2");
  const { credit_code: code, name } = (await res.json()).items[0];
  await page.goto(`/credit/${code}`);
  await page.getByRole("link", { name: "短信提醒" }).click();
  await expect(page).toHaveURL(new RegExp(`/follow/business(:|%3A)${code}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await expect(page.getByRole("link", { name: "关注（Atom 订阅）" })).toHaveAttribute("href", `/feeds/businesses/${code}`);
  await expect(page.locator('head link[rel="alternate"][type="application/atom+xml"]')).toHaveAttribute("href", `/feeds/businesses/${code}`);
  // The browser tests' portal has no SMS gateway: the page says so instead of offering a form that cannot work.
  await expect(page.getByText("本站暂未开通短信提醒")).toBeVisible();
  await expect(page.getByLabel("手机号")).toHaveCount(0);
});

test("an unknown subject and an altered unsubscribe link are clear 404s", async ({ page }) => {
  const follow = await page.goto("/follow/round:999999");
  expect(follow?.status()).toBe(404);
  const stop = await page.goto("/u/1-000000000000");
  expect(stop?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "首页" }).first()).toBeVisible();
});

test("an admin registers a partner webhook, sees its secret and turns it off", async ({ page }, testInfo) => {
  await signIn(page, "admin");
  await page.getByRole("link", { name: "合作方推送" }).click();
  await expect(page).toHaveURL(/\/staff\/webhooks$/);
  const partner = `涪城区局 ${testInfo.project.name}`;
  // A bad URL is refused next to the field, nothing registered.
  await page.getByLabel("合作方名称").fill(partner);
  await page.getByLabel("接收地址（URL）").fill("ftp://bureau.example/hook");
  await page.getByLabel("信用评级").check();
  await page.getByRole("button", { name: "登记推送地址" }).click();
  await expect(page.locator("#url-error")).toContainText("格式不正确");
  await expect(page.getByRole("link", { name: partner })).toHaveCount(0);
  await page.getByLabel("合作方名称").fill(partner);
  await page.getByLabel("接收地址（URL）").fill("https://bureau.example/hook");
  await page.getByLabel("信用评级").check();
  await page.getByLabel("抽检不合格").check();
  await page.getByRole("button", { name: "登记推送地址" }).click();
  await expect(page).toHaveURL(/\/staff\/webhooks\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(partner);
  await page.getByText("签名密钥（查看将记入审计日志）").click();
  await expect(page.locator("code.secret")).toHaveText(/^whsec_[0-9a-f]{48}$/);
  await page.getByRole("button", { name: "停用" }).click();
  await expect(page.getByRole("button", { name: "启用" })).toBeVisible();
  await page.goto("/staff/webhooks");
  await expect(page.getByRole("row", { name: new RegExp(partner) })).toHaveClass(/inactive/);
});
