/* A stand-in for Office.js (Outlook), for /dev/outlook-preview and the browser tests only.
 *
 * It implements the small part of the Mailbox API the add-in uses, with the same shapes and
 * callback conventions (asyncResult.status / .value), and takes its state from the preview page
 * that hosts it (window.parent.outlookPreview, or window.opener's for the sign-in dialog). Production
 * pages load Office.js from Microsoft's CDN instead; this file is never served to Outlook.
 *
 * Like Outlook, it offers MSAL.js the nested app authentication bridge (window.nestedAppAuthBridge:
 * JSON messages NestedAppAuthRequest -> NestedAppAuthResponse, as @azure/msal-browser's BridgeProxy
 * speaks them) when the host says it supports NestedAppAuth 1.1; the token it hands out is the one
 * the preview chose for the signed-in rep.
 */
(function () {
  "use strict";

  function findHost() {
    var candidates = [];
    try { if (window.parent && window.parent !== window) candidates.push(window.parent); } catch (e) { /* cross-origin */ }
    try { if (window.opener) candidates.push(window.opener); } catch (e) { /* cross-origin */ }
    for (var i = 0; i < candidates.length; i += 1) {
      try {
        if (candidates[i].outlookPreview) return candidates[i].outlookPreview;
        // The dialog's opener is the pane frame; its parent is the preview page.
        if (candidates[i].parent && candidates[i].parent.outlookPreview) return candidates[i].parent.outlookPreview;
      } catch (e) { /* cross-origin */ }
    }
    return window.outlookStandInHost || {
      mode: "compose", recipients: { to: [], cc: [], bcc: [] }, from: null, supports: { Mailbox: "1.11" },
      accessToken: function () { return { error: { code: 13003, message: "SSO is not supported here." } }; },
      naaToken: function () { return { error: { status: "ACCOUNT_UNAVAILABLE", code: "no_account" } }; },
    };
  }

  var host = findHost();
  var Succeeded = "succeeded";
  var Failed = "failed";

  function atLeast(have, want) {
    var a = String(have || "0").split(".").map(Number);
    var b = String(want || "0").split(".").map(Number);
    for (var i = 0; i < Math.max(a.length, b.length); i += 1) {
      var x = a[i] || 0;
      var y = b[i] || 0;
      if (x !== y) return x > y;
    }
    return true;
  }

  function later(fn) { window.setTimeout(fn, 0); }

  function callbackOf(args) {
    for (var i = args.length - 1; i >= 0; i -= 1) if (typeof args[i] === "function") return args[i];
    return function () {};
  }

  function succeeded(value) { return { status: Succeeded, value: value }; }

  function copyPeople(list) {
    return (list || []).map(function (p) {
      return { displayName: p.displayName || "", emailAddress: p.emailAddress, recipientType: "externalUser" };
    });
  }

  function recipientsField(field) {
    return {
      getAsync: function () {
        var cb = callbackOf(arguments);
        later(function () { cb(succeeded(copyPeople(host.recipients[field]))); });
      },
    };
  }

  var handlers = { item: {}, mailbox: {} };

  function addHandler(scope) {
    return function (type, handler) {
      var cb = callbackOf(Array.prototype.slice.call(arguments, 2));
      (handlers[scope][type] = handlers[scope][type] || []).push(handler);
      later(function () { cb(succeeded(undefined)); });
    };
  }

  function makeItem() {
    var item = { itemType: "message", addHandlerAsync: addHandler("item") };
    if (host.mode === "read") {
      item.from = host.from || null;
      item.to = copyPeople(host.recipients.to);
      item.cc = copyPeople(host.recipients.cc);
    } else {
      item.to = recipientsField("to");
      item.cc = recipientsField("cc");
      item.bcc = recipientsField("bcc");
    }
    item.notificationMessages = {
      replaceAsync: function (key, details) {
        var cb = callbackOf(arguments);
        if (host.showInfoBar) host.showInfoBar(key, details);
        later(function () { cb(succeeded(undefined)); });
      },
      removeAsync: function (key) {
        var cb = callbackOf(arguments);
        if (host.removeInfoBar) host.removeInfoBar(key);
        later(function () { cb(succeeded(undefined)); });
      },
    };
    return item;
  }

  var EventType = {
    RecipientsChanged: "olkRecipientsChanged",
    ItemChanged: "olkItemSelectedChanged",
    DialogMessageReceived: "dialogMessageReceived",
    DialogEventReceived: "dialogEventReceived",
  };

  var mailbox = {
    item: makeItem(),
    addHandlerAsync: addHandler("mailbox"),
    userProfile: { emailAddress: host.userEmail || "", displayName: host.userName || "" },
  };

  function openDialog(url, options) {
    var cb = callbackOf(arguments);
    var dialogHandlers = {};
    var win = window.open(url, "outlook-standin-dialog", "width=480,height=560");
    if (!win) {
      later(function () { cb({ status: Failed, error: { code: 12009, message: "The dialog was blocked." } }); });
      return;
    }
    function onMessage(event) {
      if (event.source !== win || !event.data || event.data.standInDialogMessage === undefined) return;
      (dialogHandlers[EventType.DialogMessageReceived] || []).forEach(function (h) {
        h({ message: event.data.standInDialogMessage, origin: event.origin });
      });
    }
    window.addEventListener("message", onMessage);
    var dialog = {
      addEventHandler: function (type, handler) { (dialogHandlers[type] = dialogHandlers[type] || []).push(handler); },
      close: function () { window.removeEventListener("message", onMessage); win.close(); },
    };
    later(function () { cb(succeeded(dialog)); });
  }

  /* --- the nested app authentication bridge ------------------------------------------------- */

  function b64url(text) {
    return btoa(unescape(encodeURIComponent(text))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function naaAnswer(request) {
    var base = { messageType: "NestedAppAuthResponse", requestId: request.requestId };
    if (request.method === "GetInitContext") {
      return Object.assign(base, { success: true, initContext: {
        sdkName: "outlook-standin", sdkVersion: "1.0", accountContext: null, capabilities: { queryAccount: false } } });
    }
    if (request.method !== "GetToken" && request.method !== "GetTokenPopup") {
      return Object.assign(base, { success: false, error: { status: "PERSISTENT_ERROR", code: "unsupported" } });
    }
    host.naaRequests = (host.naaRequests || 0) + 1;
    var answer = host.naaToken ? host.naaToken(request.tokenParams || {}) : null;
    if (!answer || !answer.token) {
      return Object.assign(base, { success: false,
        error: (answer && answer.error) || { status: "ACCOUNT_UNAVAILABLE", code: "no_account" } });
    }
    var now = Math.floor(Date.now() / 1000);
    var user = answer.user || {};
    var tenant = user.tid || "00000000-0000-4000-8000-0000000000aa";
    var oid = user.oid || "00000000-0000-4000-8000-0000000000bb";
    // MSAL.js reads the ID token's claims but never checks its signature: Outlook vouches for it.
    var idToken = b64url(JSON.stringify({ alg: "none", typ: "JWT" })) + "." + b64url(JSON.stringify({
      aud: (request.tokenParams || {}).clientId, iss: "https://login.microsoftonline.com/" + tenant + "/v2.0",
      iat: now, nbf: now, exp: now + 3600, oid: oid, sub: oid, tid: tenant,
      preferred_username: user.email || "", name: user.name || "" })) + ".";
    return Object.assign(base, { success: true,
      token: { access_token: answer.token, id_token: idToken, expires_in: 3600, token_type: "Bearer",
               scope: (request.tokenParams || {}).scope || "" },
      account: { homeAccountId: oid + "." + tenant, environment: "login.microsoftonline.com", tenantId: tenant,
                 localAccountId: oid, username: user.email || "", name: user.name || "" } });
  }

  var naaSupported = !!(host.supports && host.supports.NestedAppAuth);
  if (naaSupported) {
    var naaListeners = [];
    window.nestedAppAuthBridge = {
      addEventListener: function (type, listener) { if (type === "message") naaListeners.push(listener); },
      removeEventListener: function (type, listener) {
        naaListeners = naaListeners.filter(function (l) { return l !== listener; });
      },
      postMessage: function (text) {
        var request = JSON.parse(text);
        later(function () {
          var response = JSON.stringify(naaAnswer(request));
          naaListeners.forEach(function (listener) { listener(response); });
        });
      },
    };
  }

  var ready = new Promise(function (resolve) {
    var info = { host: "Outlook", platform: "OfficeOnline" };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { resolve(info); });
    else later(function () { resolve(info); });
  });

  window.Office = {
    HostType: { Outlook: "Outlook" },
    EventType: EventType,
    AsyncResultStatus: { Succeeded: Succeeded, Failed: Failed },
    MailboxEnums: { ItemNotificationMessageType: { InformationalMessage: "informationalMessage" } },
    onReady: function (cb) { return ready.then(function (info) { if (cb) cb(info); return info; }); },
    context: {
      mailbox: mailbox,
      requirements: {
        isSetSupported: function (name, version) {
          var have = host.supports && host.supports[name];
          return !!have && atLeast(have, version || "1.1");
        },
      },
      ui: {
        displayDialogAsync: openDialog,
        messageParent: function (message) {
          if (window.opener) window.opener.postMessage({ standInDialogMessage: message }, window.location.origin);
        },
        openBrowserWindow: function (url) {
          if (host.openBrowserWindow) host.openBrowserWindow(url);
          else window.open(url, "_blank", "noopener");
        },
      },
    },
    auth: {
      getAccessToken: function () {
        // Which page asked (the pane, or the event-based runtime beside it): the preview's tests tell them apart.
        (host.getAccessTokenCallers = host.getAccessTokenCallers || []).push(window.location.pathname);
        var answer = host.accessToken ? host.accessToken() : null;
        if (answer && answer.token) return Promise.resolve(answer.token);
        var error = (answer && answer.error) || { code: 13003, message: "SSO is not supported here." };
        return Promise.reject(error);
      },
    },
    actions: {
      associate: function (name, fn) { if (host.associate) host.associate(name, fn); },
    },
  };

  // The preview page drives events through this: emit("olkRecipientsChanged", {...}).
  var instance = {
    emit: function (type, args) {
      if (type === EventType.ItemChanged) {
        handlers.item = {};
        mailbox.item = makeItem();
      }
      var scope = type === EventType.ItemChanged ? "mailbox" : "item";
      (handlers[scope][type] || []).forEach(function (h) { h(Object.assign({ type: type }, args || {})); });
    },
  };
  if (host.attach) host.attach(instance);
})();
