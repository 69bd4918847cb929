/* A page listing background jobs ([data-job] items with a progress URL): polls each job that
   is queued or running every two seconds, shows its phase and note, and reloads the page once
   one has finished, so its result (e.g. a new export in the list below) appears. Without this
   script the page shows the jobs as they were when it was loaded, and a link to reload it. */
(function () {
  "use strict";
  if (!window.fetch) return;
  var items = document.querySelectorAll("[data-job]");
  var MAX_FAILURES = 30;

  function follow(item) {
    var url = item.getAttribute("data-progress-url");
    var phase = item.querySelector("[data-job-phase]");
    var note = item.querySelector("[data-job-note]");
    var failures = 0;

    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (job) {
          failures = 0;
          phase.textContent = job.phase_label;
          note.textContent = job.note;
          if (job.phase === "done" || job.phase === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures >= MAX_FAILURES) {
            note.textContent = "无法获取生成进度，请刷新本页。";
          } else {
            window.setTimeout(poll, 2000);
          }
        });
    }
    window.setTimeout(poll, 1000);
  }

  for (var i = 0; i < items.length; i += 1) {
    var state = items[i].getAttribute("data-phase");
    if (state === "queued" || state === "running") follow(items[i]);
  }
})();
