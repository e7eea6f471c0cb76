#!/usr/bin/env node
// static/vendor/plotly-basic.min.js -> static/css/plotly.css
//
// plotly.js adds its own stylesheet by inserting a <style> element, which a
// Content-Security-Policy without style-src 'unsafe-inline' refuses. It skips
// that when the page already has an element with id "plotly.js-style-global"
// and class "no-inline-styles", so pages with charts link this file instead:
//   <link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet" href="…/plotly.css">
// The rules are read from the bundle itself (the object of "X,X div"-style
// selectors that plotly passes to addStyleRule), with plotly's own
// substitutions, so the file always matches the plotly.js served.
//
//   node assets/plotly-css.mjs   (also run by assets/build.mjs)

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = path.join(ROOT, "static/vendor/plotly-basic.min.js");
const OUT = path.join(ROOT, "static/css/plotly.css");

export function plotlyCss(js) {
  const marker = js.indexOf('{"X,X div":');
  if (marker < 0) throw new Error("plotly's style rules not found in " + SOURCE);
  let depth = 0;
  let end = marker;
  for (; end < js.length; end++) {
    const c = js[end];
    if (c === '"' || c === "'") {
      end = js.indexOf(c, end + 1);
    } else if (c === "{") {
      depth++;
    } else if (c === "}" && --depth === 0) {
      break;
    }
  }
  const rules = vm.runInNewContext("(" + js.slice(marker, end + 1) + ")");
  const version = (js.match(/plotly\.js[^\n]*?v(\d+\.\d+\.\d+)/) || [])[1] || "unknown";
  const lines = [`/* plotly.js ${version} stylesheet, from its bundle by assets/plotly-css.mjs (MIT). */`];
  for (const [selector, body] of Object.entries(rules)) {
    const full = selector
      .replace(/^,/, " ,")
      .replace(/X/g, ".js-plotly-plot .plotly")
      .replace(/Y/g, ".plotly-notifier");
    lines.push(`${full}{${body}}`);
  }
  return lines.join("\n") + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(OUT, plotlyCss(fs.readFileSync(SOURCE, "utf8")));
  console.log("wrote " + path.relative(ROOT, OUT));
}
