// Package whatsmeow is the WhatsApp transport of the engine over
// go.mau.fi/whatsmeow: it links numbers (QR code or phone pair code), keeps
// several of them connected in one process, hands every incoming message to
// a workflow.Inbox before acknowledging it to WhatsApp, and implements
// workflow.Transport for replies.
//
// The adapter talks to *whatsmeow.Client only through the narrow Client
// interface so that tests can fake the socket. Classify is the one pure
// function that decides what an incoming events.Message becomes: a customer
// message, an own (agent) message, or an ignored one with a reason.
//
// Session keys live in whatsmeow's sqlstore, by default in its own SQLite
// file created with mode 0600 and foreign keys on (see OpenSQLite). Key
// material, QR codes and pair codes are never logged.
//
// SessionStatuses is the StatusSink that keeps the engine's sessions in step
// with the Manager (connected, disconnected, deleted) and holds the sends
// of a banned or logged-out number until it connects again.
package whatsmeow
