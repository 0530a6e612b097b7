// Polls a background job's status and moves its progress bar until it finishes (core.jobs).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  function show(s) {
    document.getElementById("job-state").textContent = s.state_label;
    document.getElementById("job-message").textContent = s.message;
    var bar = document.getElementById("job-progress");
    bar.value = s.percent;
    bar.textContent = s.percent + "%";
    document.getElementById("job-count").textContent = s.done + " / " + s.total;
    if (s.result_url) {
      document.getElementById("job-result-link").href = s.result_url;
      document.getElementById("job-result").hidden = false;
    }
    document.getElementById("job-failed").hidden = s.state !== "failed";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) { show(s); if (!s.finished) window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
