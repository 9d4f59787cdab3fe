package workflow

import (
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
)

// hoursSection decodes the file's `hours:` mapping of named business hours.
func (l *loader) hoursSection(n ast.Node, path string) map[string]condition.Hours {
	fields, ok := l.c.Mapping(n, path)
	if !ok {
		return nil
	}
	out := make(map[string]condition.Hours, len(fields))
	for _, f := range fields {
		out[f.Key] = l.hours1(f)
	}
	return out
}

// hoursKeys are the keys of one named business hours.
var hoursKeys = []string{"timezone", "weekly", "closed"}

func (l *loader) hours1(f yamlpos.Field) condition.Hours {
	var h condition.Hours
	fields, ok := l.c.Mapping(f.Value, f.Path)
	if !ok {
		return h
	}
	l.c.Known(fields, hoursKeys...)
	for _, k := range fields {
		switch k.Key {
		case "timezone":
			h.Location = l.location(k)
		case "weekly":
			h.Weekly = l.weekly(k)
		case "closed":
			h.Closed = l.closed(k)
		}
	}
	return h
}

func (l *loader) weekly(f yamlpos.Field) map[time.Weekday][]condition.Span {
	days, ok := l.c.Mapping(f.Value, f.Path)
	if !ok {
		return nil
	}
	out := map[time.Weekday][]condition.Span{}
	for _, d := range days {
		wd, ok := condition.WeekdayNames[d.Key]
		if !ok {
			l.c.Say(d.KeyNode, d.Path, CodeNotDay, d.Key)
			continue
		}
		periods, _ := l.c.Strings(d.Value, d.Path, true)
		for i, p := range periods {
			s, err := condition.ParseSpan(p)
			if err != nil {
				at := yamlpos.Find(d.Value, yamlpos.Index("", i))
				if at == nil {
					at = d.Value
				}
				l.c.Addf(at, yamlpos.Index(d.Path, i), "%s", err.Error())
				continue
			}
			out[wd] = append(out[wd], s)
		}
	}
	return out
}

func (l *loader) closed(f yamlpos.Field) []string {
	dates, _ := l.c.Strings(f.Value, f.Path, true)
	for i, d := range dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			at := yamlpos.Find(f.Value, yamlpos.Index("", i))
			if at == nil {
				at = f.Value
			}
			l.c.Say(at, yamlpos.Index(f.Path, i), CodeNotDate, d)
		}
	}
	return dates
}
