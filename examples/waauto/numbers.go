package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/trigger"
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

var allModules = []workflow.Module{workflow.ModWorkflows, workflow.ModAI, workflow.ModScheduled}

// sessionID is what a number id may be: it ends up in URLs and logs.
var sessionID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func (a *app) numbersPage(w http.ResponseWriter, r *http.Request) {
	list, err := a.store.ListSessions(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var rows []numberRow
	deleted := 0
	for _, s := range list {
		if s.Status == workflow.Deleted {
			deleted++
			continue
		}
		row := numberRow{Session: s, Virtual: s.ID == simSession}
		if a.links != nil {
			_, done, known := a.links.state(s.ID)
			row.Linking = known && !done && s.Status != workflow.Connected
		}
		for _, m := range allModules {
			row.Modules = append(row.Modules, moduleState{Name: string(m), On: s.Enabled(m)})
		}
		rows = append(rows, row)
	}
	a.render(w, r, http.StatusOK, "numbers", "Numbers", map[string]any{
		"Numbers": rows, "Deleted": deleted, "WhatsApp": a.wa != nil,
	})
}

// number reads the session named in the path; it writes 404 itself.
func (a *app) number(w http.ResponseWriter, r *http.Request) (workflow.Session, bool) {
	s, err := a.store.Session(r.Context(), r.PathValue("id"))
	if errors.Is(err, workflow.ErrNotFound) || (err == nil && s.Status == workflow.Deleted) {
		http.Error(w, "no such number", http.StatusNotFound)
		return s, false
	}
	if err != nil {
		a.fail(w, r, err)
		return s, false
	}
	return s, true
}

func (a *app) numberAdd(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(strings.TrimSpace(r.FormValue("id")))
	label := strings.TrimSpace(r.FormValue("label"))
	if !sessionID.MatchString(id) {
		back(w, r, "/numbers", fmt.Sprintf("Number id %q: use 1 to 40 lower-case letters, digits, - or _", id))
		return
	}
	if _, err := a.store.Session(r.Context(), id); err == nil {
		back(w, r, "/numbers", fmt.Sprintf("Number %q exists already", id))
		return
	}
	// A number starts disconnected until WhatsApp says it is connected.
	if err := a.engine.PutSession(r.Context(), workflow.Session{ID: id, Label: cmpOr(label, id), Status: workflow.Disconnected}); err != nil {
		a.fail(w, r, err)
		return
	}
	back(w, r, "/numbers", fmt.Sprintf("Number %q added: link it with a QR code or a pair code", id))
}

func (a *app) numberLabel(w http.ResponseWriter, r *http.Request) {
	s, ok := a.number(w, r)
	if !ok {
		return
	}
	s.Label = strings.TrimSpace(r.FormValue("label"))
	if err := a.engine.PutSession(r.Context(), s); err != nil {
		a.fail(w, r, err)
		return
	}
	back(w, r, "/numbers", "Label saved")
}

func (a *app) numberModules(w http.ResponseWriter, r *http.Request) {
	s, ok := a.number(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var off []workflow.Module
	for _, m := range allModules {
		if r.Form.Get(string(m)) == "" {
			off = append(off, m)
		}
	}
	if err := a.engine.SetModules(r.Context(), s.ID, off); err != nil {
		a.fail(w, r, err)
		return
	}
	back(w, r, "/numbers", "Modules of "+s.ID+" saved")
}

// linkable reads a real (not virtual) number for the WhatsApp actions.
func (a *app) linkable(w http.ResponseWriter, r *http.Request) (workflow.Session, bool) {
	if a.wa == nil {
		http.Error(w, errNoWhatsApp.Error(), http.StatusConflict)
		return workflow.Session{}, false
	}
	s, ok := a.number(w, r)
	if ok && s.ID == simSession {
		http.Error(w, "the simulator is a virtual number", http.StatusBadRequest)
		return s, false
	}
	return s, ok
}

func (a *app) numberLinkQR(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	if err := a.links.startQR(a.bg, s.ID); err != nil {
		back(w, r, "/numbers", "Linking "+s.ID+" failed: "+err.Error())
		return
	}
	http.Redirect(w, r, "/numbers/"+s.ID+"/link", http.StatusSeeOther)
}

func (a *app) numberLinkPage(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	a.render(w, r, http.StatusOK, "link", "Link "+s.Label, map[string]any{"Number": s, "PairCode": ""})
}

// numberQR serves the current linking code as a PNG: 404 when there is
// none (linking ended or not started).
func (a *app) numberQR(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	code, _, _ := a.links.state(s.ID)
	if code == "" {
		http.Error(w, "no QR code right now", http.StatusNotFound)
		return
	}
	png, err := wa.QRPNG(code, 320)
	if err != nil {
		a.fail(w, r, errors.New("rendering the QR code failed")) // never log the code
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

// numberLinkStatus tells the link page when to stop refreshing.
func (a *app) numberLinkStatus(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	code, done, known := a.links.state(s.ID)
	writeJSON(w, http.StatusOK, map[string]any{
		"status": s.Status, "connected": s.Status == workflow.Connected,
		"qr": code != "", "ended": done || !known,
	})
}

func (a *app) numberPair(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	phone, err := trigger.NormalizePhone(r.FormValue("phone"))
	if err != nil {
		a.renderError(w, r, http.StatusBadRequest, "link", "Link "+s.Label, map[string]any{"Number": s}, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	a.wa.Stop(s.ID) // a running QR link of the same number gives way
	code, err := a.wa.LinkPhone(context.WithoutCancel(ctx), s.ID, strings.TrimPrefix(phone, "+"), wa.SessionOptions{})
	if err != nil {
		a.renderError(w, r, http.StatusBadGateway, "link", "Link "+s.Label, map[string]any{"Number": s}, err)
		return
	}
	a.render(w, r, http.StatusOK, "link", "Link "+s.Label, map[string]any{"Number": s, "PairCode": code})
}

// numberReconnect restarts a linked number, or shows a new QR code when
// its keys are gone.
func (a *app) numberReconnect(w http.ResponseWriter, r *http.Request) {
	s, ok := a.linkable(w, r)
	if !ok {
		return
	}
	a.wa.Stop(s.ID)
	err := a.wa.Start(a.bg, s.ID, wa.SessionOptions{})
	if errors.Is(err, wa.ErrNotPaired) || errors.Is(err, wa.ErrNoDevice) {
		a.numberLinkQR(w, r)
		return
	}
	if err != nil {
		back(w, r, "/numbers", "Reconnecting "+s.ID+" failed: "+err.Error())
		return
	}
	back(w, r, "/numbers", "Reconnecting "+s.ID+"…")
}

// numberDelete logs the number out, removes its keys and deletes it: its
// workflows become global and its pending scheduled messages fail.
func (a *app) numberDelete(w http.ResponseWriter, r *http.Request) {
	s, ok := a.number(w, r)
	if !ok {
		return
	}
	if s.ID == simSession {
		http.Error(w, "the simulator is a virtual number", http.StatusBadRequest)
		return
	}
	if a.wa != nil {
		if err := a.wa.Delete(r.Context(), s.ID); err != nil && !errors.Is(err, wa.ErrNoDevice) {
			a.log.WarnContext(r.Context(), "whatsapp logout failed", "session", s.ID, "err", err)
		}
		a.releaseLease(s.ID)
	}
	if err := a.engine.DeleteSession(r.Context(), s.ID); err != nil && !errors.Is(err, workflow.ErrConflict) {
		a.fail(w, r, err)
		return
	}
	back(w, r, "/numbers", "Number "+s.ID+" deleted; its workflows now run on all numbers")
}
