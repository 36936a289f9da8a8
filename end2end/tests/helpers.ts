/** The demo staff password (the test script sets PORTAL_DEMO_PASSWORD to it before seeding). */
export const DEMO_PASSWORD = process.env.PORTAL_DEMO_PASSWORD ?? "mianyang-demo-2026";
