// Package app assembles the WhatsApp Auto product and runs its commands.
//
// Run is the whole command line of the waauto binary: `serve` (the
// default) opens the store (SQLite file or PostgreSQL), the dashboard's
// users, the engine with its condition compiler, AI responder, credits and
// job queue (River in the same database, or --queue memory), the WhatsApp
// numbers (whatsmeow key store, pacing, session statuses, one instance per
// number through PostgreSQL leases) and serves internal/dashboard; `test`
// runs scenario files with both condition backends; `validate` checks
// workflow files; `replay` plays the database's recorded messages through a
// draft rule set (workflow/replay), reading only. Flags and environment variables are read here, so the
// binary's main only passes os.Args and exits with the code.
package app
