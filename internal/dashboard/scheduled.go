package dashboard

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The scheduled messages page: one tab per status, each filtered by a
// period of the shop's time zone; the form schedules a message at a date
// and time of that zone, refuses a time in the past (offering to send now
// instead) and keeps what was typed when it refuses.

// schedulePeriod reads the period filter of a tab of the scheduled
// messages page as a window on their send time, in the shop's zone loc.
// The pending tab looks ahead: "today" is what is due by the end of today,
// "7d" and "30d" what is due within 7 or 30 days (overdue messages
// included); the other tabs look back like the logs: since the start of
// today, of the last 7 or 30 days. "custom" is the days from..to (both
// included) on every tab, and "" or "all" is no window. A custom period
// whose end comes before its start is refused.
func schedulePeriod(tab, period, fromDay, toDay string, now time.Time, loc *time.Location) (_ string, from, to time.Time, err error) {
	if period == "" {
		period = "all"
	}
	period, from, to, err = parsePeriod(period, fromDay, toDay, now, loc)
	if err != nil {
		return period, from, to, err
	}
	if period == "custom" && !from.Before(to) {
		return period, time.Time{}, time.Time{}, invalid("scheduled.err.period_order", toDay, fromDay)
	}
	if tab != "pending" {
		return period, from, to, nil
	}
	now = now.In(loc)
	days := map[string]int{"today": 1, "7d": 7, "30d": 30}[period]
	if days == 0 {
		return period, from, to, nil
	}
	return period, time.Time{}, engine.LocalTime(now.Year(), now.Month(), now.Day()+days, 0, 0, 0, loc), nil
}

// scheduleForm is what was typed in the form of the scheduled messages
// page, shown again when it is refused.
type scheduleForm struct {
	Session, Phone, Date, Time, Text string
	// Past: the time typed is in the past; the page offers to send now.
	Past bool
}

// errPast: the date and time of a scheduled message are in the past.
var errPast = errors.New("scheduled time in the past")

// scheduleAt reads the send time of the form in the shop's zone loc:
// now when sendNow, else the date and time typed, refused (errPast,
// wrapped in a field error) when before the current minute.
func scheduleAt(f scheduleForm, sendNow bool, now time.Time, loc *time.Location) (time.Time, string, error) {
	if sendNow {
		text := strings.TrimSpace(f.Text)
		if text == "" {
			return time.Time{}, "", invalid("sched.err.empty")
		}
		return now, text, nil
	}
	at, text, err := parseSchedule(f.Date, f.Time, f.Text, loc)
	if err != nil {
		return at, text, err
	}
	if at.Before(now.Truncate(time.Minute)) {
		return at, text, errors.Join(errPast, invalid("scheduled.err.past", at.In(loc).Format("2006-01-02 15:04"), loc.String(), now.In(loc).Format("2006-01-02 15:04")))
	}
	return at, text, nil
}

// scheduleTabs are the tabs of the scheduled messages page.
var scheduleTabs = []string{"pending", "sent", "failed", "all"}

func (d *Dashboard) scheduledPage(w http.ResponseWriter, r *http.Request) {
	d.showScheduled(w, r, http.StatusOK, scheduleForm{Date: time.Now().In(d.location()).Format(time.DateOnly)}, nil)
}

// showScheduled renders the page with the form f and the error ferr (nil:
// none); the tab and the period come from the query.
func (d *Dashboard) showScheduled(w http.ResponseWriter, r *http.Request, status int, f scheduleForm, ferr error) {
	q := r.URL.Query()
	tab := q.Get("status")
	if _, ok := scheduleFilters[tab]; !ok {
		tab = "pending"
	}
	sessions, err := d.liveSessions(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	period, from, to, perr := schedulePeriod(tab, q.Get("period"), q.Get("from"), q.Get("to"), time.Now(), d.location())
	data := map[string]any{
		"Status": tab, "Sessions": sessions, "Form": f,
		"Period": period, "From": q.Get("from"), "To": q.Get("to"),
	}
	if perr != nil {
		d.renderError(w, r, http.StatusBadRequest, "scheduled", data, d.formMessage(r, perr))
		return
	}
	list, err := d.store.ListScheduled(r.Context(), workflow.ScheduleQuery{Status: scheduleFilters[tab], From: from, To: to, Limit: 500})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data["Messages"] = list
	d.renderError(w, r, status, "scheduled", data, ferr)
}

// scheduledAdd schedules a message at a date and time of the shop's time
// zone (a time in a DST gap moves forward, a repeated one takes its first
// occurrence), or now with send_now. A bad field is named, what was typed
// is kept, and nothing is scheduled.
func (d *Dashboard) scheduledAdd(w http.ResponseWriter, r *http.Request) {
	f := scheduleForm{Session: r.FormValue("session"), Phone: r.FormValue("phone"), Date: r.FormValue("date"), Time: r.FormValue("time"), Text: r.FormValue("text")}
	loc := d.location()
	at, text, err := scheduleAt(f, r.FormValue("send_now") != "", time.Now(), loc)
	if err != nil {
		f.Past = errors.Is(err, errPast)
		d.showScheduled(w, r, http.StatusBadRequest, f, d.formMessage(r, err))
		return
	}
	to, err := d.phone(r, "sched.to", f.Phone)
	if err != nil {
		d.showScheduled(w, r, http.StatusBadRequest, f, err)
		return
	}
	if s, err := d.store.Session(r.Context(), f.Session); err != nil || s.Status == workflow.SessionDeleted {
		d.showScheduled(w, r, http.StatusBadRequest, f, errors.New(d.t(r, "sched.err.number", f.Session)))
		return
	}
	m, err := d.engine.Schedule(r.Context(), engine.ScheduleRequest{Session: f.Session, Phone: to, Text: text, At: at})
	if err != nil {
		d.showScheduled(w, r, http.StatusUnprocessableEntity, f, errors.New(d.t(r, "sched.err.not_scheduled", err)))
		return
	}
	d.ok(w, r, "/scheduled", "sched.scheduled", m.At.In(loc).Format("2006-01-02 15:04"), loc)
}
