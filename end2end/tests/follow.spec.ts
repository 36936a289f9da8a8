import { test, expect, signIn } from "./fixtures";

// 关注 without an account: a business page announces its Atom feed and links it; after staff record an event
// the feed carries a "new credit record" entry (a lowering event first waits out its objection window as
// 新评级待公布, so the record is what the feed shows at once, not a grade). Hydrated and with JavaScript off alike:
// the link is plain HTML.
test("a business page's follow link gives a feed that shows a newly recorded event", async ({ page }, testInfo) => {
  const res = await page.request.get("/api/v1/businesses?grade=A&category=%E9%A4%90%E9%A5%AE&per_page=1&page=3");
  const code: string = (await res.json()).items[0].credit_code;
  const today = new Date().toISOString().slice(0, 10);
  const description = `冷藏柜温度超标 <复查> & 整改（${testInfo.project.name}）`;

  // The page announces the feed in its head and links it in its body.
  await page.goto(`/credit/${code}`);
  const feedPath = `/feeds/businesses/${code}`;
  await expect(page.locator(`head link[rel="alternate"][type="application/atom+xml"][href="${feedPath}"]`)).toHaveCount(1);
  const follow = page.getByRole("link", { name: "关注（Atom 订阅）" });
  await expect(follow).toHaveAttribute("href", feedPath);

  // Staff record an event (as in staff-credit.spec.ts).
  await signIn(page, "moderator");
  await page.getByRole("link", { name: "商户与信用记录" }).click();
  const form = page.getByRole("form", { name: "登记信用事项" });
  await form.getByLabel("统一社会信用代码").fill(code);
  await form.getByLabel("事项").selectOption("inspection_finding");
  await form.getByLabel("严重程度").selectOption("minor");
  await form.getByLabel("发生日期").fill(today);
  await form.getByLabel("来源").fill("日常监督检查记录");
  await form.getByLabel("说明").fill(description);
  await form.getByRole("button", { name: "登记信用事项" }).click();
  await expect(page).toHaveURL(new RegExp(`/credit/${code}$`));

  // Follow the link as a reader would: an Atom document whose newest record is this event.
  const href = await page.getByRole("link", { name: "关注（Atom 订阅）" }).getAttribute("href");
  expect(href).toBe(feedPath);
  const feed = await page.request.get(href!);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toBe("application/atom+xml; charset=utf-8");
  const xml = await feed.text();
  expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
  const entries = xml.split("<entry>").slice(1);
  const recorded = entries.find((e) => e.includes('term="event"') && e.includes("冷藏柜温度超标 &lt;复查&gt; &amp; 整改"));
  expect(recorded, xml).toBeDefined();
  expect(recorded).toContain(`/credit/${code}`);
  expect(recorded).toMatch(/<id>[^<]*\/feeds#event-\d+<\/id>/);
  expect(recorded).toContain("新增信用记录");
});
