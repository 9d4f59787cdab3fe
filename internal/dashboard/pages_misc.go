package dashboard

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// ---- Exclusions

func (d *Dashboard) exclusionsPage(w http.ResponseWriter, r *http.Request) {
	excluded := true
	list, err := d.store.ListContacts(r.Context(), workflow.ContactQuery{Excluded: &excluded, Limit: 1000})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, "exclusions", map[string]any{"Contacts": list})
}

func (d *Dashboard) exclusionsPost(w http.ResponseWriter, r *http.Request) {
	phone, err := d.phone(r, "common.phone", r.FormValue("phone"))
	if err != nil {
		redirectWith(w, r, "/exclusions", "err", err.Error())
		return
	}
	exclude := r.FormValue("op") != "include"
	if err := d.engine.Exclude(r.Context(), phone, exclude); err != nil {
		d.fail(w, r, err)
		return
	}
	if exclude {
		d.ok(w, r, "/exclusions", "excl.excluded", phone)
	} else {
		d.ok(w, r, "/exclusions", "excl.included", phone)
	}
}

// ---- Scheduled messages

var scheduleFilters = map[string][]workflow.ScheduleStatus{
	"pending": {workflow.SchedulePending, workflow.ScheduleSending},
	"sent":    {workflow.ScheduleSent},
	"failed":  {workflow.ScheduleFailed, workflow.ScheduleCancelled},
	"all":     nil,
}

// liveSessions lists the numbers that are not deleted.
func (d *Dashboard) liveSessions(r *http.Request) ([]workflow.Session, error) {
	all, err := d.store.ListSessions(r.Context())
	var out []workflow.Session
	for _, s := range all {
		if s.Status != workflow.SessionDeleted {
			out = append(out, s)
		}
	}
	return out, err
}

func (d *Dashboard) scheduledCancel(w http.ResponseWriter, r *http.Request) {
	err := d.engine.CancelScheduled(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, workflow.ErrConflict):
		d.bad(w, r, "/scheduled", "sched.err.not_pending")
	case errors.Is(err, workflow.ErrNotFound):
		http.Error(w, d.t(r, "sched.err.not_found"), http.StatusNotFound)
	case err != nil:
		d.fail(w, r, err)
	default:
		d.ok(w, r, "/scheduled", "sched.cancelled")
	}
}

// ---- Logs

func (d *Dashboard) logsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	period, from, to, err := parsePeriod(q.Get("period"), q.Get("from"), q.Get("to"), time.Now(), d.location())
	data := map[string]any{"Period": period, "From": q.Get("from"), "To": q.Get("to"), "Phone": q.Get("phone"), "Session": q.Get("session")}
	if err != nil {
		d.renderError(w, r, http.StatusBadRequest, "logs", data, d.formMessage(r, err))
		return
	}
	phone := strings.TrimSpace(q.Get("phone"))
	if phone != "" {
		if phone, err = d.phone(r, "logs.conversation_phone", phone); err != nil {
			d.renderError(w, r, http.StatusBadRequest, "logs", data, err)
			return
		}
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := d.store.QueryLogs(r.Context(), workflow.LogQuery{
		From: from, To: to, Phone: phone, Session: q.Get("session"), After: q.Get("after"), Limit: min(max(limit, 0), 200),
	})
	if err != nil {
		d.renderError(w, r, http.StatusBadRequest, "logs", data, errors.New(d.t(r, "logs.err.query", err)))
		return
	}
	if page.Next != "" {
		nq := r.URL.Query()
		nq.Set("after", page.Next)
		data["NextURL"] = "/logs?" + nq.Encode()
	}
	data["Entries"] = page.Entries
	if phone != "" && q.Get("session") != "" {
		hist, err := d.store.History(r.Context(), q.Get("session"), phone, 0, 100)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data["History"] = hist
	}
	d.render(w, r, http.StatusOK, "logs", data)
}

// ---- AI settings and credits

func (d *Dashboard) aiPage(w http.ResponseWriter, r *http.Request) {
	bal, err := d.store.CreditBalance(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	usage, err := d.aiUsage(r.Context(), d.tr[d.lang(r)])
	if err != nil {
		d.fail(w, r, err)
		return
	}
	lowBalance := ""
	if d.settings().Credits && bal < minReplyCost {
		lowBalance = d.t(r, "credits.ai.balance_low", bal, d.aiFallbackText(r))
	}
	d.render(w, r, http.StatusOK, "ai", map[string]any{
		"Usage": usage,
		"AI":    d.ai, "Prompt": d.accountPrompt(r.Context()), "Balance": bal,
		"Metered": d.settings().Credits, "CharsPerCredit": d.charsPerCredit, "LowBalance": lowBalance,
	})
}

func (d *Dashboard) aiCredits(w http.ResponseWriter, r *http.Request) {
	n, err := parseBalance(r.FormValue("balance"))
	if err != nil {
		d.badForm(w, r, "/ai", err)
		return
	}
	if err := d.store.SetCredits(r.Context(), n); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/ai", "ai.balance_set", n)
}

func (d *Dashboard) aiPrompt(w http.ResponseWriter, r *http.Request) {
	p, err := parsePrompt(r.FormValue("prompt"))
	if err != nil {
		d.badForm(w, r, "/ai", err)
		return
	}
	if err := d.dash.setSetting(r.Context(), settingPrompt, p); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/ai", "ai.prompt_saved")
}

// ---- Settings: password and users

func (d *Dashboard) settingsPage(w http.ResponseWriter, r *http.Request) {
	var users []User
	away, err := d.dash.Away(r.Context())
	if err == nil && userOf(r).Admin {
		users, err = d.dash.Users(r.Context())
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, "settings", map[string]any{"Users": users, "Away": away})
}

// MinPassword is the shortest password the dashboard accepts.
const MinPassword = 10

func (d *Dashboard) settingsPassword(w http.ResponseWriter, r *http.Request) {
	me := userOf(r)
	if _, err := d.auth.verify(r.Context(), d.clientAddr(r), me.User, r.FormValue("current")); err != nil {
		d.bad(w, r, "/settings", "settings.err.current", err)
		return
	}
	pw := r.FormValue("new")
	if len(pw) < MinPassword {
		d.bad(w, r, "/settings", "settings.err.short", MinPassword)
		return
	}
	if err := d.dash.SetUser(r.Context(), me.User, pw, me.Admin); err != nil {
		d.fail(w, r, err)
		return
	}
	if err := d.dash.EndSessions(r.Context(), me.User); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/login", "settings.password_changed")
}

func (d *Dashboard) settingsAddUser(w http.ResponseWriter, r *http.Request) {
	pw := r.FormValue("password")
	name, err := parseNewUser(r.FormValue("user"), pw)
	if err != nil {
		d.badForm(w, r, "/settings", err)
		return
	}
	if _, err := d.dash.User(r.Context(), name); err == nil {
		d.bad(w, r, "/settings", "settings.err.user_exists", name)
		return
	}
	if err := d.dash.SetUser(r.Context(), name, pw, r.FormValue("admin") != ""); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/settings", "settings.user_added", name)
}

// ---- Chat simulator

func (d *Dashboard) simulatorPage(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusOK, "simulator", map[string]any{"Workflows": len(d.engine.Workflows())})
}

// simulatorSend plays a customer message on the virtual number and returns
// the executions it caused (with their "why") and the replies so far.
func (d *Dashboard) simulatorSend(w http.ResponseWriter, r *http.Request) {
	phone, err := d.phone(r, "sim.customer_phone", cmp.Or(r.FormValue("from"), "+33600000000"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	text := r.FormValue("text")
	if strings.TrimSpace(text) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": d.t(r, "sim.err.empty")})
		return
	}
	before := d.sim.Add(SimMessage{Phone: phone, Text: text, Time: time.Now()})
	execs, err := d.engine.Handle(r.Context(), trigger.Message{
		ID: engine.NewMessageID(), Session: SimulatorSession, Phone: phone, PushName: r.FormValue("name"), Text: text, Time: time.Now(),
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	views := []execView{}
	for _, e := range execs {
		views = append(views, d.execView(r, e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"executions": views, "messages": d.sim.Since(before.Seq-1, "")})
}

// simulatorMessages returns the simulator's messages after ?after=SEQ,
// and the executions logged after the execution id ?since= (AI replies
// run later than the message that asked for them).
func (d *Dashboard) simulatorMessages(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	execs, err := d.laterExecutions(r, r.URL.Query().Get("since"))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": d.t(r, "err.internal")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": d.sim.Since(after, ""), "executions": execs})
}
