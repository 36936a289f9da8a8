import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Page } from "@playwright/test";
import { test, expect, jsEnabled, settle, signIn } from "./fixtures";

// axe-core, run inside the page through the DevTools protocol (not a <script>: the CSP allows none of ours).
const AXE = readFileSync(join(__dirname, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    // @ts-expect-error axe is defined by the script evaluated above
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map(
      (v: { id: string; impact: string; nodes: { target: string[] }[] }) =>
        `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`,
    );
  });
  return found as string[];
}

test.describe("at 360 px", () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test("axe finds no violation on the public pages, in normal and large-text mode", async ({ page }, testInfo) => {
    test.skip(!jsEnabled(testInfo), "axe runs as JavaScript in the page");
    test.setTimeout(120_000);
    await page.goto("/credit?q=%E7%81%AB%E9%94%85");
    const business = await page.locator(".results a").first().getAttribute("href");
    await page.goto("/news");
    const article = await page.locator(".article-card a").first().getAttribute("href");
    const pages = ["/", "/stats", "/news", article!, "/api", "/credit", business!, "/results", "/picks", "/report", "/track", "/poster"];
    for (const large of [false, true]) {
      if (large) {
        await page.goto("/");
        await page.getByRole("button", { name: "大字" }).click();
        await expect(page.locator("html")).toHaveClass(/large/);
      }
      for (const path of pages) {
        await page.goto(path);
        await settle(page, testInfo);
        expect(await axeViolations(page), `${path}${large ? " (large text)" : ""}`).toEqual([]);
      }
    }
  });
});

test("home → latest article → tag, and the feed is announced", async ({ page }) => {
  await page.goto("/");
  const latest = page.getByRole("region", { name: "最新动态" });
  const first = latest.locator(".article-card h3 a").first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.locator(".prose")).not.toBeEmpty();
  await page.locator(".meta a.tag").first().click();
  await expect(page).toHaveURL(/\/news\?tag=/);
  await expect(page.locator(".tags a[aria-current=page]")).toHaveCount(1);
  await expect(page.locator("link[rel=alternate][type='application/atom+xml']")).toHaveAttribute("href", "/news/feed.xml");
  // The scheduled demo article is not listed.
  await expect(page.getByText("元旦节前食品安全专项检查安排")).toHaveCount(0);
});

test("large-text mode: bigger type, remembered on the next page, and off again", async ({ page }) => {
  await page.goto("/");
  const before = await page.locator("body").evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
  await page.getByRole("button", { name: "大字" }).click();
  await expect(page.locator("html")).toHaveClass(/large/);
  await page.getByRole("navigation").getByRole("link", { name: "数据统计" }).click();
  await expect(page.locator("html")).toHaveClass(/large/);
  const after = await page.locator("body").evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
  expect(after).toBeGreaterThanOrEqual(before * 1.2);
  await expect(page.getByRole("button", { name: "标准字" })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("button", { name: "标准字" }).click();
  await expect(page.locator("html")).not.toHaveClass(/large/);
});

test("statistics: charts as SVG with the numbers as text, the district index ranked", async ({ page }, testInfo) => {
  await page.goto("/stats");
  await settle(page, testInfo);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("数据统计");
  await expect(page.locator("svg.chart-svg")).toHaveCount(2);
  await expect(page.locator("svg.map .tile")).toHaveCount(12);
  await expect(page.getByRole("img", { name: "信用等级分布" })).toBeVisible();
  // The district index table (the satisfaction tables follow it).
  const rows = page.locator("table").first().locator("tbody tr");
  await expect(rows).toHaveCount(12);
  await expect(rows.first().locator("td").first()).toHaveText("1");
  await expect(page.getByText("43,993")).toBeVisible();
});

test("staff publish an article that the public then reads", async ({ page }) => {
  await signIn(page, "moderator");
  await page.goto("/staff/news");
  await expect(page.getByText("（草稿）2027 年第一期你点我检候选食品")).toBeVisible();
  const title = `浏览器测试文章 ${Date.now()}`;
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("正文").fill("## 要点\n\n- 看标签\n- 看日期\n\n<script>alert(1)</script>");
  await page.getByLabel("科普").check();
  await page.getByLabel("发布", { exact: true }).check();
  await page.getByRole("button", { name: "保存文章" }).click();
  await expect(page).toHaveURL(/\/staff\/news\/\d+\?saved=1$/);
  await expect(page.getByRole("status")).toHaveText("文章已保存。");
  await page.getByRole("link", { name: "查看公开页面" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByRole("heading", { level: 2, name: "要点" })).toBeVisible();
  await expect(page.locator(".prose script")).toHaveCount(0);
});

test("the brand pages read in English", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "English" }).click();
  for (const [path, h1] of [["/stats", "Statistics"], ["/news", "News"], ["/api", "Open data API"], ["/poster", "Food safety: ours to keep, together"]]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(h1);
  }
  await page.goto("/stats");
  await expect(page.getByRole("heading", { name: "Consumption-environment index" })).toBeVisible();
  await expect(page.locator("svg.map .tile-name").first()).not.toBeEmpty();
});
