package action

import (
	"fmt"
	"regexp"
	"strings"
)

// Placeholders lists what reply texts and AI prompts may contain.
var Placeholders = []string{"contact.name", "contact.phone", "session.label", "agent"}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// CheckPlaceholders returns an error naming the first unknown {{placeholder}} in s.
func CheckPlaceholders(s string) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		known := false
		for _, p := range Placeholders {
			known = known || m[1] == p
		}
		if !known {
			return fmt.Errorf("unknown placeholder %q (want one of {{%s}})", m[0], strings.Join(Placeholders, "}}, {{"))
		}
	}
	return nil
}

// Expand replaces the placeholders of s with the values of c. A missing
// contact name expands to "".
func Expand(s string, c *Call) string {
	agent := ""
	if c.Facts != nil {
		agent = c.Facts.Agent
	}
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		switch strings.TrimSpace(m[2 : len(m)-2]) {
		case "contact.name":
			return c.Contact.Name
		case "contact.phone":
			return c.Contact.Phone
		case "session.label":
			return c.SessionLabel
		case "agent":
			return agent
		}
		return m
	})
}
