package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/workflow"
)

// "Connect WhatsApp" creates a number from its label alone (its id derived
// from the label) and starts linking it at once; every failure of linking
// is said in plain words.

// numberID derives a free number id from label: its slug, cut to fit,
// with -2, -3... when taken (deleted numbers keep their id).
func (d *Dashboard) numberID(ctx context.Context, label string) (string, error) {
	base := strings.Trim(workflow.Slug(label), "-")
	if len(base) > 36 {
		base = strings.TrimRight(base[:36], "-")
	}
	if base == "" || base == SimulatorSession {
		base = "whatsapp"
	}
	for i := 1; ; i++ {
		id := base
		if i > 1 {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := d.store.Session(ctx, id)
		if errors.Is(err, workflow.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// numberConnect creates a number named label and starts linking it by QR
// code; the browser goes to the link page.
func (d *Dashboard) numberConnect(w http.ResponseWriter, r *http.Request) {
	label := strings.TrimSpace(r.FormValue("label"))
	switch {
	case d.wa == nil:
		d.bad(w, r, "/numbers", "numbers.err.no_whatsapp")
		return
	case label == "":
		d.bad(w, r, "/numbers", "connect.err.label")
		return
	case len(label) > 80:
		d.bad(w, r, "/numbers", "connect.err.label_long")
		return
	}
	id, err := d.numberID(r.Context(), label)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if err := d.engine.PutSession(r.Context(), workflow.Session{ID: id, Label: label, Status: workflow.SessionDisconnected}); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "number created", "session", id, "by", userOf(r).User)
	if err := d.links.startQR(d.bg, id); err != nil {
		redirectWith(w, r, "/numbers", "err", d.linkFailure(r, id, err))
		return
	}
	http.Redirect(w, r, "/numbers/"+id+"/link", http.StatusSeeOther)
}

// linkFailure says in plain words why linking number id failed; the
// technical error goes to the log.
func (d *Dashboard) linkFailure(r *http.Request, id string, err error) string {
	d.log.WarnContext(r.Context(), "linking failed", "session", id, "err", wa.Redact(err.Error()))
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, context.DeadlineExceeded):
		return d.t(r, "connect.err.unreachable")
	case errors.Is(err, wa.ErrSessionExists):
		return d.t(r, "connect.err.running", id)
	case errors.Is(err, wa.ErrPairing):
		return d.t(r, "connect.err.refused")
	}
	return d.t(r, "connect.err.other", id)
}
