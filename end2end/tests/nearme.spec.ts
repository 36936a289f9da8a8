import { test, expect, jsEnabled, settle } from "./fixtures";

// 附近: with JavaScript and a granted location the button lists the businesses around it, nearest first; without
// JavaScript (or without permission) the pick of a district and a street gives the same kind of list.

// Near 涪城区's centre, where the demo places most businesses.
const HERE = { latitude: 31.46, longitude: 104.69 };

test("附近 with the browser's location lists businesses nearest first", async ({ page, context }, testInfo) => {
  test.skip(!jsEnabled(testInfo), "the location comes from the browser's JavaScript");
  await context.grantPermissions(["geolocation"]);
  await context.setGeolocation(HERE);
  await page.goto("/credit");
  await settle(page, testInfo);
  await page.getByRole("button", { name: "附近", exact: true }).click();
  await expect(page).toHaveURL(/\/credit\?near=31\.46\d*,104\.69\d*/);
  await expect(page.getByRole("status")).toContainText("由近及远");
  const distances = await page.locator(".results .distance").allTextContents();
  expect(distances.length).toBeGreaterThan(0);
  const metres = distances.map((t) => Number(t.replace(/\D/g, "")));
  expect(metres).toEqual([...metres].sort((a, b) => a - b));
  // The list is the API's for the same point.
  const url = new URL(page.url());
  const api = await (await page.request.get(`/api/v1/businesses?near=${url.searchParams.get("near")}`)).json();
  const codes = await page.locator(".results a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(codes).toEqual(api.items.map((b: { credit_code: string }) => `/credit/${b.credit_code}`));
});

test("without JavaScript the button is absent and the district and street pick gives the list", async ({ page }, testInfo) => {
  await page.goto("/credit");
  await settle(page, testInfo);
  if (!jsEnabled(testInfo)) {
    await expect(page.getByRole("button", { name: "附近", exact: true })).toBeHidden();
  }
  const pick = page.getByRole("group", { name: "查找某条街道附近的商户" });
  await pick.getByLabel("区县").selectOption("涪城区");
  await pick.getByLabel("街道").selectOption("临园路");
  await pick.getByRole("button", { name: "查看附近商户" }).click();
  await expect(page).toHaveURL(/near_district=/);
  await expect(page.getByRole("status")).toContainText("由近及远");
  const first = page.locator(".results a").first();
  await expect(first).toBeVisible();
  await expect(first.locator(".distance")).toContainText("米");
  // The pick is kept in the form.
  await expect(page.getByRole("group", { name: "查找某条街道附近的商户" }).getByLabel("街道")).toHaveValue("临园路");
});

test("a refused location is explained and the pick still works", async ({ page, context }, testInfo) => {
  test.skip(!jsEnabled(testInfo), "only the hydrated page has the button");
  await context.clearPermissions();
  await page.goto("/credit");
  await settle(page, testInfo);
  await page.getByRole("button", { name: "附近", exact: true }).click();
  await expect(page.getByText("无法获取您的位置")).toBeVisible();
  await expect(page).toHaveURL(/\/credit$/);
});
