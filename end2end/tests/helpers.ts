import { Page, TestInfo, expect } from "@playwright/test";

export const DEMO_PASSWORD = "mianyang-demo-2026";

export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.name === "hydrated";
}

/** Collects console errors and CSP violations; the hydrated app must produce none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

/** Waits until the WASM app has hydrated (the menu button only exists then). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}
