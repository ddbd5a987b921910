/* The information bar that names a draft's enrolled recipients above the message.
 *
 * Shared by the event-based runtime (/outlook/events.js carries this file, since classic Outlook on
 * Windows runs that one script alone) and the task pane, which updates the bar after an unenrollment
 * so it never names a contact who has left. Outlook refuses messages longer than 150 characters.
 */
/* exported SequenceSidebarInfoBar */
var SequenceSidebarInfoBar = (function () {
  "use strict";

  var KEY = "sequenceSidebarEnrolled";
  var MAX_CHARS = 150;

  /** @param {Array<any>} recipients lookup entries @returns {Array<any>} those in an open enrollment */
  function enrolledOf(recipients) {
    return (recipients || []).filter(function (entry) {
      return !!entry.enrollment && (entry.enrollment.status === "active" || entry.enrollment.status === "paused");
    });
  }

  /** @param {Array<any>} enrolled @returns {string} */
  function text(enrolled) {
    var names = enrolled.map(function (entry) {
      var name = (entry.contact && entry.contact.name) || entry.email;
      var sequence = entry.enrollment.sequence && entry.enrollment.sequence.name;
      return sequence ? name + " (" + sequence + ")" : name;
    });
    var words = "Enrolled in a sequence: " + names.join(", ");
    return words.length <= MAX_CHARS ? words : words.slice(0, MAX_CHARS - 1) + "\u2026";
  }

  /**
   * Show the bar for the enrolled ones among `recipients`, or remove it when there are none.
   * @param {Office.MessageCompose | Office.MessageRead | undefined} item Office.context.mailbox.item (typed,
   *   so that tsc --checkJs catches a misspelt call on its notification messages)
   * @param {Array<any>} recipients lookup entries
   * @returns {Promise<void>}
   */
  function update(item, recipients) {
    var enrolled = enrolledOf(recipients);
    return new Promise(function (resolve) {
      var messages = item && item.notificationMessages;
      if (!messages) { resolve(); return; }
      if (!enrolled.length) {
        messages.removeAsync(KEY, function () { resolve(); });
        return;
      }
      messages.replaceAsync(KEY, {
        type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
        message: text(enrolled),
        icon: "Icon.16x16",
        persistent: false,
      }, function () { resolve(); });
    });
  }

  return { key: KEY, enrolledOf: enrolledOf, text: text, update: update };
})();
