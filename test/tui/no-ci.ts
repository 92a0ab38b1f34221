/**
 * Imported first (as a side-effect import, which import sorting keeps in
 * place) by tests that need Ink to draw live: Ink renders nothing until exit
 * when it believes it runs in CI, reading CI once when it is imported, and
 * vitest.config sets CI=true. Each test file runs in its own process, so
 * the change stays inside the file that asked for it.
 */
process.env.CI = 'false';
