// Package memstore is the reference in-memory workflow.Store: every method
// follows the contract in workflow/store.go, checked by workflow/storetest.
// It suits tests, examples and the chat simulator; nothing survives a restart.
package memstore
