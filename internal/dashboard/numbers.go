package dashboard

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/workflow"
)

// numberRow is one line of the Numbers page.
type numberRow struct {
	workflow.Session
	Virtual bool
	Linking bool
	Modules []moduleState
}

type moduleState struct {
	Name string
	On   bool
}

var allModules = []workflow.Module{workflow.ModuleWorkflows, workflow.ModuleAI, workflow.ModuleScheduled}

// sessionID is what a number id may be: it ends up in URLs and logs.
var sessionID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func (d *Dashboard) numbersPage(w http.ResponseWriter, r *http.Request) {
	list, err := d.store.ListSessions(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	var rows []numberRow
	deleted := 0
	for _, s := range list {
		if s.Status == workflow.SessionDeleted {
			deleted++
			continue
		}
		row := numberRow{Session: s, Virtual: s.ID == SimulatorSession}
		if d.links != nil {
			st, known := d.links.state(s.ID)
			row.Linking = known && !st.done && s.Status != workflow.SessionConnected
		}
		for _, m := range allModules {
			row.Modules = append(row.Modules, moduleState{Name: string(m), On: s.Enabled(m)})
		}
		rows = append(rows, row)
	}
	d.render(w, r, http.StatusOK, "numbers", map[string]any{
		"Numbers": rows, "Deleted": deleted, "WhatsApp": d.wa != nil, "AIWarnings": d.aiNumberWarnings(r, list),
	})
}

// number reads the session named in the path; it writes 404 itself.
func (d *Dashboard) number(w http.ResponseWriter, r *http.Request) (workflow.Session, bool) {
	s, err := d.store.Session(r.Context(), r.PathValue("id"))
	if errors.Is(err, workflow.ErrNotFound) || (err == nil && s.Status == workflow.SessionDeleted) {
		http.Error(w, d.t(r, "numbers.err.not_found"), http.StatusNotFound)
		return s, false
	}
	if err != nil {
		d.fail(w, r, err)
		return s, false
	}
	return s, true
}

func (d *Dashboard) numberAdd(w http.ResponseWriter, r *http.Request) {
	id, err := parseNumberID(r.FormValue("id"))
	if err != nil {
		d.badForm(w, r, "/numbers", err)
		return
	}
	label := strings.TrimSpace(r.FormValue("label"))
	if _, err := d.store.Session(r.Context(), id); err == nil {
		d.bad(w, r, "/numbers", "numbers.err.exists", id)
		return
	}
	// A number starts disconnected until WhatsApp says it is connected.
	if err := d.engine.PutSession(r.Context(), workflow.Session{ID: id, Label: cmp.Or(label, id), Status: workflow.SessionDisconnected}); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/numbers", "numbers.added", id)
}

func (d *Dashboard) numberLabel(w http.ResponseWriter, r *http.Request) {
	s, ok := d.number(w, r)
	if !ok {
		return
	}
	s.Label = strings.TrimSpace(r.FormValue("label"))
	if err := d.engine.PutSession(r.Context(), s); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/numbers", "numbers.label_saved")
}

func (d *Dashboard) numberModules(w http.ResponseWriter, r *http.Request) {
	s, ok := d.number(w, r)
	if !ok {
		return
	}
	if err := d.engine.SetModules(r.Context(), s.ID, parseModules(r.PostForm)); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/numbers", "numbers.modules_saved", s.ID)
}

// linkable reads a real (not virtual) number for the WhatsApp actions.
func (d *Dashboard) linkable(w http.ResponseWriter, r *http.Request) (workflow.Session, bool) {
	if d.wa == nil {
		http.Error(w, d.t(r, "numbers.err.no_whatsapp"), http.StatusConflict)
		return workflow.Session{}, false
	}
	s, ok := d.number(w, r)
	if ok && s.ID == SimulatorSession {
		http.Error(w, d.t(r, "numbers.err.virtual"), http.StatusBadRequest)
		return s, false
	}
	return s, ok
}

func (d *Dashboard) numberLinkQR(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	if err := d.links.startQR(d.bg, s.ID); err != nil {
		redirectWith(w, r, "/numbers", "err", d.linkFailure(r, s.ID, err))
		return
	}
	http.Redirect(w, r, "/numbers/"+s.ID+"/link", http.StatusSeeOther)
}

func (d *Dashboard) numberLinkPage(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	d.render(w, r, http.StatusOK, "link", map[string]any{"Number": s, "PairCode": ""})
}

// numberQR serves the current linking code as a PNG: 404 when there is
// none (linking ended or not started).
func (d *Dashboard) numberQR(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	st, _ := d.links.state(s.ID)
	code := st.code
	if code == "" {
		http.Error(w, d.t(r, "link.err.no_qr"), http.StatusNotFound)
		return
	}
	png, err := wa.QRPNG(code, 320)
	if err != nil {
		d.fail(w, r, errors.New("rendering the QR code failed")) // never log the code
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

// numberLinkStatus tells the link page when to stop refreshing.
func (d *Dashboard) numberLinkStatus(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	st, known := d.links.state(s.ID)
	writeJSON(w, http.StatusOK, map[string]any{
		"status": s.Status, "connected": s.Status == workflow.SessionConnected,
		"qr": st.code != "", "seq": st.seq, "expires_in": st.expiresIn(time.Now()), "ended": st.done || !known,
	})
}

func (d *Dashboard) numberPair(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	phone, err := d.phone(r, "common.phone", r.FormValue("phone"))
	if err != nil {
		d.renderError(w, r, http.StatusBadRequest, "link", map[string]any{"Number": s, "Phone": r.FormValue("phone")}, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	d.wa.Stop(s.ID) // a running QR link of the same number gives way
	code, err := d.wa.LinkPhone(context.WithoutCancel(ctx), s.ID, strings.TrimPrefix(phone, "+"), wa.SessionOptions{})
	if err != nil {
		d.renderError(w, r, http.StatusBadGateway, "link", map[string]any{"Number": s, "Phone": r.FormValue("phone")}, errors.New(d.linkFailure(r, s.ID, err)))
		return
	}
	d.render(w, r, http.StatusOK, "link", map[string]any{"Number": s, "PairCode": code, "Phone": r.FormValue("phone")})
}

// numberReconnect restarts a linked number, or shows a new QR code when
// its keys are gone.
func (d *Dashboard) numberReconnect(w http.ResponseWriter, r *http.Request) {
	s, ok := d.linkable(w, r)
	if !ok {
		return
	}
	d.wa.Stop(s.ID)
	err := d.wa.Start(d.bg, s.ID, wa.SessionOptions{})
	if errors.Is(err, wa.ErrNotPaired) || errors.Is(err, wa.ErrNoDevice) {
		d.numberLinkQR(w, r)
		return
	}
	if err != nil {
		redirectWith(w, r, "/numbers", "err", d.linkFailure(r, s.ID, err))
		return
	}
	d.ok(w, r, "/numbers", "numbers.reconnecting", s.ID)
}

// numberDelete logs the number out, removes its keys and deletes it: its
// workflows become global and its pending scheduled messages fail.
func (d *Dashboard) numberDelete(w http.ResponseWriter, r *http.Request) {
	s, ok := d.number(w, r)
	if !ok {
		return
	}
	if s.ID == SimulatorSession {
		http.Error(w, d.t(r, "numbers.err.virtual"), http.StatusBadRequest)
		return
	}
	if d.wa != nil {
		if err := d.wa.Delete(r.Context(), s.ID); err != nil && !errors.Is(err, wa.ErrNoDevice) {
			d.log.WarnContext(r.Context(), "whatsapp logout failed", "session", s.ID, "err", err)
		}
		if d.release != nil {
			d.release(s.ID)
		}
	}
	if err := d.engine.DeleteSession(r.Context(), s.ID); err != nil && !errors.Is(err, workflow.ErrConflict) {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/numbers", "numbers.deleted", s.ID)
}
