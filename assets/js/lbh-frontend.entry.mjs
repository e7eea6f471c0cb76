// Browser bundle of lbh-frontend -> static/js/lbh-frontend.js
//
// lbh-frontend 4 no longer ships a prebuilt dist/ bundle; its lbh/all.js is an
// ES module that expects a bundler. assets/build.mjs bundles this file with
// esbuild as an IIFE that sets `window.LBHFrontend`.
//
// It mirrors lbh-frontend/lbh/all.js (same exports, same initAll) except:
//  - Dialog is left out: it is a React component (React, Radix) and has no
//    use in server-rendered Django pages.
//  - The Map (contact block) module is left out: it needs Leaflet as a global
//    and loads tiles from Mapbox, another host, which this app never does.
//  - initAll({ scope }) also passes the scope to GOV.UK Frontend's initAll, so
//    content swapped in by htmx can be initialised without re-initialising the
//    rest of the page.

import * as GovukFrontend from "govuk-frontend";
import CookieBanner from "lbh-frontend/lbh/components/lbh-cookie-banner/cookie-banner.js";
import BackToTop from "lbh-frontend/lbh/components/lbh-back-to-top/back-to-top.js";
import Collapsible from "lbh-frontend/lbh/components/lbh-collapsible/collapsible.js";

// lbh-frontend's Accordion, Button, CharacterCount, Checkboxes, Details,
// ErrorSummary, Radios and Tabs modules only re-export GOV.UK Frontend's
// classes from each component's own UMD file. Take the same classes from
// govuk-frontend's all.js instead, so the bundle holds one copy of each.
var Accordion = GovukFrontend.Accordion;
var Button = GovukFrontend.Button;
var CharacterCount = GovukFrontend.CharacterCount;
var Checkboxes = GovukFrontend.Checkboxes;
var Details = GovukFrontend.Details;
var ErrorSummary = GovukFrontend.ErrorSummary;
var Radios = GovukFrontend.Radios;
var Tabs = GovukFrontend.Tabs;

function eachNode(nodes, callback) {
  for (var i = 0; i < nodes.length; i++) {
    callback(nodes[i], i);
  }
}

function initAll(options) {
  options = typeof options !== "undefined" ? options : {};
  var scope = typeof options.scope !== "undefined" ? options.scope : document;

  GovukFrontend.initAll({ scope: scope });

  var $cookieBanner = scope.querySelector('[data-module="lbh-cookie-banner"]');
  if ($cookieBanner) {
    new CookieBanner($cookieBanner).init();
  }

  var $backToTop = scope.querySelector('[data-module="lbh-back-to-top"]');
  if ($backToTop) {
    new BackToTop($backToTop).init();
  }

  eachNode(scope.querySelectorAll('[data-module="lbh-collapsible"]'), function ($el) {
    new Collapsible($el).init();
  });
}

export {
  initAll,
  Accordion,
  BackToTop,
  Button,
  CharacterCount,
  Checkboxes,
  CookieBanner,
  Details,
  ErrorSummary,
  Radios,
  Tabs,
  Collapsible,
};
