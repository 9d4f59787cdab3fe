// Package trigger defines the events that start workflows — an incoming
// customer message, a new contact — and the Trigger interface that decides
// which workflows an event concerns.
package trigger
