/* The visit form: "使用我的位置" fills the location (only once the recipient's consent is ticked), the error summary
   takes the focus, and the call button reveals the assigned worker's recipient phone (audited) and dials it. */
(function () {
  "use strict";

  function setupLocation() {
    var button = document.getElementById("use-location");
    var consent = document.getElementById("id_location_consent");
    var field = document.getElementById("id_location");
    var status = document.getElementById("location-status");
    if (!button || !consent || !field || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    function sync() {
      button.disabled = !consent.checked;
      status.textContent = consent.checked ? "" : button.dataset.consent;
    }
    consent.addEventListener("change", sync);
    sync();
    button.addEventListener("click", function () {
      if (!consent.checked) { return; }
      button.disabled = true;
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        field.value = position.coords.latitude.toFixed(6) + "," + position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.done;
        button.disabled = !consent.checked;
      }, function (error) {
        status.textContent = error.code === 1 ? button.dataset.denied : button.dataset.failed;
        button.disabled = !consent.checked;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function setupCall() {
    var form = document.getElementById("call-form");
    if (!form || !window.fetch) { return; }
    var status = document.getElementById("call-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = document.getElementById("call-button");
      button.disabled = true;
      status.textContent = form.dataset.calling;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        var number = document.getElementById("call-number");
        var link = document.createElement("a");
        link.href = data.tel;
        link.id = "call-link";
        link.className = "call-link";
        link.textContent = data.phone;
        number.replaceChildren(link);
        status.textContent = form.dataset.dialled;
        button.disabled = false;
        window.location.href = data.tel;
      }).catch(function () {
        status.textContent = form.dataset.failed;
        button.disabled = false;
      });
    });
  }

  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupLocation();
    setupCall();
    focusSummary();
  });
})();
