// stale.js: a progressive enhancement for herald's index page. When the
// page is older than the site's stale_after, it shows a banner saying the
// status may be out of date, naming the time of the last update. Without
// JavaScript the "Updated …" time stays visible, and nothing else changes.
//
// It reads the first element carrying data-stale-after (seconds), e.g.
//   <p class="banner-updated" data-stale-after="600">Updated <time datetime="2026-11-28T15:00:00Z">…</time></p>
// The generation time is that element's data-generated attribute, or else
// the datetime of the first <time> inside it. With either missing or
// invalid, the script does nothing. It is loaded from its own file, so the
// page's CSP can stay script-src 'self'.
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
    banner.appendChild(document.createTextNode("This page has not been updated since "));
    banner.appendChild(t);
    banner.appendChild(document.createTextNode(". The status shown may be out of date."));
    var main = document.querySelector("main") || document.body;
    if (main) main.insertBefore(banner, main.firstChild);
    clearInterval(timer);
  }
  // A page left open goes stale too.
  var timer = setInterval(check, 30000);
  check();
})();
