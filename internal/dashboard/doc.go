// Package dashboard is the web interface of WhatsApp Auto, served by
// internal/app.
//
// New takes its dependencies (Deps: the engine and its Store, the
// dashboard's own Store of users and settings, the chat Simulator, the
// WhatsApp manager when there is one) and returns an http.Handler with
// every page: numbers and their linking by QR or pair code, workflows and
// the YAML editor, conversations, contacts (list, edit, CSV import and
// export), exclusions, scheduled messages, logs, AI and credits,
// users, and the chat simulator. The html templates and static assets are
// embedded. Every page and message is in English and French, from the
// catalogues web/i18n/en.json and fr.json: the language is the user's
// choice (a switch kept in a cookie), else the browser's Accept-Language.
// Every page needs a login (argon2id passwords, in-memory
// sessions behind an HttpOnly SameSite=Strict cookie, failed logins
// throttled per address and per user); linking numbers needs an admin;
// cross-origin state changes are refused.
package dashboard
