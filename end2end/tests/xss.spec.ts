import { test, expect, signIn } from "./fixtures";

// Payloads that would run if any page rendered user text as HTML or into an attribute unescaped.
const PAYLOADS = [
  `<script>window.__xss = 1</script>`,
  `"><img src=x onerror="window.__xss = 2">`,
  `<svg onload="window.__xss = 3"></svg>`,
  `'--></style><iframe srcdoc="<script>parent.__xss = 4</script>">`,
];

/** A valid unified social credit code (GB 32100-2015 check character) with a chosen 9-character body. */
function creditCode(org9: string): string {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const first17 = `91510703${org9}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * Number(3n ** BigInt(i) % 31n);
  return first17 + chars[(31 - (sum % 31)) % 31];
}

test("script payloads in every writable field show as text and never run", async ({ page }, testInfo) => {
  const tag = testInfo.project.name === "hydrated" ? "甲" : "乙";
  const code = creditCode(tag === "甲" ? "XAA000001" : "XAA000002");
  const name = `防注入${tag}${PAYLOADS[0]}`;
  const address = `涪城区${PAYLOADS[1]}`;

  await signIn(page, "admin");

  // A business name and address through the console's CSV import (quoted, as a spreadsheet writes them).
  const csv = `credit_code,name,address,district,category\n${code},"${name.replaceAll('"', '""')}","${address.replaceAll('"', '""')}",涪城区,餐饮\n`;
  const upload = await page.request.post("/staff/businesses/import", {
    multipart: { file: { name: "xss.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } },
  });
  expect(upload.status()).toBe(202);
  const job = (await upload.json()).job_id;
  await expect.poll(async () => (await page.request.get(`/staff/imports/${job}`)).text()).toContain("导入完成");

  // A reply with the other payloads, then approved.
  await page.goto(`/credit/${code}`);
  await page.getByText("我是该商户：提交公开回应").click();
  // The reply form (the objection form beside it has a contact field too).
  const replyForm = page.locator("details.reply-form");
  const reply = `整改说明${tag}${PAYLOADS[2]}${PAYLOADS[3]}`;
  await replyForm.getByLabel("内容（10–2000字）").fill(reply);
  await replyForm.getByLabel("联系人及电话（仅工作人员可见）").fill(`${PAYLOADS[1]} 13700000000`);
  await replyForm.getByRole("button", { name: "提交" }).click();
  await expect(page.getByRole("status")).toHaveText("已收到，审核通过后公开。");

  // Every page that shows them: the moderation queue (with the contact), the search, the business page, the
  // audit log, the type-ahead (hydrated).
  await page.goto("/staff/replies");
  const item = page.getByRole("listitem").filter({ hasText: `整改说明${tag}` });
  await expect(item).toContainText(PAYLOADS[2]);
  await expect(item).toContainText(PAYLOADS[1]);
  await item.getByRole("button", { name: "通过" }).click();
  for (const path of [`/credit?q=${encodeURIComponent(`防注入${tag}`)}`, `/credit/${code}`, "/staff/audit"]) {
    await page.goto(path);
    if (path.startsWith("/credit/")) {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
      await expect(page.getByText(reply)).toBeVisible();
      await expect(page.getByText(address)).toBeVisible();
    } else if (path.startsWith("/credit?")) {
      await expect(page.locator(".results strong").first()).toHaveText(name);
    }
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path).toBeUndefined();
  }
  if (testInfo.project.name === "hydrated") {
    await page.goto("/credit");
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("搜索商户").pressSequentially(`防注入${tag}`, { delay: 30 });
    await expect(page.getByRole("list", { name: "搜索建议" }).getByRole("link").first()).toContainText(name);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  }
});
