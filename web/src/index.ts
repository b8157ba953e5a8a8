// The Node face of @fanfare/web: where the built fan page and console are, and how to build
// them. The pages themselves (src/app/) are a browser bundle served by the API as static files.

export {
  FINGERPRINT_FILE,
  PAGES_DIR,
  buildPages,
  ensurePages,
  pagesAreCurrent,
  sourceFingerprint,
  type BuildPagesOptions,
} from './pages.js';
