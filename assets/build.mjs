#!/usr/bin/env node
// Builds hackperf's front-end assets into static/ (committed to git).
//
//   npm ci && npm run build
//
// 1. Sass: assets/scss/main.scss (lbh-frontend + GOV.UK Frontend 3 + ours)
//    -> static/css/hackperf.css, compressed, no source map. lbh-frontend's
//    `@import url(https://fonts.googleapis.com/…)` is removed from the output;
//    Open Sans is self-hosted instead (assets/scss/_fonts.scss).
// 2. Every url() in that CSS must point at /static/…; the referenced images and
//    fonts are copied from the npm packages (and nothing else from them).
// 3. lbh-frontend's JS is bundled (esbuild, IIFE) -> static/js/lbh-frontend.js,
//    exposing window.LBHFrontend. assets/js/hackperf.js is copied next to it.
// 4. Vendor files copied as published: plotly.js basic, htmx, axe-core.
// 5. static/ASSETS.md is rewritten with the package versions used.
// 6. Checks: no off-site URL in any CSS url()/@import; JS URL report.
//
// Exits non-zero on any problem, so CI can run it and `git diff --exit-code
// static/` to prove the committed files match the lockfile.

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";

import * as sass from "sass";
import * as esbuild from "esbuild";

import { plotlyCss } from "./plotly-css.mjs";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NM = path.join(ROOT, "node_modules");
const STATIC = path.join(ROOT, "static");
const STATIC_URL = "/static/";

const rel = (p) => path.relative(ROOT, p);
const pkgDir = (name) => path.join(NM, name);
const pkgVersion = (name) =>
  JSON.parse(fs.readFileSync(path.join(pkgDir(name), "package.json"), "utf8")).version;

function fail(message) {
  console.error(`\nbuild failed: ${message}`);
  process.exit(1);
}

function copy(from, to) {
  if (!fs.existsSync(from)) fail(`missing source file ${rel(from)}`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// Output folders this script owns. They are emptied first so that files no
// longer produced do not linger in git.
const OWNED = ["css", "js", "vendor", "images", "fonts"].map((d) => path.join(STATIC, d));
for (const dir of OWNED) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

// ---------------------------------------------------------------------------
// 1. Sass
// ---------------------------------------------------------------------------

// _fonts.scss carries a copy of @fontsource's latin unicode-range; make sure it
// still matches the installed package.
{
  const fontsource = fs.readFileSync(path.join(pkgDir("@fontsource/open-sans"), "400.css"), "utf8");
  const block = fontsource.match(/\/\* open-sans-latin-400-normal \*\/[\s\S]*?unicode-range:\s*([^;]+);/);
  const ours = fs.readFileSync(path.join(ROOT, "assets/scss/_fonts.scss"), "utf8");
  if (!block || !ours.includes(`"${block[1].trim()}"`)) {
    fail("assets/scss/_fonts.scss unicode-range differs from @fontsource/open-sans 400.css (latin)");
  }
}

let warnings = 0;
const result = sass.compile(path.join(ROOT, "assets/scss/main.scss"), {
  style: "compressed",
  loadPaths: [ROOT],
  sourceMap: false,
  charset: true,
  // lbh-frontend / GOV.UK Frontend 3 use @import, global functions and "/"
  // division, all deprecated in Dart Sass 1.x but still supported. Keep the
  // output readable: silence warnings from node_modules and those features.
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div", "color-functions"],
  logger: {
    warn(message, { deprecation, span }) {
      warnings += 1;
      const where = span ? ` (${span.url ? rel(fileURLToPath(span.url)) : "?"}:${span.start.line + 1})` : "";
      console.warn(`sass ${deprecation ? "deprecation" : "warning"}${where}: ${message.split("\n")[0]}`);
    },
  },
});

let css = result.css;

// Remove the Google Fonts import(s) that lbh-frontend's Sass always emits.
// It is emitted as `@import url("https://fonts.googleapis.com/css2?…;…")` or
// `@import "https://…"`; note the URL itself contains semicolons.
const GOOGLE_FONTS_IMPORT =
  /@import\s*(?:url\(\s*(["']?)https?:\/\/fonts\.googleapis\.com\/[^"')]*\1\s*\)|(["'])https?:\/\/fonts\.googleapis\.com\/[^"']*\2)[^;]*;/g;
const removed = css.match(GOOGLE_FONTS_IMPORT) || [];
css = css.replace(GOOGLE_FONTS_IMPORT, "");
if (removed.length === 0) {
  console.warn("note: no Google Fonts @import found to remove (did lbh-frontend drop it?)");
}

// No @import of any kind may remain: everything is in this one file.
const imports = css.match(/@import[^;]*;/g);
if (imports) fail(`CSS still contains @import: ${imports.join(" ")}`);
for (const word of ["googleapis", "gstatic", "//fonts."]) {
  if (css.includes(word)) fail(`CSS still mentions ${word}`);
}

// ---------------------------------------------------------------------------
// 2. url() references: all must be /static/…, and must exist after copying.
// ---------------------------------------------------------------------------

const urls = new Set();
for (const m of css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/g)) urls.add(m[2]);

const IMAGE_SOURCES = [
  path.join(pkgDir("lbh-frontend"), "lbh/assets/images"),
  path.join(pkgDir("govuk-frontend"), "govuk/assets/images"),
];
const FONT_SOURCES = [path.join(pkgDir("@fontsource/open-sans"), "files")];

function findIn(sources, name) {
  for (const dir of sources) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

for (const url of [...urls].sort()) {
  if (url.startsWith("data:")) continue;
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(url)) fail(`CSS url() points off-site: ${url}`);
  if (!url.startsWith(STATIC_URL)) fail(`CSS url() outside ${STATIC_URL}: ${url}`);
  const local = url.slice(STATIC_URL.length).split(/[?#]/)[0];
  let source = null;
  if (local.startsWith("images/")) source = findIn(IMAGE_SOURCES, local.slice("images/".length));
  else if (local.startsWith("fonts/")) source = findIn(FONT_SOURCES, local.slice("fonts/".length));
  if (!source) fail(`CSS url() ${url} has no source file in the npm packages`);
  copy(source, path.join(STATIC, local));
}

fs.writeFileSync(path.join(STATIC, "css/hackperf.css"), css);

// Images the templates use directly (not referenced from CSS).
const lbhImages = path.join(pkgDir("lbh-frontend"), "lbh/assets/images");
for (const name of ["favicon.ico", "lbh-logo.svg"]) {
  copy(path.join(lbhImages, name), path.join(STATIC, "images", name));
}

// ---------------------------------------------------------------------------
// 3. JavaScript
// ---------------------------------------------------------------------------

await esbuild.build({
  entryPoints: [path.join(ROOT, "assets/js/lbh-frontend.entry.mjs")],
  outfile: path.join(STATIC, "js/lbh-frontend.js"),
  bundle: true,
  format: "iife",
  globalName: "LBHFrontend",
  platform: "browser",
  target: ["es2017"],
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
  banner: {
    js: `/*! lbh-frontend ${pkgVersion("lbh-frontend")} + govuk-frontend ${pkgVersion("govuk-frontend")}, MIT. Built by hackperf assets/build.mjs. */`,
  },
});

copy(path.join(ROOT, "assets/js/hackperf.js"), path.join(STATIC, "js/hackperf.js"));
// Pages' own stylesheets (print rules), copied: the CSP allows no inline <style>.
for (const name of fs.readdirSync(path.join(ROOT, "assets/css"))) {
  copy(path.join(ROOT, "assets/css", name), path.join(STATIC, "css", name));
}

// ---------------------------------------------------------------------------
// 4. Vendor files, as published
// ---------------------------------------------------------------------------

const VENDOR = [
  ["plotly.js-basic-dist-min", "plotly-basic.min.js", "plotly-basic.min.js"],
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["axe-core", "axe.min.js", "axe.min.js"],
];
for (const [pkg, file, out] of VENDOR) {
  copy(path.join(pkgDir(pkg), file), path.join(STATIC, "vendor", out));
}
// plotly.js's stylesheet as a file, so the CSP needs no inline <style> (assets/plotly-css.mjs).
fs.writeFileSync(
  path.join(STATIC, "css/plotly.css"),
  plotlyCss(fs.readFileSync(path.join(STATIC, "vendor/plotly-basic.min.js"), "utf8")),
);

// ---------------------------------------------------------------------------
// 5. static/ASSETS.md
// ---------------------------------------------------------------------------

const versions = Object.fromEntries(
  [
    "lbh-frontend",
    "govuk-frontend",
    "@fontsource/open-sans",
    "plotly.js-basic-dist-min",
    "htmx.org",
    "axe-core",
    "sass",
    "esbuild",
  ].map((name) => [name, pkgVersion(name)]),
);

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const produced = OWNED.flatMap(listFiles)
  .map((f) => path.relative(STATIC, f).split(path.sep).join("/"))
  .sort();

const assetsMd = `# static/ — generated files

Everything under \`static/css\`, \`static/js\`, \`static/vendor\`, \`static/images\`
and \`static/fonts\` is generated. Do not edit it by hand: change the sources in
\`assets/\` (or the versions in \`package.json\`) and rebuild, then commit the
result together with \`package-lock.json\`:

\`\`\`sh
npm ci
npm run build
\`\`\`

Django serves this folder at \`STATIC_URL = "/static/"\`. Every URL in the CSS is
under \`/static/\`; nothing is loaded from another host.

| output | made from |
| --- | --- |
| css/hackperf.css | assets/scss/main.scss: lbh-frontend ${versions["lbh-frontend"]} Sass on govuk-frontend ${versions["govuk-frontend"]}, compiled with sass ${versions["sass"]}; Google Fonts @import removed |
| fonts/open-sans-latin-{400,600,700}-normal.{woff2,woff} | @fontsource/open-sans ${versions["@fontsource/open-sans"]} (SIL OFL 1.1) |
| images/ | lbh-frontend ${versions["lbh-frontend"]} lbh/assets/images (only files the CSS or base.html use) |
| js/lbh-frontend.js | assets/js/lbh-frontend.entry.mjs bundled by esbuild ${versions["esbuild"]}: lbh-frontend ${versions["lbh-frontend"]} + govuk-frontend ${versions["govuk-frontend"]} JS (no Dialog, no Map), exposes \`window.LBHFrontend\` |
| js/hackperf.js | assets/js/hackperf.js, copied |
| css/briefing.css, css/ig-group-report.css, css/pages.css, css/review.css | assets/css/, copied (pages' own print rules; small rules of single pages) |
| css/plotly.css | plotly.js's own stylesheet, read from vendor/plotly-basic.min.js by assets/plotly-css.mjs (linked with class no-inline-styles, so plotly inserts no <style>) |
| vendor/plotly-basic.min.js | plotly.js-basic-dist-min ${versions["plotly.js-basic-dist-min"]} (MIT) |
| vendor/htmx.min.js | htmx.org ${versions["htmx.org"]} dist/htmx.min.js (0BSD) |
| vendor/axe.min.js | axe-core ${versions["axe-core"]} (MPL-2.0), for accessibility tests only |

Files:

${produced.map((f) => `- ${f}`).join("\n")}
`;
fs.writeFileSync(path.join(STATIC, "ASSETS.md"), assetsMd);

// ---------------------------------------------------------------------------
// 6. Report
// ---------------------------------------------------------------------------

console.log(`removed ${removed.length} Google Fonts @import(s) from the CSS`);
console.log(`CSS url()s (${urls.size}): all under ${STATIC_URL}`);
if (warnings) console.log(`sass printed ${warnings} warning(s) from our own Sass`);
for (const f of produced) {
  const size = fs.statSync(path.join(STATIC, f)).size;
  console.log(`${String(size).padStart(10)}  static/${f}`);
}
