/* /dev/outlook-preview (demo only): the host the stand-in Office object reads its state from.
 *
 * window.outlookPreview is what office-standin.js finds through window.parent. Applying the
 * recipients fires RecipientsChanged in the pane (Mailbox 1.7+) and runs the event-based handler
 * (OnMessageRecipientsChanged: Mailbox 1.11+), whose information bar is shown above the pane.
 * Single sign-on goes through the stand-in's nested app authentication bridge (as Outlook offers it to
 * MSAL.js), or Office.auth.getAccessToken only, or neither (the sign-in dialog), as chosen.
 */
(function () {
  "use strict";

  var reps = JSON.parse(document.getElementById("preview-reps").textContent);
  var PANE_TOKEN_KEY = "sequence-sidebar.pane-token";
  var NO_SSO = "no-sso";

  function $(id) { return document.getElementById(id); }

  function parsePeople(text) {
    return text.split(/[\n;,]+/).map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
      var match = line.match(/^(.*)<([^>]+)>$/);
      if (match) return { displayName: match[1].trim().replace(/^"|"$/g, ""), emailAddress: match[2].trim() };
      return { displayName: "", emailAddress: line };
    });
  }

  var attached = [];
  var actions = {};
  var infoBars = {};

  var host = {
    mode: "compose",
    recipients: { to: [], cc: [], bcc: [] },
    from: null,
    supports: { Mailbox: "1.11", NestedAppAuth: "1.1" },
    identity: reps.length ? reps[0].id : NO_SSO,
    authRoute: "naa",
    customToken: null,
    naaFailure: null,
    naaRequests: 0,
    getAccessTokenCallers: [],
    opened: [],
    launchEvents: 0,
    launchEventsCompleted: 0,
    accessToken: function () {
      if (host.customToken) return { token: host.customToken };
      var rep = reps.filter(function (r) { return r.id === host.identity; })[0];
      if (rep) return { token: rep.token };
      return { error: { code: 13003, message: "SSO is not supported for this identity type." } };
    },
    // What Outlook's NAA bridge would answer MSAL.js: the rep's token, or a bridge error.
    naaToken: function () {
      if (host.naaFailure) return { error: { status: host.naaFailure, code: "standin_failure" } };
      var rep = reps.filter(function (r) { return r.id === host.identity; })[0];
      var user = rep ? { email: rep.email, name: rep.name } : {};
      if (host.customToken) return { token: host.customToken, user: user };
      if (rep) return { token: rep.token, user: user };
      return { error: { status: "ACCOUNT_UNAVAILABLE", code: "no_account" } };
    },
    attach: function (instance) { attached.push(instance); },
    associate: function (name, fn) { actions[name] = fn; },
    showInfoBar: function (key, details) { infoBars[key] = details.message; renderInfoBar(); },
    removeInfoBar: function (key) { delete infoBars[key]; renderInfoBar(); },
    openBrowserWindow: function (url) {
      host.opened.push(url);
      $("opened-url").textContent = "The pane asked Outlook to open " + url;
    },
    // For tests: sign the pane in with any bearer token (an SSO token minted by the test).
    setAccessToken: function (token) { host.customToken = token; clearPaneToken(); },
    applyRecipients: applyRecipients,
    reloadPane: reloadPane,
  };
  window.outlookPreview = host;

  function renderInfoBar() {
    var bar = $("info-bar");
    var messages = Object.keys(infoBars).map(function (k) { return infoBars[k]; });
    bar.textContent = messages.join(" \u2022 ");
    bar.hidden = messages.length === 0;
  }

  function readControls() {
    host.mode = $("mode").value;
    var from = parsePeople($("from-field").value);
    host.from = from.length ? from[0] : null;
    host.recipients = {
      to: parsePeople($("to-field").value),
      cc: parsePeople($("cc-field").value),
      bcc: host.mode === "compose" ? parsePeople($("bcc-field").value) : [],
    };
    host.authRoute = $("auth-route").value;
    host.supports = { Mailbox: $("client").value };
    // Only clients that offer nested app authentication have the bridge (requirement set NestedAppAuth 1.1).
    if (host.authRoute === "naa") host.supports.NestedAppAuth = "1.1";
  }

  function supports(version) {
    var have = host.supports.Mailbox.split(".").map(Number);
    var want = version.split(".").map(Number);
    return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
  }

  function runLaunchEvent() {
    var handler = actions.onRecipientsChangedHandler;
    if (!handler || !supports("1.11") || host.mode !== "compose") return;
    host.launchEvents += 1;
    // Tests wait for completed === launchEvents: every event handed to the runtime has finished.
    handler({ type: "olkRecipientsChanged", completed: function () { host.launchEventsCompleted += 1; } });
  }

  function applyRecipients() {
    readControls();
    if (supports("1.7") && host.mode === "compose") {
      attached.forEach(function (instance) { instance.emit("olkRecipientsChanged", { changedRecipientFields: {} }); });
    }
    runLaunchEvent();
  }

  function signedInRep() {
    return reps.filter(function (r) { return r.id === host.identity; })[0] || reps[0] || null;
  }

  function clearPaneToken() {
    try { window.sessionStorage.removeItem(PANE_TOKEN_KEY); } catch (e) { /* blocked storage */ }
  }

  function reloadPane() {
    readControls();
    var rep = signedInRep();
    host.userEmail = rep ? rep.email : "";
    host.userName = rep ? rep.name : "";
    attached = [];
    actions = {};
    infoBars = {};
    host.naaRequests = 0;
    host.getAccessTokenCallers = [];
    renderInfoBar();
    $("pane-frame").src = "/outlook/taskpane?host=preview";
    if (supports("1.11") && host.mode === "compose") {
      $("events-frame").src = "/outlook/events?host=preview";
      $("events-frame").addEventListener("load", runLaunchEvent, { once: true });
    } else {
      $("events-frame").src = "about:blank";
    }
  }

  function fillIdentities() {
    var select = $("identity");
    reps.forEach(function (rep) {
      var option = document.createElement("option");
      option.value = rep.id;
      option.textContent = rep.name + " <" + rep.email + "> (stand-in SSO token)";
      select.appendChild(option);
    });
    var none = document.createElement("option");
    none.value = NO_SSO;
    none.textContent = "SSO unavailable: sign in through the dialog";
    select.appendChild(none);
    select.value = host.identity;
  }

  fillIdentities();
  $("apply").addEventListener("click", applyRecipients);
  $("reload").addEventListener("click", reloadPane);
  $("identity").addEventListener("change", function () {
    host.identity = $("identity").value;
    host.customToken = null;
    clearPaneToken();
    reloadPane();
  });
  ["mode", "client", "auth-route"].forEach(function (id) { $(id).addEventListener("change", reloadPane); });
  clearPaneToken();
  reloadPane();
})();
