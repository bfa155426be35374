/// The dashboard's own script, served at `/static/app.js` (no inline script: the CSP forbids
/// it). Pages are complete without it; it adds live updates over `/api/v1/events`, the age of
/// the data in the freshness line, confirmations, and the charts when Chart.js is there.
enum Scripts {
    static let app = #"""
        (function () {
          "use strict";
          var body = document.body;

          // "3 s ago" after the freshness line's time, counted on every second.
          var units = (body.getAttribute("data-ago") || "{n} s ago|{n} min ago|{n} h ago|{n} d ago").split("|");
          function ago(seconds) {
            var n = seconds, i = 0;
            if (seconds >= 86400) { n = Math.floor(seconds / 86400); i = 3; }
            else if (seconds >= 3600) { n = Math.floor(seconds / 3600); i = 2; }
            else if (seconds >= 60) { n = Math.floor(seconds / 60); i = 1; }
            return "(" + units[i].replace("{n}", String(n)) + ")";
          }
          function tick() {
            var spans = document.querySelectorAll("[data-ago-from]");
            for (var i = 0; i < spans.length; i++) {
              var t = Date.parse(spans[i].getAttribute("data-ago-from"));
              if (!isNaN(t)) spans[i].textContent = ago(Math.max(0, Math.round((Date.now() - t) / 1000)));
            }
          }
          tick();
          setInterval(tick, 1000);

          // A form's parameter groups: only the chosen strategy's is shown (without scripts all
          // are, and the server reads only the chosen one's).
          var choosers = document.querySelectorAll("select[data-shows-group]");
          for (var c = 0; c < choosers.length; c++) {
            (function (select) {
              function show() {
                var groups = select.form ? select.form.querySelectorAll("fieldset[data-group]") : [];
                for (var g = 0; g < groups.length; g++) groups[g].hidden = groups[g].getAttribute("data-group") !== select.value;
              }
              select.addEventListener("change", show);
              show();
            })(choosers[c]);
          }

          // Buttons that ask first (emergency stop).
          document.addEventListener("submit", function (event) {
            var button = event.submitter || event.target.querySelector("[data-confirm]");
            var question = button && button.getAttribute("data-confirm");
            if (question && !window.confirm(question)) event.preventDefault();
          });

          // Charts: data from a JSON block the server rendered beside each canvas.
          function drawCharts(root) {
            if (!window.Chart) return;
            // Axes and legends readable on the dark palette too (the page's own colours).
            if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
              window.Chart.defaults.color = "#c3cad6";
              window.Chart.defaults.borderColor = "#2c3645";
            }
            var canvases = root.querySelectorAll("canvas[data-chart]");
            for (var i = 0; i < canvases.length; i++) {
              var canvas = canvases[i];
              var source = document.getElementById(canvas.getAttribute("data-chart"));
              if (!source) continue;
              var spec;
              try { spec = JSON.parse(source.textContent); } catch (e) { continue; }
              var existing = window.Chart.getChart ? window.Chart.getChart(canvas) : null;
              if (existing) existing.destroy();
              new window.Chart(canvas, spec);
              canvas.hidden = false;
              var fallback = canvas.parentNode.querySelector(".chart-fallback");
              if (fallback) fallback.hidden = true;
            }
          }
          drawCharts(document);

          // Live updates: on an event this page listens to, read the page again and swap in
          // its live regions (never one holding the keyboard focus of a form field).
          var wanted = (body.getAttribute("data-live") || "").split(" ").filter(Boolean);
          if (!wanted.length || !window.EventSource) return;
          var timer = null, inFlight = false, again = false;
          function refresh() {
            timer = null;
            if (inFlight) { again = true; return; }
            inFlight = true;
            fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (r) { if (!r.ok || r.redirected) throw new Error(String(r.status)); return r.text(); })
              .then(function (html) {
                var fresh = new DOMParser().parseFromString(html, "text/html");
                var regions = document.querySelectorAll("[data-live-region]");
                for (var i = 0; i < regions.length; i++) {
                  var old = regions[i];
                  var active = document.activeElement;
                  // Never under the reader's hands: a region holding the focus stays as it is.
                  if (active && active !== document.body && old.contains(active)) continue;
                  var replacement = old.id && fresh.getElementById(old.id);
                  // Unchanged regions stay too (a button about to be clicked is not swapped).
                  if (replacement && replacement.outerHTML !== old.outerHTML) old.replaceWith(document.importNode(replacement, true));
                }
                tick();
                drawCharts(document);
                body.setAttribute("data-refreshed-at", String(Date.now()));
              })
              .catch(function () {})
              .then(function () { inFlight = false; if (again) { again = false; schedule(); } });
          }
          function schedule() { if (!timer) timer = setTimeout(refresh, 100); }
          var source = new EventSource("/api/v1/events");
          // The server could not replay what this page missed while away: read it all again.
          source.addEventListener("reload", function () { window.location.reload(); });
          var opened = false;
          source.onopen = function () { if (opened) schedule(); opened = true; };
          wanted.forEach(function (name) {
            source.addEventListener(name, function () {
              body.setAttribute("data-last-event", name + " " + Date.now());
              schedule();
            });
          });
        })();
        """#
}
