package engine

import (
	"errors"
	"time"

	"github.com/waauto/waauto/workflow"
)

// Location returns the account's time zone: Config.Location, or the last
// one given to SetLocation.
func (e *Engine) Location() *time.Location { return e.loc.Load() }

// SetLocation makes loc the account's time zone, as a shop changes it in
// its settings: the current workflows are compiled again with it, so a
// schedule condition without its own timezone (an out-of-hours rule)
// follows at once, as do restored workflows and scheduled messages
// entered in the account's zone. It fails, changing nothing, when loc is
// nil or a workflow does not compile with it.
func (e *Engine) SetLocation(loc *time.Location) error {
	if loc == nil {
		return errors.New("engine.SetLocation: nil location")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.loc.Swap(loc)
	cur := e.set.Load()
	ws := make([]workflow.Workflow, 0, len(cur.list))
	for _, c := range byPosition(cur.list) {
		ws = append(ws, c.Workflow)
	}
	set, err := e.compile(ws, cur.hours)
	if err != nil {
		e.loc.Store(old)
		return err
	}
	e.set.Store(set)
	return nil
}

// MeterCredits reports whether AI replies consume credits.
func (e *Engine) MeterCredits() bool { return e.meter.Load() }

// SetMeterCredits turns credit accounting on or off, as a shop changes it
// in its settings; replies already generating keep the setting they
// started with.
func (e *Engine) SetMeterCredits(on bool) { e.meter.Store(on) }
