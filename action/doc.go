// Package action defines what a workflow does when it fires: the Action
// interface, middleware, the Registry of named actions (preloaded with the
// built-ins reply, ai_reply, assign, label and webhook) and the Runtime an
// engine gives actions to act on a conversation.
package action
