// Package action defines what a workflow does when it fires: the Action
// interface, middleware, the Registry of named actions (preloaded with the
// built-ins reply, ai_reply, assign, label and webhook) and the Runtime an
// engine gives actions to act on a conversation.
//
// Authors of custom actions import action to write and register them
// (Registry.MustRegister(name, Of(setup))) and action/actiontest to
// unit-test them; workflow files never need this package.
package action
