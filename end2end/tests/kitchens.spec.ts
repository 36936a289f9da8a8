import { test, expect, signIn } from "./fixtures";

// 阳光餐饮 (issue 22, part 2): the search filters the businesses whose kitchen is on camera, and a business's page
// shows its camera, its 30-day uptime and the AI flags staff confirmed (with what was done), never the pending or
// dismissed ones; a moderator confirms a pending flag and it shows publicly. Server HTML, GET forms and plain
// form posts: the same steps run hydrated and with JavaScript off.

test("the 阳光餐饮 filter finds kitchens on camera and a business page shows the section", async ({ page }) => {
  await page.goto("/credit");
  await page.getByLabel("只看阳光餐饮（明厨亮灶）").check();
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/sunshine=1/);
  await expect(page.getByRole("status")).toContainText(/\d+/);
  const first = page.locator("ul.results li a").first();
  await expect(first).toContainText("阳光餐饮");
  await first.click();
  await expect(page).toHaveURL(/\/credit\/[0-9A-Z]{18}$/);
  const section = page.getByRole("region", { name: "阳光餐饮 · 明厨亮灶" });
  await expect(section).toBeVisible();
  await expect(section.getByText("近30天在线率")).toBeVisible();
  await expect(section.getByText(/在线|离线/).first()).toBeVisible();
  await expect(section.getByText(/\d+\.\d%/)).toBeVisible();
  // The live view, when shown, leaves the portal without passing it anything.
  const live = section.getByRole("link", { name: "观看后厨直播（第三方平台）" });
  if ((await live.count()) > 0) {
    await expect(live).toHaveAttribute("rel", /noopener/);
    await expect(live).toHaveAttribute("rel", /nofollow/);
  }
  // The API says the same.
  const code = page.url().split("/").pop();
  const detail = await (await page.request.get(`/api/v1/businesses/${code}`)).json();
  expect(detail.kitchen).not.toBeNull();
  for (const f of detail.kitchen.flags) {
    expect(f.action_taken).not.toBe("");
  }
});

test("a moderator confirms a pending AI flag and it shows on the business's page", async ({ page }) => {
  await signIn(page, "moderator");
  await page.goto("/staff/kitchens");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("阳光餐饮（明厨亮灶）");
  await expect(page.getByRole("heading", { name: "待审核的AI抓拍" })).toBeVisible();
  const item = page.locator("li[id^=flag-]").first();
  const business = item.getByRole("link").first();
  const href = await business.getAttribute("href");
  expect(href).toMatch(/^\/credit\//);
  const action = `已责令整改，复查合格（E2E ${Date.now()}）`;
  await item.getByLabel("处置情况").fill(action);
  await item.getByRole("button", { name: "属实", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/kitchens/);

  await page.goto(href!);
  const section = page.getByRole("region", { name: "阳光餐饮 · 明厨亮灶" });
  await expect(section.getByRole("heading", { name: "核实属实的AI抓拍" })).toBeVisible();
  await expect(section.getByText(action)).toBeVisible();
});

test("a dismissed flag never shows publicly", async ({ page }) => {
  await signIn(page, "moderator");
  await page.goto("/staff/kitchens");
  const item = page.locator("li[id^=flag-]").first();
  const href = await item.getByRole("link").first().getAttribute("href");
  const code = href!.split("/").pop();
  const before = await (await page.request.get(`/api/v1/businesses/${code}`)).json();
  await item.getByRole("button", { name: "不属实", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/kitchens/);
  const after = await (await page.request.get(`/api/v1/businesses/${code}`)).json();
  expect(after.kitchen.flags.length).toBe(before.kitchen.flags.length);
});
