/* The sign-up page's community picker: Enter in the name search narrows the list instead of sending the form. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.id !== "id_q") { return; }
    event.preventDefault();
    event.target.dispatchEvent(new Event("narrow", { bubbles: true }));
    event.target.blur(); // on a phone: close the keyboard so the narrowed list shows
  });
})();
