import { test as base, expect, Page, TestInfo } from "@playwright/test";

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
