// Package lint finds mistakes in a set of workflows before they run:
// workflows that can never fire, parts of conditions that are dead, two
// workflows answering the same message, weekly times the in-hours and
// out-of-hours workflows leave unanswered, unused named hours and
// templates, unsigned webhooks, and (with Options from the product) an
// ai_reply with no model or a workflow scoped to a number that does not
// exist. Check returns Findings with the file position of the workflow or
// condition concerned.
//
// # Method
//
// Each condition tree is turned into a formula in negation normal form over
// atoms: one atom per distinct proposition, e.g. `text contains "prix"`
// (operand folded as the engine folds it), `labels has vip`,
// `message_count >= 3`. Leaves that are combinations become combinations
// of atoms: not_contains is the negation of contains, has_any an or of has
// atoms, `length lt 5` the negation of `length >= 5`, `eq 3` the and of
// `>= 3` and not `>= 4`.
//
// A formula is decided by case analysis (a small DPLL search): split on an
// atom, true then false, simplify, and after each split ask a theory
// whether the literals of the split atom's field can still hold together:
//
//   - text (folded, and exact separately): an equals fixes the text and
//     decides contains, starts_with, ends_with, equals and matches on it
//     (an exact equals with surrounding space is never true: the text is
//     trimmed);
//     otherwise a negated contains/starts_with/ends_with implied by a
//     positive one (a substring of a contained operand, a prefix of the
//     starts_with operand, ...), two incompatible starts_with (or
//     ends_with), and a pattern that matches no text are contradictions.
//     A pattern matches no folded text when a mandatory character is upper
//     case or accented (the folded text has neither), or when `$` comes
//     before, or `^` after, a mandatory character;
//   - phone, message type, agent: one value at most; an agent id implies
//     assigned;
//   - message_count (at least 1: the message itself), length (at least 0),
//     since_last_reply (no reply yet counts as +infinity): an integer
//     interval that must not be empty;
//   - schedule windows and named hours: each is evaluated over the whole
//     year 2026 at every instant where some window may change value (each
//     clock time the windows name and midnight, in each zone, and every
//     daylight-saving change), so every weekday and time in every
//     daylight-saving regime is seen. Closed dates belong to particular
//     years, so hours with closed dates are taken as possibly false at
//     any time.
//   - labels are independent of each other; cel and expr expressions are
//     opaque atoms (two identical sources are the same atom).
//
// Every theory rule is a fact about the engine's evaluation, so a formula
// found unsatisfiable is certainly false on every message: findings that
// say "never" are sound. The converse does not hold: the theories are
// incomplete (a regular expression against a contains, word: true
// against other text atoms, length against the text, an expression
// against anything are taken as independent) and a search is cut after
// 20,000 splits; both make the analysis miss problems, never invent one.
//
// Unreachable: workflow W never runs when W and not S1 and ... and not Sn
// is unsatisfiable, where S1..Sn are the workflows evaluated before W that
// certainly fire and stop when they match: enabled, live, stop: true, no
// cooldown, a trigger that fires on W's events, the same or all numbers,
// groups allowed when W allows them, and no raw expression (an expression
// can fail to evaluate at run time, and a failed workflow does not stop
// the others).
//
// Overlaps are shown, not deduced: a satisfying assignment of A and B and
// not S (each stop workflow before B) is turned into a message and a
// conversation the store can produce (a new contact's first message has no
// earlier message, reply, agent or label), which is run through
// Options.Compiler the way the engine runs workflows; only a pair that both
// fire on it is reported, with the message as Example. A pair whose
// example the construction cannot find (a pattern to match, word: true,
// an expression) is not reported.
//
// Schedule gaps: among the enabled live workflows of one trigger and
// number, when at least two have a time part (the conditions when they
// only test the time, else the time-only children of a top-level all) and
// one is out-of-hours shaped (a not over a schedule, a window past
// midnight, or the out_of_hours template), the weekly times at which no
// time part holds are reported in the account's zone.
//
// # Limits
//
// The analysis assumes each message is evaluated once and the store
// answers. A failing store, a cooldown or loop breaker skipping a workflow
// and failing actions can only make a workflow fire less. An evaluation
// run again after a crash or a store error resumes the firings it began
// and skips the finished ones, still honouring their stop, so it fires the
// same workflows. Schedule gaps are weekly: closed dates are left
// aside. The year of daylight-saving rules is 2026's.
//
// TestPropertyNeverFires holds every "never" finding on random rule sets
// (condition/conditiontest's generator) to 10,000 random messages through
// the real engine; TestSolverAgreesWithReference holds the solver to the
// reference evaluator; TestPropertyOverlapsReplay replays every overlap's
// example through the engine.
package lint
