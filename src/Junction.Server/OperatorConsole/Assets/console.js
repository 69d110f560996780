// Live refresh, progressive: every element with data-live is fetched again from the same address every
// data-live seconds and replaced by its new copy (matched by id). Without JavaScript the page is complete as served.
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-live][id]");
  if (!parts.length) { return; }
  var seconds = Math.max(1, parseInt(parts[0].getAttribute("data-live"), 10) || 5);
  function refresh() {
    if (document.hidden) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Refresh": "1" } })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (old) {
          var next = fresh.getElementById(old.id);
          if (next && !old.contains(document.activeElement)) { old.replaceWith(next); }
        });
      })
      .catch(function () { /* the next tick tries again */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
