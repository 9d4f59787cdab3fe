package dashboard

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The AI page shows the credits used: a chart of the AI replies of the
// last days by number, drawn as SVG on the server, and the last replies
// with their cost. Both come from the execution log, where each AI reply
// sent is an execution whose ai_reply action says its model and tokens in
// its detail (words for people) and its cost in the structured Credits
// field (0 when not metered).

// usageDays is how many days the chart shows, today included.
const usageDays = 14

// aiSent is the reason of an AI reply sent in the execution log.
const aiSent = string(engine.ReasonAISent)

// aiReplyRow is one AI reply of the AI page.
type aiReplyRow struct {
	workflow.Execution
	Detail  string
	Credits int64 // 0: not metered
}

// aiUsage is what the AI page shows of the AI replies.
type aiUsage struct {
	Chart   template.HTML
	Last    []aiReplyRow
	Replies int
	Credits int64
}

// aiUsage reads the AI replies of the last usageDays days (up to 5000).
func (d *Dashboard) aiUsage(ctx context.Context, tr translator) (aiUsage, error) {
	loc := d.location()
	now := time.Now().In(loc)
	first := engine.LocalTime(now.Year(), now.Month(), now.Day()-(usageDays-1), 0, 0, 0, loc)
	var u aiUsage
	perDay := map[string]map[string]int{} // day → number → replies
	var numbers []string
	q := workflow.LogQuery{From: first, Reason: aiSent, Limit: workflow.MaxLogLimit}
	for range 5 {
		page, err := d.store.QueryLogs(ctx, q)
		if err != nil {
			return u, err
		}
		for _, e := range page.Entries {
			row := aiReplyRow{Execution: e}
			if len(e.Actions) > 0 {
				row.Detail, row.Credits = e.Actions[0].Detail, e.Actions[0].Credits
			}
			if len(u.Last) < 20 {
				u.Last = append(u.Last, row)
			}
			u.Replies++
			u.Credits += row.Credits
			day := e.Time.In(loc).Format(time.DateOnly)
			if perDay[day] == nil {
				perDay[day] = map[string]int{}
			}
			perDay[day][e.Session]++
			if !slices.Contains(numbers, e.Session) {
				numbers = append(numbers, e.Session)
			}
		}
		if q.After = page.Next; q.After == "" {
			break
		}
	}
	slices.Sort(numbers)
	days := make([]time.Time, usageDays)
	for i := range days {
		days[i] = engine.LocalTime(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, loc)
	}
	u.Chart = usageSVG(days, numbers, perDay, tr)
	return u, nil
}

// chartColors tell the numbers apart in the chart.
var chartColors = []string{"#128c7e", "#d69e2e", "#3182ce", "#c53030", "#805ad5", "#38a169", "#dd6b20", "#718096"}

// usageSVG draws the replies per day as bars stacked by number, with a
// legend; every text is escaped.
func usageSVG(days []time.Time, numbers []string, perDay map[string]map[string]int, tr translator) template.HTML {
	const w, h, left, top, bottom = 720, 240, 36, 12, 60
	peak := 1
	for _, byNumber := range perDay {
		total := 0
		for _, n := range byNumber {
			total += n
		}
		peak = max(peak, total)
	}
	step := float64(w-left) / float64(len(days))
	scale := float64(h-top-bottom) / float64(peak)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="usage-title" id="usage-chart">`, w, h)
	fmt.Fprintf(&b, `<title id="usage-title">%s</title>`, html.EscapeString(tr.T("ai.usage.title", len(days))))
	base := h - bottom
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#cbd5e0"/>`, left, base, w, base)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#718096">%d</text>`, left-6, top+10, peak)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#718096">0</text>`, left-6, base)
	for i, day := range days {
		key := day.Format(time.DateOnly)
		x := float64(left) + float64(i)*step + step*0.15
		y := float64(base)
		for j, n := range numbers {
			c := perDay[key][n]
			if c == 0 {
				continue
			}
			bh := float64(c) * scale
			y -= bh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				x, y, step*0.7, bh, chartColors[j%len(chartColors)], html.EscapeString(tr.T("ai.usage.bar", n, key, c)))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#4a5568">%s</text>`, x+step*0.35, base+14, day.Format("02/01"))
	}
	for j, n := range numbers {
		x := left + j*120
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="11" fill="#1a202c">%s</text>`,
			x, h-22, chartColors[j%len(chartColors)], x+14, h-13, html.EscapeString(n))
	}
	if len(numbers) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" text-anchor="middle" fill="#718096">%s</text>`, (w+left)/2, (top+base)/2, html.EscapeString(tr.T("ai.usage.none")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: built above, every text escaped
}
