// stale.js: a progressive enhancement for herald's index page. When the
// page is older than the site's stale_after, it shows a banner saying the
// status may be out of date, naming the time of the last update. Without
// JavaScript the "Updated …" time stays visible, and nothing else changes.
//
// It reads the first element carrying data-stale-after (seconds), e.g.
//   <p class="banner-updated" data-stale-after="600"
//      data-stale-text-before="This page has not been updated since "
//      data-stale-text-after=". The status shown may be out of date.">Updated <time datetime="2026-11-28T15:00:00Z">…</time></p>
// The generation time is that element's data-generated attribute, or else
// the datetime of the first <time> inside it. With either missing or
// invalid, the script does nothing. The banner's words, in the page's
// language, are the text before and after the time in
// data-stale-text-before and data-stale-text-after: the script holds no
// words, so one file, cached, serves every language. It is loaded from
// its own file, so the page's CSP can stay script-src 'self'.
(function () {
  "use strict";
  var el = document.querySelector("[data-stale-after]");
  if (!el) return;
  var after = Number(el.getAttribute("data-stale-after"));
  var when = el.getAttribute("data-generated");
  var timeEl = el.querySelector("time[datetime]");
  if (!when && timeEl) when = timeEl.getAttribute("datetime");
  var generated = Date.parse(when || "");
  if (!isFinite(after) || after <= 0 || !isFinite(generated)) return;

  var banner = null;
  function check() {
    if (banner || Date.now() - generated <= after * 1000) return;
    banner = document.createElement("p");
    banner.className = "stale-banner";
    banner.setAttribute("role", "status");
    var shown = timeEl ? timeEl.textContent.trim() : "";
    if (!shown) {
      try {
        shown = new Date(generated).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      } catch (e) {
        shown = new Date(generated).toUTCString();
      }
    }
    var t = document.createElement("time");
    t.setAttribute("datetime", new Date(generated).toISOString());
    t.textContent = shown;
    banner.appendChild(document.createTextNode(el.getAttribute("data-stale-text-before") || ""));
    banner.appendChild(t);
    banner.appendChild(document.createTextNode(el.getAttribute("data-stale-text-after") || ""));
    var main = document.querySelector("main") || document.body;
    if (main) main.insertBefore(banner, main.firstChild);
    clearInterval(timer);
  }
  // A page left open goes stale too.
  var timer = setInterval(check, 30000);
  check();
})();
