package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/workflow"
)

// Dashboard users are the shop's agents: an admin (links numbers, manages
// users and settings) or an agent. Conversations are assigned to them, by
// hand or by a workflow's assign action, which may only name users that
// exist; deleting a user asks what becomes of its conversations. A user is
// active or away: round robin and least busy choose among the active ones
// (Store.ActiveAgents is the engine's workflow.AgentDirectory); an admin
// sets anyone's state, an agent its own.

// awayRow marks the user Name away since Since (Unix ns); no row: active.
type awayRow struct {
	bun.BaseModel `bun:"table:waauto_dashboard_away"`
	Name          string `bun:"name,pk"`
	Since         int64  `bun:"since,notnull"`
}

// Away returns the names of the users marked away.
func (s *Store) Away(ctx context.Context) (map[string]bool, error) {
	var rows []awayRow
	if err := s.db.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("away agents: %w", err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.Name] = true
	}
	return out, nil
}

// SetAway marks the user name away, or active again.
func (s *Store) SetAway(ctx context.Context, name string, away bool) error {
	var err error
	if away {
		_, err = s.db.NewInsert().Model(&awayRow{Name: name, Since: time.Now().UnixNano()}).On("CONFLICT (name) DO NOTHING").Exec(ctx)
	} else {
		_, err = s.db.NewDelete().Model((*awayRow)(nil)).Where("name = ?", name).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("set %s away=%v: %w", name, away, err)
	}
	return nil
}

// ActiveAgents returns those of agents who are dashboard users and not
// away, in the given order: the engine's workflow.AgentDirectory.
func (s *Store) ActiveAgents(ctx context.Context, agents []string) ([]string, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("active agents: %w", err)
	}
	away, err := s.Away(ctx)
	if err != nil {
		return nil, err
	}
	exists := make(map[string]bool, len(users))
	for _, u := range users {
		exists[u.Name] = true
	}
	out := []string{}
	for _, a := range agents {
		if exists[a] && !away[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

var _ workflow.AgentDirectory = (*Store)(nil)

// The roles of dashboard users.
var roles = []string{"admin", "agent"}

// Role is "admin" or "agent".
func (u User) Role() string {
	if u.Admin {
		return roles[0]
	}
	return roles[1]
}

// deleteUser removes the user named name and its away mark.
func (s *Store) deleteUser(ctx context.Context, name string) error {
	if _, err := s.db.NewDelete().Model((*User)(nil)).Where("name = ?", name).Exec(ctx); err != nil {
		return err
	}
	return s.SetAway(ctx, name, false)
}

// userAway sets a user away (state=away) or active (state=active): an
// admin anyone's, an agent only its own.
func (d *Dashboard) userAway(w http.ResponseWriter, r *http.Request) {
	name, me := r.PathValue("name"), userOf(r)
	if name != me.User && !me.Admin {
		http.Error(w, d.t(r, "agents.err.others_state"), http.StatusForbidden)
		return
	}
	if _, err := d.dash.User(r.Context(), name); errors.Is(err, errNoUser) {
		http.Error(w, d.t(r, "agents.err.not_found", name), http.StatusNotFound)
		return
	}
	state := r.FormValue("state")
	if state != "away" && state != "active" {
		d.bad(w, r, "/settings", "agents.err.state", state)
		return
	}
	if err := d.dash.SetAway(r.Context(), name, state == "away"); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "agent state", "user", name, "state", state, "by", me.User)
	if state == "away" {
		d.ok(w, r, "/settings", "agents.now_away", name)
		return
	}
	d.ok(w, r, "/settings", "agents.now_active", name)
}

// checkAgents refuses assign actions naming agents that are not dashboard
// users, in the shop's language.
func (d *Dashboard) checkAgents(ctx context.Context, file string, defs workflow.Definitions) error {
	users, err := d.dash.Users(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, u := range users {
		known[u.Name] = true
	}
	tr := d.tr[d.settings().Lang]
	var errs workflow.LoadErrors
	for _, w := range defs.Workflows {
		for i, st := range w.Actions {
			a, ok := st.Action.(*action.Assign)
			if !ok {
				continue
			}
			for _, name := range append([]string{a.Agent}, a.Agents...) {
				if name != "" && !known[name] {
					errs = append(errs, &workflow.LoadError{File: file, Path: fmt.Sprintf("%s: actions[%d].assign", w.Name, i),
						Msg: tr.T("agents.err.unknown", name)})
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// userDeletePage asks what becomes of the conversations assigned to the
// user before deleting it.
func (d *Dashboard) userDeletePage(w http.ResponseWriter, r *http.Request) {
	d.showUserDelete(w, r, http.StatusOK, nil)
}

func (d *Dashboard) showUserDelete(w http.ResponseWriter, r *http.Request, status int, err error) {
	name := r.PathValue("name")
	u, uerr := d.dash.User(r.Context(), name)
	if errors.Is(uerr, errNoUser) {
		http.Error(w, d.t(r, "agents.err.not_found", name), http.StatusNotFound)
		return
	}
	users, lerr := d.dash.Users(r.Context())
	open, cerr := d.store.OpenConversations(r.Context(), []string{name})
	if e := errors.Join(uerr, lerr, cerr); e != nil {
		d.fail(w, r, e)
		return
	}
	var others []User
	for _, o := range users {
		if o.Name != name {
			others = append(others, o)
		}
	}
	d.renderError(w, r, status, "userdelete", map[string]any{"User": u, "Open": open[name], "Others": others, "Then": r.FormValue("then"), "To": r.FormValue("to")}, err)
}

// userDelete reassigns (then=reassign, to=NAME) or unassigns
// (then=unassign) the user's conversations, then deletes the user and ends
// its sessions. An admin cannot delete itself.
func (d *Dashboard) userDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == userOf(r).User {
		d.showUserDelete(w, r, http.StatusBadRequest, errors.New(d.t(r, "agents.err.self")))
		return
	}
	if _, err := d.dash.User(r.Context(), name); errors.Is(err, errNoUser) {
		http.Error(w, d.t(r, "agents.err.not_found", name), http.StatusNotFound)
		return
	}
	to := ""
	switch r.FormValue("then") {
	case "reassign":
		to = strings.TrimSpace(r.FormValue("to"))
		if _, err := d.dash.User(r.Context(), to); to == name || errors.Is(err, errNoUser) {
			d.showUserDelete(w, r, http.StatusBadRequest, errors.New(d.t(r, "agents.err.to", to)))
			return
		}
	case "unassign":
	default:
		d.showUserDelete(w, r, http.StatusBadRequest, errors.New(d.t(r, "agents.err.choose")))
		return
	}
	moved, err := d.moveConversations(r.Context(), name, to)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if err := d.dash.deleteUser(r.Context(), name); err != nil {
		d.fail(w, r, err)
		return
	}
	if err := d.dash.EndSessions(r.Context(), name); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "dashboard user deleted", "user", name, "conversations", moved, "reassigned_to", to, "by", userOf(r).User)
	if to == "" {
		d.ok(w, r, "/settings", "agents.deleted_unassigned", name, moved)
		return
	}
	d.ok(w, r, "/settings", "agents.deleted_reassigned", name, moved, to)
}

// moveConversations assigns every conversation of agent from to to ("":
// unassigned) and returns how many there were.
func (d *Dashboard) moveConversations(ctx context.Context, from, to string) (int, error) {
	n := 0
	for {
		page, err := d.store.ListConversations(ctx, workflow.ConversationQuery{Agent: &from, Limit: 500})
		if err != nil || len(page.Rows) == 0 {
			return n, err
		}
		for _, c := range page.Rows {
			if err := d.engine.Assign(ctx, c.Session, c.Phone, to); err != nil {
				return n, err
			}
			n++
		}
	}
}
