/* Sequence Sidebar task pane: the sequence status of each recipient of the open message.
 *
 * Reads recipients with item.to / cc / bcc getAsync in compose mode (the `to`, `cc` and `from`
 * fields in read mode), asks /api/v1/recipients/status with the rep's token, and follows
 * RecipientsChanged (Mailbox 1.7) and, when pinned, ItemChanged. getAsync only returns resolved
 * recipients and RecipientsChanged does not fire in every client, so a Refresh button is always there.
 * The token comes from nested app authentication (MSAL.js) where the client offers it, else from
 * Office.auth.getAccessToken, else from the sign-in dialog.
 * No framework and no build step: plain DOM, text only (never innerHTML with server data).
 * Type-checked with tsc --checkJs against @types/office-js (tests/web/outlook/test_outlook_scripts.py).
 */
(function () {
  "use strict";

  /**
   * @typedef {{apiBase: string, signInUrl: string, contactUrl: string, preview: boolean,
   *            naa: {clientId: string, authority: string, scope: string} | null}} PaneConfig
   * @typedef {Error & {signedOut?: boolean, status?: number}} PaneError
   */

  /** @type {PaneConfig} */
  var config = JSON.parse(element("pane-config").textContent || "{}");
  var TOKEN_KEY = "sequence-sidebar.pane-token";
  /** @type {Object<string, string>} */
  var FIELD_LABELS = { to: "To", cc: "Cc", bcc: "Bcc", from: "From" };

  var state = {
    /** @type {string | null} */
    token: null,
    /** @type {"naa" | "sso" | "pane" | null} */
    tokenKind: null,
    /** @type {Array<{email: string, displayName: string, field: string}>} */
    recipients: [],
    /** @type {Array<any> | null} */
    lookup: null,
    generation: 0,
    /** @type {string | null} */
    confirming: null,
    /** @type {ReturnType<Window["msal"]["createNestablePublicClientApplication"]> | null} MSAL.js, made once */
    naaApp: null,
    mailboxChecked: false,
    /** @type {{kind: string, actor: string, role: string, user: {id: string, name: string} | null} | null}
     * who is signed in (GET /me), learnt once per token */
    me: null,
  };

  /** @param {string} id @returns {HTMLElement} */
  function element(id) {
    var found = document.getElementById(id);
    if (!found) throw new Error("the task pane page lacks #" + id);
    return found;
  }

  var $ = element;

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {string | null} className @param {string} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /** @param {string} text */
  function announce(text) {
    var region = $("announcer");
    region.textContent = "";
    // A fresh text node is announced even when the words repeat.
    window.setTimeout(function () { region.textContent = text; }, 30);
  }

  /** @param {string} which */
  function show(which) {
    ["loading", "empty", "signed-out", "error"].forEach(function (name) {
      $("state-" + name).hidden = name !== which;
    });
    $("recipients").hidden = which !== "list";
    $("pane").setAttribute("aria-busy", which === "loading" ? "true" : "false");
  }

  /** @param {string} text */
  function showNotice(text) {
    var notice = $("notice");
    notice.textContent = text;
    notice.hidden = !text;
  }

  /* --- recipients from Office ------------------------------------------------------------ */

  /* The item is typed (not `any`) so that tsc --checkJs catches a misspelt Office.js call on it. */
  /** @typedef {Office.MessageCompose | Office.MessageRead} MailItem */
  /** @typedef {"to" | "cc" | "bcc"} ComposeField */

  /** @returns {MailItem | undefined} the open message (compose or read) */
  function currentItem() {
    return Office.context.mailbox ? /** @type {MailItem | undefined} */ (Office.context.mailbox.item) : undefined;
  }

  /** @param {MailItem | undefined} item @returns {item is Office.MessageCompose} */
  function isCompose(item) {
    return !!item && !!item.to && typeof (/** @type {Office.MessageCompose} */ (item)).to.getAsync === "function";
  }

  /** @param {Office.MessageCompose} item @param {ComposeField} field @returns {Promise<Office.EmailAddressDetails[]>} */
  function getField(item, field) {
    return new Promise(function (resolve, reject) {
      item[field].getAsync(function (/** @type {Office.AsyncResult<Office.EmailAddressDetails[]>} */ result) {
        if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value || []);
        else reject(new Error((result.error && result.error.message) || "Outlook could not read the recipients."));
      });
    });
  }

  /** @returns {Promise<Array<{email: string, displayName: string, field: string}>>} */
  function readRecipients() {
    var item = currentItem();
    if (!item) return Promise.resolve([]);
    if (isCompose(item)) {
      var draft = item;
      /** @type {ComposeField[]} */
      var all = ["to", "cc", "bcc"];
      var fields = all.filter(function (f) { return !!draft[f]; });
      return Promise.all(fields.map(function (f) { return getField(draft, f); })).then(function (lists) {
        return merge(fields.map(function (f, i) { return { field: f, people: lists[i] }; }));
      });
    }
    // Read mode: the sender and the visible recipients are plain properties.
    var read = /** @type {Office.MessageRead} */ (item);
    /** @type {Array<{field: string, people: Office.EmailAddressDetails[]}>} */
    var groups = [];
    if (read.from) groups.push({ field: "from", people: [read.from] });
    if (Array.isArray(read.to)) groups.push({ field: "to", people: read.to });
    if (Array.isArray(read.cc)) groups.push({ field: "cc", people: read.cc });
    return Promise.resolve(merge(groups));
  }

  /**
   * @param {Array<{field: string, people: Office.EmailAddressDetails[]}>} groups
   * @returns {Array<{email: string, displayName: string, field: string}>}
   */
  function merge(groups) {
    /** @type {Object<string, boolean>} */
    var seen = {};
    /** @type {Array<{email: string, displayName: string, field: string}>} */
    var out = [];
    groups.forEach(function (group) {
      group.people.forEach(function (person) {
        var email = (person.emailAddress || "").trim();
        if (!email) return;
        var key = email.toLowerCase();
        if (seen[key]) return;
        seen[key] = true;
        out.push({ email: email, displayName: person.displayName || "", field: group.field });
      });
    });
    return out;
  }

  /* --- the rep's token ------------------------------------------------------------------- */

  /** @returns {string | null} */
  function storedPaneToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  /** @param {string | null} token */
  function storePaneToken(token) {
    try {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage can be blocked; the token then lives for this page only */ }
  }

  /** @param {string} name @param {string} version */
  function supportsSet(name, version) {
    var requirements = Office.context.requirements;
    return !!(requirements && requirements.isSetSupported(name, version));
  }

  /* Nested app authentication: MSAL.js asks Outlook (the host) for a token for our API, with no
   * sign-in of its own where Outlook's account will do. Outlook on the web, Windows, Mac, iOS and
   * Android offer it (requirement set NestedAppAuth 1.1), not for Outlook.com or Gmail accounts. */
  function naaUsable() {
    return !!(config.naa && window.msal && typeof window.msal.createNestablePublicClientApplication === "function" &&
      supportsSet("NestedAppAuth", "1.1"));
  }

  /** @returns {Promise<string>} an access token for access_as_user, through the host's NAA bridge */
  function naaToken() {
    var naa = config.naa;
    if (!naa || !naaUsable()) return Promise.reject(new Error("nested app authentication is not offered here"));
    if (!state.naaApp) {
      state.naaApp = window.msal.createNestablePublicClientApplication({
        auth: { clientId: naa.clientId, authority: naa.authority },
      });
    }
    var request = { scopes: [naa.scope] };
    return state.naaApp.then(function (app) {
      return app.acquireTokenSilent(request).catch(function (/** @type {any} */ error) {
        // Consent or a second factor needed: Outlook shows its own prompt for the popup request.
        if (error instanceof window.msal.InteractionRequiredAuthError) return app.acquireTokenPopup(request);
        throw error;
      });
    }).then(function (result) {
      if (!result || !result.accessToken) throw new Error("nested app authentication gave no token");
      return result.accessToken;
    });
  }

  /** @returns {Promise<string>} a token from Office.auth.getAccessToken (the legacy SSO route) */
  function officeSsoToken() {
    if (!Office.auth || typeof Office.auth.getAccessToken !== "function") {
      return Promise.reject(signedOut("Sign in to see the sequence status of your recipients."));
    }
    return Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true })
      .catch(function (/** @type {any} */ error) {
        // 13xxx: SSO unavailable, not consented or cancelled; the dialog sign-in is the fallback.
        throw signedOut(ssoMessage(error));
      });
  }

  /**
   * @param {string} token
   * @param {"naa" | "sso" | "pane"} kind
   */
  function useToken(token, kind) {
    if (token !== state.token) state.me = null;
    state.token = token;
    state.tokenKind = kind;
    return token;
  }

  /** @returns {Promise<string>} the rep's token: NAA first, then getAccessToken, then (signed out) the dialog */
  function getToken() {
    if (state.token) return Promise.resolve(state.token);
    var pane = storedPaneToken();
    if (pane) return Promise.resolve(useToken(pane, "pane"));
    return naaToken().then(function (token) { return useToken(token, "naa"); }, function () {
      return officeSsoToken().then(function (token) { return useToken(token, "sso"); });
    });
  }

  /** @param {any} error @returns {string} */
  function ssoMessage(error) {
    var code = error && error.code;
    if (code === 13001) return "Sign in to Outlook with your work account, then sign in here.";
    if (code === 13002) return "Sign-in was cancelled. Sign in to see the sequence status of your recipients.";
    return "Sign in to see the sequence status of your recipients.";
  }

  /** @param {string} message @returns {PaneError} */
  function signedOut(message) {
    /** @type {PaneError} */
    var error = new Error(message);
    error.signedOut = true;
    return error;
  }

  function forgetToken() {
    state.token = null;
    state.tokenKind = null;
    storePaneToken(null);
  }

  function signInWithDialog() {
    var button = /** @type {HTMLButtonElement} */ ($("sign-in"));
    button.disabled = true;
    var profile = Office.context.mailbox && Office.context.mailbox.userProfile;
    var hint = profile && profile.emailAddress ? profile.emailAddress : "";
    var url = config.signInUrl + (hint ? (config.signInUrl.indexOf("?") < 0 ? "?" : "&") +
      "login_hint=" + encodeURIComponent(hint) : "");
    Office.context.ui.displayDialogAsync(url, { height: 60, width: 30, displayInIframe: false },
      function (/** @type {Office.AsyncResult<Office.Dialog>} */ opened) {
        button.disabled = false;
        if (opened.status !== Office.AsyncResultStatus.Succeeded) {
          showError("The sign-in window could not open. Allow pop-ups for Outlook and try again.");
          return;
        }
        var dialog = opened.value;
        dialog.addEventHandler(Office.EventType.DialogMessageReceived, function (/** @type {any} */ arg) {
          dialog.close();
          /** @type {{token?: string, error?: string}} */
          var message = {};
          try { message = JSON.parse(arg.message); } catch (e) { message = {}; }
          if (!message.token) {
            $("signed-out-message").textContent = message.error || "Sign-in did not complete. Try again.";
            show("signed-out");
            return;
          }
          useToken(message.token, "pane");
          storePaneToken(message.token);
          refresh();
        });
        dialog.addEventHandler(Office.EventType.DialogEventReceived, function () {
          announce("The sign-in window was closed.");
        });
      });
  }

  /* --- the API ----------------------------------------------------------------------------- */

  /**
   * What the rep reads when a request fails: the server's own words where it gave some (4xx, and a
   * 503 that says what is unavailable), never a bare status code.
   * @param {number} status @param {string | null} message @returns {string}
   */
  function failureMessage(status, message) {
    if (status === 500 || (status > 500 && !message)) {
      return "Sequence Sidebar ran into a problem and could not answer. Nothing was changed. Try again in a moment.";
    }
    if (message) return message;
    if (status === 404) return "That is no longer in Sequence Sidebar. Refresh to see the recipients again.";
    return "Sequence Sidebar could not do that. Refresh and try again.";
  }

  /** @param {string} method @param {string} path @param {any} [body] @returns {Promise<any>} the answer */
  function api(method, path, body) {
    return getToken().then(function (token) {
      /** @type {Record<string, string>} */
      var headers = { Authorization: "Bearer " + token, Accept: "application/json" };
      /** @type {RequestInit} */
      var init = { method: method, headers: headers };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(config.apiBase + path, init).catch(function () {
        throw new Error("Sequence Sidebar cannot be reached. Check your connection and try again.");
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (/** @type {any} */ data) {
          if (response.ok) return data;
          var message = (data && data.error && typeof data.error.message === "string") ? data.error.message : null;
          if (response.status === 401) {
            forgetToken();
            throw signedOut("Your sign-in was not accepted: " + (message || "it has expired.") + " Sign in again.");
          }
          /** @type {PaneError} */
          var error = new Error(failureMessage(response.status, message));
          error.status = response.status;
          throw error;
        });
      });
    });
  }

  /* --- rendering --------------------------------------------------------------------------- */

  /** @param {any} entry @returns {{label: string, tone: string}} */
  function statusOf(entry) {
    if (entry.error) return { label: "Not an email address", tone: "muted" };
    if (!entry.contact) return { label: "Not a contact", tone: "muted" };
    var enrollment = entry.enrollment;
    if (!enrollment) return { label: "Not enrolled", tone: "neutral" };
    if (enrollment.status === "paused") return { label: "Enrolled (paused)", tone: "warning" };
    return { label: "Enrolled", tone: "warning" };
  }

  /** @param {any} user @returns {string} */
  function personName(user) {
    if (!user) return "someone";
    return user.name || user.email || "someone";
  }

  function render() {
    var list = $("recipients");
    list.textContent = "";
    var results = state.lookup || [];
    results.forEach(function (entry, index) {
      list.appendChild(renderRecipient(entry, state.recipients[index] || {}));
    });
    show("list");
  }

  /** @param {any} entry @param {any} asked @returns {HTMLElement} */
  function renderRecipient(entry, asked) {
    var item = el("li", "recipient");
    var status = statusOf(entry);
    var head = el("div", "recipient__head");
    var who = el("div", "recipient__who");
    var name = (entry.contact && entry.contact.name) || asked.displayName || entry.email;
    who.appendChild(el("span", "recipient__name", name));
    if (name !== entry.email) who.appendChild(el("span", "recipient__email", entry.email));
    var company = entry.contact && entry.contact.company && entry.contact.company.name;
    if (company) who.appendChild(el("span", "recipient__company", company));
    head.appendChild(who);
    var badges = el("div", "recipient__badges");
    badges.appendChild(el("span", "badge badge--field", FIELD_LABELS[asked.field] || ""));
    badges.appendChild(el("span", "badge badge--" + status.tone, status.label));
    head.appendChild(badges);
    item.appendChild(head);

    var enrollment = entry.enrollment;
    if (enrollment && (enrollment.status === "active" || enrollment.status === "paused")) {
      item.appendChild(renderAlert(entry, name));
    } else if (entry.contact) {
      item.appendChild(renderActions(entry, null));
    }
    return item;
  }

  /** @param {any} entry @param {string} name @returns {HTMLElement} */
  function renderAlert(entry, name) {
    var enrollment = entry.enrollment;
    var alert = el("div", "alert");
    alert.setAttribute("role", "group");
    alert.setAttribute("aria-label", "Sequence enrollment of " + name);
    alert.appendChild(el("p", "alert__title", "This contact is currently enrolled in a sequence"));
    var facts = el("dl", "alert__facts");
    [["Sequence", (enrollment.sequence && enrollment.sequence.name) || "Unnamed sequence"],
     ["Step", "Step " + enrollment.current_step + " of " + enrollment.steps_total +
       (enrollment.status === "paused" ? " (paused)" : "")],
     ["Enrolled by", personName(enrollment.enrolled_by)]].forEach(function (pair) {
      facts.appendChild(el("dt", null, pair[0]));
      facts.appendChild(el("dd", null, pair[1]));
    });
    alert.appendChild(facts);
    if (state.confirming === enrollment.id) alert.appendChild(renderConfirm(entry, name));
    else alert.appendChild(renderActions(entry, name));
    return alert;
  }

  /** @param {any} entry @param {string | null} name @returns {HTMLElement} */
  function renderActions(entry, name) {
    var actions = el("div", "actions");
    if (name !== null) {
      if (entry.can_unenroll) {
        var unenroll = el("button", "button button--danger", "Unenroll from sequence");
        unenroll.type = "button";
        unenroll.setAttribute("data-action", "unenroll");
        unenroll.setAttribute("data-enrollment", entry.enrollment.id);
        unenroll.addEventListener("click", function () {
          state.confirming = entry.enrollment.id;
          render();
          var confirm = /** @type {HTMLElement | null} */ (document.querySelector("[data-action='confirm-unenroll']"));
          if (confirm) confirm.focus();
        });
        actions.appendChild(unenroll);
      } else {
        actions.appendChild(el("p", "hint",
          "Only " + personName(entry.enrollment.enrolled_by) + ", the sequence owner or an admin can unenroll this contact."));
      }
    }
    var view = el("button", "button button--quiet", "View contact");
    view.type = "button";
    view.setAttribute("data-action", "view-contact");
    view.addEventListener("click", function () { openContact(entry.contact.id); });
    actions.appendChild(view);
    return actions;
  }

  /** @param {any} entry @param {string} name @returns {HTMLElement} */
  function renderConfirm(entry, name) {
    var enrollment = entry.enrollment;
    var sequence = (enrollment.sequence && enrollment.sequence.name) || "this sequence";
    var box = el("div", "confirm");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Confirm unenrollment");
    box.appendChild(el("p", null, "Unenroll " + name + " from " + sequence + "? No further steps will run. " +
      "The history is kept."));
    var yes = el("button", "button button--danger", "Unenroll");
    yes.type = "button";
    yes.setAttribute("data-action", "confirm-unenroll");
    var no = el("button", "button", "Cancel");
    no.type = "button";
    no.setAttribute("data-action", "cancel-unenroll");
    yes.addEventListener("click", function () {
      unenroll(entry, name, sequence, /** @type {HTMLButtonElement} */ (yes));
    });
    no.addEventListener("click", cancelConfirm);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") cancelConfirm();
    });
    var row = el("div", "actions");
    row.appendChild(yes);
    row.appendChild(no);
    box.appendChild(row);
    return box;
  }

  function cancelConfirm() {
    var id = state.confirming;
    state.confirming = null;
    render();
    // Focus returns to the button that opened the confirmation.
    var opener = /** @type {HTMLElement | null} */ (
      document.querySelector("[data-action='unenroll'][data-enrollment='" + id + "']"));
    if (opener) opener.focus();
  }

  /** @param {string} contactId */
  function openContact(contactId) {
    var url = config.contactUrl.replace("{id}", encodeURIComponent(contactId));
    if (Office.context.ui && typeof Office.context.ui.openBrowserWindow === "function") {
      Office.context.ui.openBrowserWindow(url);
    } else {
      window.open(url, "_blank", "noopener");
    }
  }

  /** @param {any} enrollment */
  function isOpen(enrollment) {
    return !!enrollment && (enrollment.status === "active" || enrollment.status === "paused");
  }

  /** Who is signed in, as endings record them (`end_actor`); asked once per token. */
  function whoAmI() {
    if (state.me) return Promise.resolve(state.me);
    return api("GET", "/me").then(function (me) {
      state.me = me;
      return me;
    });
  }

  /** @param {any} entry @param {string} name @param {string} sequence @param {HTMLButtonElement} button */
  function unenroll(entry, name, sequence, button) {
    button.disabled = true;
    button.textContent = "Unenrolling…";
    var path = "/enrollments/" + encodeURIComponent(entry.enrollment.id);
    // As Gmail's add-on does: read the enrollment first, and claim the unenrollment only when this
    // rep ended it here; a contact who left meanwhile (a reply, a meeting, a colleague, another rep's
    // pane a moment before) "had already left".
    /** @type {string | null} */
    var because = null; // who or what ended it first, in words (`ended_because`)
    Promise.all([api("GET", path), whoAmI()]).then(function (found) {
      var before = found[0];
      var me = found[1];
      because = before.ended_because || null;
      if (!isOpen(before)) return false;
      return api("POST", path + "/unenroll", { surface: "outlook_addin" }).then(function (ended) {
        because = ended.ended_because || null;
        return ended.end_surface === "outlook_addin" && ended.end_reason === "manual" &&
          ended.end_actor === me.actor;
      });
    })
      .then(function (endedHere) {
        state.confirming = null;
        var text = endedHere ? name + " was unenrolled from " + sequence + "." :
          name + " had already left " + sequence +
          (because ? ": " + because.charAt(0).toLowerCase() + because.slice(1) : "") + ".";
        // Either way the enrollment is over: the information bar stops naming them now, whatever
        // the refresh below answers.
        forgetEnrollment(entry.enrollment.id);
        return lookup(text).then(function () {
          if (state.lookup === null) return; // the refresh failed; its error says what happened first
          showNotice(text);
          announce(text);
        });
      })
      .catch(function (error) {
        state.confirming = null;
        handleFailure(error);
      });
  }

  /** The pane's last lookup without the open enrollment `id` (it has just ended), and the bar with it.
   * @param {string} id */
  function forgetEnrollment(id) {
    if (!state.lookup) return;
    state.lookup = state.lookup.map(function (/** @type {any} */ entry) {
      if (!entry.enrollment || entry.enrollment.id !== id) return entry;
      return Object.assign({}, entry, { enrollment: Object.assign({}, entry.enrollment, { status: "unenrolled" }),
        can_unenroll: false });
    });
    syncInfoBar();
  }

  /** @param {string} message */
  function showError(message) {
    showNotice("");
    $("error-message").textContent = message;
    show("error");
    $("retry").focus();
  }

  /**
   * @param {any} error
   * @param {string} [done] what had already happened (an unenrollment) when this failed: said first,
   *   since the failure's own words ("Nothing was changed") would deny it.
   */
  function handleFailure(error, done) {
    if (error && error.signedOut) {
      // Nothing above the sign-in may still say it worked, nor claim who is signed in.
      showNotice("");
      $("pane-footer").hidden = true;
      $("signed-in-as").textContent = "";
      $("signed-out-message").textContent = done ? done + " " + error.message : error.message;
      show("signed-out");
      return;
    }
    if (done) {
      var why = error && error.status && error.status >= 500 ? "Try again in a moment." :
        ((error && error.message) || "Try again in a moment.");
      showError(done + " The recipients could not be reloaded. " + why);
      announce(done);
      return;
    }
    showError((error && error.message) || "Something went wrong.");
  }

  /* --- the flow ---------------------------------------------------------------------------- */

  /** @param {string} [done] what the pane has just done, for the message if this lookup fails */
  function lookup(done) {
    var generation = ++state.generation;
    if (!state.recipients.length) {
      state.lookup = [];
      show("empty");
      syncInfoBar();
      return Promise.resolve();
    }
    if (!state.lookup) show("loading");
    var emails = state.recipients.map(function (r) { return r.email; });
    return api("POST", "/recipients/status", { emails: emails }).then(function (data) {
      if (generation !== state.generation) return; // a newer refresh is on its way
      state.lookup = data.recipients || [];
      render();
      renderSignedIn();
      syncInfoBar();
    }).catch(function (error) {
      if (generation !== state.generation) return;
      state.lookup = null;
      handleFailure(error, done);
    });
  }

  function checkMailbox() {
    // Once per pane: a rep whose mailbox cannot send reads the same sentence as the API's 409.
    if (state.mailboxChecked) return;
    state.mailboxChecked = true;
    api("GET", "/me/mailbox").then(function (data) {
      var box = $("mailbox-notice");
      box.textContent = (data && data.notice) || "";
      box.hidden = !(data && data.notice);
    }).catch(function () { state.mailboxChecked = false; });
  }

  function renderSignedIn() {
    checkMailbox();
    var footer = $("pane-footer");
    footer.hidden = false;
    $("signed-in-as").textContent = state.tokenKind === "pane" ? "Signed in through the sign-in window" :
      "Signed in with Microsoft 365 single sign-on";
    footer.setAttribute("data-sign-in", state.tokenKind || "");
  }

  /* The information bar above a draft names its enrolled recipients (set by the event-based runtime);
   * after the pane changes or learns something, it must not keep naming a contact who has left. */
  function syncInfoBar() {
    var item = currentItem();
    // Only where the event-based runtime sets the bar (OnMessageRecipientsChanged, Mailbox 1.11).
    if (!item || !isCompose(item) || !state.lookup || !supports("1.11")) return;
    if (typeof SequenceSidebarInfoBar === "undefined") return;
    SequenceSidebarInfoBar.update(item, state.lookup);
  }

  function refresh() {
    showNotice("");
    return readRecipients().then(function (recipients) {
      state.recipients = recipients;
      state.lookup = null;
      return lookup();
    }).catch(function (error) {
      showError((error && error.message) || "Outlook could not read the recipients.");
    });
  }

  /** @param {string} version */
  function supports(version) {
    return supportsSet("Mailbox", version);
  }

  function followItem() {
    var item = currentItem();
    if (item && isCompose(item) && supports("1.7") && typeof item.addHandlerAsync === "function") {
      item.addHandlerAsync(Office.EventType.RecipientsChanged, function () { refresh(); });
    }
  }

  function followChanges() {
    followItem();
    // A pinned pane stays open while the rep moves between messages.
    if (supports("1.5") && typeof Office.context.mailbox.addHandlerAsync === "function") {
      Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, function () {
        state.confirming = null;
        followItem();
        refresh();
      });
    }
  }

  function start() {
    $("refresh").addEventListener("click", function () { refresh(); });
    $("retry").addEventListener("click", function () { refresh(); });
    $("sign-in").addEventListener("click", signInWithDialog);
    followChanges();
    refresh();
  }

  Office.onReady(function () { start(); });
})();
