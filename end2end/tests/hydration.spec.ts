import { test, expect, jsEnabled, settle } from "./fixtures";

test.use({ viewport: { width: 390, height: 844 } });

test("on a phone the navigation needs no script: every section is one tap away", async ({ page }, testInfo) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "主导航" });
  for (const name of ["首页", "你点我检", "举报投诉", "进度查询", "信用查询", "抽检结果", "新闻动态"]) {
    await expect(nav.getByRole("link", { name, exact: true })).toBeAttached();
  }
  await expect(page.getByRole("button", { name: "菜单" })).toHaveCount(0);
  await nav.getByRole("link", { name: "新闻动态" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("新闻动态");
  await expect(nav.getByRole("link", { name: "新闻动态" })).toHaveAttribute("aria-current", "page");
  await settle(page, testInfo);
});

test("only pages with an island load WASM, and the island hydrates", async ({ page }, testInfo) => {
  const fetched: string[] = [];
  page.on("request", (r) => {
    if (/\/pkg\/.*\.(js|wasm)$/.test(r.url())) fetched.push(new URL(r.url()).pathname);
  });
  for (const path of ["/", "/news", "/staff/login"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  expect(fetched, "no script or WASM on pages without an island").toEqual([]);
  await page.goto("/credit");
  await settle(page, testInfo);
  await page.waitForLoadState("networkidle");
  if (jsEnabled(testInfo)) {
    expect(fetched.some((p) => p.endsWith(".wasm")), `WASM fetched for the type-ahead: ${fetched}`).toBe(true);
  } else {
    expect(fetched).toEqual([]);
  }
});
