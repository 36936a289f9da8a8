import { test as base, expect, Page, TestInfo } from "@playwright/test";
import { DEMO_PASSWORD } from "./helpers";

export { expect };

/**
 * Every spec uses this `test`: it fails on any console error, uncaught exception or CSP violation in the page
 * (4xx answers a spec navigates to on purpose are not errors of the page).
 */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() !== "error") return;
        if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
        problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));
      await use(problems);
      expect(problems, "no console errors, exceptions or CSP violations").toEqual([]);
    },
    { auto: true },
  ],
});

export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.name === "hydrated";
}

/**
 * On a page with islands: with JavaScript, waits until they are hydrated (so the spec exercises hydrated code);
 * without, asserts that nothing hydrated.
 */
export async function settle(page: Page, testInfo: TestInfo) {
  const islands = await page.locator("leptos-island").count();
  if (islands > 0 && jsEnabled(testInfo)) {
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  } else {
    await expect(page.locator("html")).not.toHaveAttribute("data-hydrated", "true");
  }
}

/** The demo accounts by role (`server seed --demo` creates them). */
export const DEMO_ACCOUNTS = { admin: "demo_admin", moderator: "demo_moderator", viewer: "demo_viewer" } as const;

/**
 * Signs in on the staff login form as the demo account of `role`, by the form's labels and button (as a person
 * would, so the form itself is tested every time), and waits for the console.
 */
export async function signIn(page: Page, role: keyof typeof DEMO_ACCOUNTS) {
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill(DEMO_ACCOUNTS[role]);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/staff$/);
}
