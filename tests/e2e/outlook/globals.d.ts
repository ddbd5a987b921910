// What the Outlook pages find on window besides Office.js (whose types come from @types/office-js).
// MSAL.js is served as its UMD bundle (static/outlook/vendor/msal-browser.min.js): the global `msal`.
declare global {
  interface Window {
    msal: typeof import("@azure/msal-browser");
  }
  // The event-based runtime carries the same bundle inline: `msal` as a global of the script.
  const msal: typeof import("@azure/msal-browser");
}
export {};
