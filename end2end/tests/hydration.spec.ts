import { test, expect } from "@playwright/test";
import { jsEnabled, waitForHydration } from "./helpers";

test.use({ viewport: { width: 390, height: 844 } });

test("the mobile menu works hydrated, and the navigation is open without JavaScript", async ({ page }, testInfo) => {
  await page.goto("/");
  const nav = page.getByRole("navigation");
  const credit = nav.getByRole("link", { name: "信用查询" });
  const menu = page.getByRole("button", { name: "菜单" });
  if (jsEnabled(testInfo)) {
    await waitForHydration(page);
    // Hydrated: the menu is collapsed behind an interactive button that only the WASM app can drive.
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(credit).toBeHidden();
    await menu.click();
    await expect(page.getByRole("button", { name: "收起菜单" })).toHaveAttribute("aria-expanded", "true");
    await expect(credit).toBeVisible();
    await credit.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("信用查询");
  } else {
    // Without JavaScript there is no button to press: every link is simply there.
    await expect(menu).toBeHidden();
    await expect(credit).toBeVisible();
    await credit.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("信用查询");
  }
});
