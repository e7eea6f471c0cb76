#!/usr/bin/env node
// Checks that nothing in static/ would make a browser fetch from another host.
//
//   npm run check:urls        (also run at the end of `npm run build`)
//
// CSS: every url() must be a data: URI or under /static/, and there must be no
//      @import at all. Any other reference fails.
// JS:  every http(s):// or protocol-relative string must be in KNOWN below,
//      which says why it is harmless (XML namespaces, licence comments, help
//      links, defaults of options this app never turns on). A new one, e.g.
//      after upgrading a package, fails the check until someone reviews it.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATIC = path.join(ROOT, "static");

const KNOWN = {
  // XML namespace identifiers: never fetched.
  "http://www.w3.org/2000/svg": "SVG namespace",
  "http://www.w3.org/1999/xlink": "XLink namespace",
  "http://www.w3.org/2000/xmlns/": "XMLNS namespace",
  "http://www.w3.org/1999/xhtml": "XHTML namespace",
  "http://www.w3.org/XML/1998/namespace": "XML namespace",
  // Comments / licence headers.
  "https://github.com/Financial-Times/polyfill-service/issues/317": "comment in GOV.UK Frontend polyfill",
  "https://github.com/zloirock/core-js": "licence string in axe-core",
  "https://github.com/zloirock/core-js/blob/v3.51.0/LICENSE": "licence string in axe-core",
  "http://mozilla.org/MPL/2.0/": "licence comment in axe-core",
  "https://github.com/voidqk/polybooljs": "licence comment in plotly.js",
  "http://syntheti.cc": "licence comment in plotly.js",
  "http://getify.mit-license.org": "licence comment in plotly.js",
  // Text in messages, never requested.
  "https://github.com/dequelabs/axe-core/blob/master/doc/context.md": "axe-core error message text",
  "https://dequeuniversity.com/rules/": "axe-core helpUrl strings in results (tests only)",
  "https://github.com/d3/d3-time-format/tree/v2.2.3#locale_format": "plotly.js attribute description",
  "https://github.com/d3/d3-format/tree/v1.4.5#d3-format": "plotly.js attribute description",
  "https://plotly.com/javascript/animations/": "plotly.js warning text",
  // plotly.js defaults that only matter if a page turns them on.
  "https://plotly.com/": "plotly.js modebar logo link (an <a>, not a fetch); pass config displaylogo:false",
  "https://cdn.plot.ly/un/": "plotly.js topojsonURL default, used only by geo traces (not in the basic bundle)",
  "https://cloud.plotly.com/newchart": "plotly.js plotlyServerURL default, used only with showLink/showSendToCloud/showEditInChartStudio (off by default)",
};

function walk(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const problems = [];
const seen = new Map();

for (const file of walk(STATIC)) {
  const name = path.relative(ROOT, file);
  if (file.endsWith(".css")) {
    const css = fs.readFileSync(file, "utf8");
    for (const m of css.matchAll(/@import[^;]*;/g)) problems.push(`${name}: @import ${m[0]}`);
    for (const m of css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/g)) {
      const url = m[2];
      if (!url.startsWith("data:") && !url.startsWith("/static/")) problems.push(`${name}: url(${url})`);
    }
    for (const word of ["googleapis", "gstatic", "//fonts."]) {
      if (css.includes(word)) problems.push(`${name}: mentions ${word}`);
    }
  } else if (file.endsWith(".js") || file.endsWith(".mjs")) {
    const js = fs.readFileSync(file, "utf8");
    for (const m of js.matchAll(/(?:https?:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:\/[^\s"'`)<>\\]*)?/gi)) {
      let url = m[0].replace(/[.,;]+$/, "");
      if (url.startsWith("//")) {
        // Protocol-relative: only a finding if it looks like a host, not a
        // regex or a comment marker.
        if (!/^\/\/[a-z0-9-]+\.[a-z]{2,}\//i.test(url)) continue;
      }
      if (!(url in KNOWN)) {
        problems.push(`${name}: unreviewed URL ${url}`);
      } else {
        if (!seen.has(url)) seen.set(url, new Set());
        seen.get(url).add(name);
      }
    }
  }
}

for (const [url, files] of [...seen].sort()) {
  console.log(`ok  ${url}  (${[...files].join(", ")}): ${KNOWN[url]}`);
}
if (problems.length) {
  console.error(`\n${problems.length} off-site reference(s) to review:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log("no off-site URL in CSS url()/@import; every URL string in the JS is reviewed");
