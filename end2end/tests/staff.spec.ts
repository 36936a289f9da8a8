import { test, expect, jsEnabled, settle } from "./fixtures";
import { DEMO_PASSWORD } from "./helpers";

test("staff sign in, see the console, and sign out", async ({ page }) => {
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/staff\/login$/);
  await page.getByLabel("用户名").fill("demo_admin");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole("heading", { name: "工作台" })).toBeVisible();
  await expect(page.getByText("demo_admin")).toBeVisible();
  await page.getByRole("link", { name: "审计日志" }).click();
  await expect(page.getByRole("cell", { name: "登录 staff.login", exact: true }).first()).toBeVisible();
  await page.goto("/staff");
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/staff\/login$/);
});

test("a wrong password is explained on the form", async ({ page }) => {
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("demo_viewer");
  await page.getByLabel("密码").fill("not the password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("alert")).toHaveText("用户名或密码错误。");
  await expect(page).toHaveURL(/\/staff\/login/);
});

test("a moderator updates the campaign figures, with errors next to the field", async ({ page }) => {
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("demo_moderator");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "更新创建成果数据" })).toBeVisible();
  const rate = page.getByLabel("评价性抽检合格率 (%)");
  await rate.fill("101");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.locator("#pass_rate-error")).toHaveText("格式不正确。");
  await page.getByLabel("评价性抽检合格率 (%)").fill("99.7");
  await page.getByLabel("食品安全志愿者").fill("5001");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("status")).toHaveText("已保存。");
  await page.goto("/");
  await expect(page.getByText("5,001")).toBeVisible();
  // Put it back for the other project's run.
  await page.goto("/staff");
  await page.getByLabel("食品安全志愿者").fill("5000");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("status")).toHaveText("已保存。");
});
