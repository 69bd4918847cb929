/* The batch print page: polls the job's progress (JSON) every second, moves the bar, and
   offers the PDF when it is ready. Without this script the page shows the progress at the
   time it was loaded, and a link to reload it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-print-job]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-progress-url");
  var status = box.querySelector("[data-print-status]");
  var bar = box.querySelector("[data-print-bar]");
  var percent = box.querySelector("[data-print-percent]");
  var pages = box.querySelector("[data-print-pages]");
  var done = box.querySelector("[data-print-done]");
  var file = box.querySelector("[data-print-file]");
  var size = box.querySelector("[data-print-size]");
  var error = box.querySelector("[data-print-error]");
  var failures = 0;
  var MAX_FAILURES = 30;

  // The bar's width at load time comes from the page (a style attribute would need
  // 'unsafe-inline' in the Content-Security-Policy); the script sets it, as it does on each poll.
  bar.style.width = (Number(bar.getAttribute("data-percent")) || 0) + "%";

  function megabytes(bytes) {
    if (!bytes) return "";
    return bytes < 1048576 ? Math.ceil(bytes / 1024) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  }

  function show(p) {
    box.setAttribute("data-phase", p.phase);
    bar.style.width = p.percent + "%";
    percent.textContent = p.percent + "%";
    pages.textContent = "已生成 " + p.done + " / " + p.total + " 张";
    if (p.phase === "done") {
      status.textContent = "已生成全部证书，可以下载。";
      file.setAttribute("href", p.file);
      size.textContent = megabytes(p.size);
      done.hidden = false;
    } else if (p.phase === "failed") {
      status.textContent = "打印未完成。";
      error.textContent = p.error;
      error.hidden = false;
    } else if (p.phase === "queued") {
      status.textContent = p.error || "正在排队，等待后台任务处理程序";
    } else {
      status.textContent = "正在生成证书 PDF…";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (p) {
        failures = 0;
        show(p);
        if (p.phase === "running" || p.phase === "queued") window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures >= MAX_FAILURES) {
          status.textContent = "无法获取打印进度，请刷新本页。";
          return;
        }
        status.textContent = "暂时无法获取进度，正在重试…";
        window.setTimeout(poll, 2000);
      });
  }

  var phase = box.getAttribute("data-phase");
  if (phase === "running" || phase === "queued") window.setTimeout(poll, 1000);
})();
