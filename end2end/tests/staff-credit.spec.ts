import { test, expect, jsEnabled, settle, signIn } from "./fixtures";

test("a moderator records an event, a business replies, the reply is moderated and published", async ({ page }, testInfo) => {
  const res = await page.request.get("/api/v1/businesses?grade=A&category=%E9%A4%90%E9%A5%AE&per_page=1");
  const code: string = (await res.json()).items[0].credit_code;
  const today = new Date().toISOString().slice(0, 10);
  const description = `后厨地面积水（${testInfo.project.name}）`;
  const reply = `已完成整改，欢迎市民监督。（${testInfo.project.name}）`;

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

  // The business page shows the event and its points.
  await expect(page).toHaveURL(new RegExp(`/credit/${code}$`));
  await expect(page.getByRole("table")).toContainText(description);
  const row = page.getByRole("row").filter({ hasText: description });
  await expect(row.getByRole("cell").nth(2)).toHaveText(/^-2/);

  // The business replies (a plain form; <details> opens without JavaScript too).
  await page.getByText("我是该商户：提交公开回应").click();
  // The reply form (the objection form beside it has a contact field too).
  const replyForm = page.locator("details.reply-form");
  await replyForm.getByLabel("内容（10–2000字）").fill(reply);
  await replyForm.getByLabel("联系人及电话（仅工作人员可见）").fill("王先生 13800000000");
  await replyForm.getByRole("button", { name: "提交" }).click();
  await expect(page.getByRole("status")).toHaveText("已收到，审核通过后公开。");
  await expect(page.getByText(reply)).toHaveCount(0);

  // Moderation: the contact is visible to staff; approving publishes the text.
  await page.goto("/staff/replies");
  const item = page.getByRole("listitem").filter({ hasText: reply });
  await expect(item).toContainText("13800000000");
  await item.getByRole("button", { name: "通过" }).click();
  await page.goto(`/credit/${code}`);
  await expect(page.getByText(reply)).toBeVisible();
  await expect(page.getByText("13800000000")).toHaveCount(0);

  // The same page in English.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Credit record" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "The business's reply" })).toBeVisible();
  await expect(page.getByText("Inspection finding (Minor)").first()).toBeVisible();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "信用记录" })).toBeVisible();
});

test("a moderator imports a registry CSV through the console and follows the job to its report", async ({ page }, testInfo) => {
  // Two rows: one valid business of this project's own, one bad credit code (reported with its line).
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const first17 = `92510781${testInfo.project.name === "hydrated" ? "CAA000001" : "CAA000002"}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * Number(3n ** BigInt(i) % 31n);
  const code = first17 + chars[(31 - (sum % 31)) % 31];
  const csv = `credit_code,name,address,district,category\n${code},批量导入测试${testInfo.project.name},江油市太白路1号,江油市,销售\nBADCODE,坏行,地址,江油市,销售\n`;

  await signIn(page, "moderator");
  await page.goto("/staff/businesses");
  const form = page.getByRole("form", { name: "批量导入（CSV）" });
  await form.getByLabel("CSV").setInputFiles({ name: "registry.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await form.getByRole("button", { name: "上传并导入" }).click();
  await expect(page).toHaveURL(/\/staff\/imports\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("导入任务");
  // The page refreshes itself (no script) while the job runs; reload until it reports.
  await expect.poll(async () => {
    await page.reload();
    return page.getByRole("status").textContent();
  }).toBe("导入完成");
  // The one refused row: line 3, its credit code.
  const refused = page.getByRole("table").getByRole("row").filter({ hasText: "credit_code" });
  await expect(refused).toHaveCount(1);
  await expect(refused.getByRole("cell").first()).toHaveText("3");
  // In English too.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import job");
  await expect(page.getByRole("status")).toHaveText("Import finished");
  await page.getByRole("button", { name: "中文" }).click();
  // The business is in the registry.
  await page.goto(`/credit/${code}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`批量导入测试${testInfo.project.name}`);
});
