// Sequence Sidebar web app: select-all, the confirmation dialog, Actions menus, automation switches.
// Plain JS, no build step. Every action is a normal form POST; the server checks it again.
(function () {
  "use strict";

  // One confirmation dialog for every unenroll button that carries data-confirm.
  function setUpConfirmations() {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var message = document.getElementById("confirm-message");
    var pending = null;
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-confirm]");
      if (!button || !button.form) { return; }
      event.preventDefault();
      pending = button;
      // Keeps a hover-only button shown while its dialog is open, so focus can come back to it.
      button.classList.add("confirming");
      var count = document.querySelectorAll(".row-check:checked").length;
      message.textContent = button.dataset.confirm.replace("{count}", String(count));
      dialog.returnValue = "";
      dialog.showModal();
    });
    dialog.addEventListener("close", function () {
      // A close queued by Esc can arrive after a quick Enter opened the dialog again: it is stale.
      if (dialog.open) { return; }
      var button = pending;
      pending = null;
      if (button) { button.classList.remove("confirming"); }
      if (button && dialog.returnValue !== "confirm") {
        button.focus();  // Esc or Cancel: back where the rep was, never to <body>
        return;
      }
      if (button && dialog.returnValue === "confirm") {
        button.disabled = true;
        var form = button.form;
        // Carry the clicked button's name/value (if any) without re-opening the dialog.
        if (button.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
          form.appendChild(hidden);
        }
        form.submit();
      }
    });
  }

  function setUpSelection() {
    var all = document.getElementById("select-all");
    var bulk = document.getElementById("bulk-unenroll");
    var counter = document.getElementById("selected-count");
    if (!bulk) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".row-check"));
    function refresh() {
      var checked = boxes.filter(function (b) { return b.checked; }).length;
      bulk.disabled = checked === 0;
      if (counter) { counter.textContent = checked + " selected"; }
      if (all) {
        all.checked = checked > 0 && checked === boxes.length;
        all.indeterminate = checked > 0 && checked < boxes.length;
      }
    }
    if (all) {
      all.disabled = boxes.length === 0;
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        refresh();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", refresh); });
    refresh();
  }

  // Only one Actions menu open at a time; a click elsewhere closes it.
  function setUpMenus() {
    document.addEventListener("click", function (event) {
      // A click in the confirmation dialog keeps the menu that opened it, so Cancel can return there.
      if (event.target.closest("dialog")) { return; }
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
      });
    });
    // Esc closes an open menu and leaves the focus on its Actions button. While the confirmation
    // dialog is open, Esc belongs to the dialog (the browser closes it; the menu stays for Cancel).
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || document.querySelector("dialog[open]")) { return; }
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        var hadFocus = menu.contains(document.activeElement);
        menu.removeAttribute("open");
        var summary = menu.querySelector("summary");
        if (hadFocus && summary) { summary.focus(); }
      });
    });
  }

  // A trigger's dropdown only matters while its switch is on.
  function setUpSwitches() {
    document.querySelectorAll("select[data-follows]").forEach(function (select) {
      var toggle = document.getElementById(select.dataset.follows);
      if (!toggle) { return; }
      var sync = function () { select.disabled = !toggle.checked; };
      toggle.addEventListener("change", sync);
      sync();
    });
    // A disabled select is not submitted; enable them just before sending (the switch decides).
    var form = document.getElementById("automation-form");
    if (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("select[data-follows]").forEach(function (s) { s.disabled = false; });
      });
    }
  }

  // Google Identity Services calls this with the ID token for our OAuth client.
  window.sidebarGoogleCredential = function (response) {
    var form = document.getElementById("google-sign-in-form");
    form.elements.credential.value = response.credential;
    form.submit();
  };

  // Microsoft: MSAL.js (from Microsoft's CDN) gets a token for our app, which the server verifies.
  function setUpMicrosoft() {
    var button = document.getElementById("microsoft-sign-in");
    var form = document.getElementById("microsoft-sign-in-form");
    if (!button || !form) { return; }
    button.addEventListener("click", function () {
      if (!window.msal) { alert("Microsoft sign-in could not load; check your connection."); return; }
      var app = new window.msal.PublicClientApplication({
        auth: { clientId: form.dataset.clientId, authority: form.dataset.authority, redirectUri: window.location.origin + "/app/sign-in" }
      });
      var request = { scopes: [form.dataset.scope] };
      app.initialize().then(function () { return app.loginPopup(request); })
        .then(function (login) { return app.acquireTokenSilent({ scopes: request.scopes, account: login.account }); })
        .then(function (result) { form.elements.token.value = result.accessToken; form.submit(); })
        .catch(function (error) { alert("Microsoft sign-in failed: " + error.message); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpConfirmations();
    setUpSelection();
    setUpMenus();
    setUpSwitches();
    setUpMicrosoft();
  });
})();
