package condition_test

import (
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// TestParseLeaf reads back what Describe writes for every kind of leaf,
// and refuses other texts.
func TestParseLeaf(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	nine, six := condition.TimeOfDay(9*60), condition.TimeOfDay(18*60)
	for _, tc := range []struct {
		node condition.Node
		want condition.LeafText
	}{
		{condition.Text{Op: condition.OpContains, Value: "prix"}, condition.LeafText{Kind: "text", Op: "contains", Args: `"prix"`}},
		{condition.Text{Op: condition.OpContainsAny, Values: []string{"a b", "c"}, Word: true, Exact: true}, condition.LeafText{Kind: "text", Op: "contains_any", Args: `["a b", "c"]`, Word: true, Exact: true}},
		{condition.Text{Op: condition.OpEquals, Value: "x (word)"}, condition.LeafText{Kind: "text", Op: "equals", Args: `"x (word)"`}},
		{condition.Text{Op: condition.OpEmpty, IsEmpty: true}, condition.LeafText{Kind: "text", Op: "empty", Args: "true"}},
		{condition.Phone{Op: condition.OpIn, Values: []string{"+33611111111"}}, condition.LeafText{Kind: "phone", Op: "in", Args: `["+33611111111"]`}},
		{condition.Agent{Op: condition.OpAssigned, IsAssigned: false}, condition.LeafText{Kind: "agent", Op: "assigned", Args: "false"}},
		{condition.Agent{Op: condition.OpIsNot, ID: "léa"}, condition.LeafText{Kind: "agent", Op: "is_not", Args: `"léa"`}},
		{condition.MessageType{Op: condition.OpIs, Types: []trigger.MessageType{"image"}}, condition.LeafText{Kind: "message_type", Op: "is", Args: `"image"`}},
		{condition.MessageCount{Op: condition.OpGte, N: 3}, condition.LeafText{Kind: "message_count", Op: "gte", Args: "3"}},
		{condition.SinceLastReply{Op: condition.OpGt, D: time.Hour}, condition.LeafText{Kind: "since_last_reply", Op: "gt", Args: "1h0m0s"}},
		{condition.Labels{Op: condition.OpHasNone, Values: []string{"vip"}}, condition.LeafText{Kind: "labels", Op: "has_none", Args: `["vip"]`}},
		{condition.Length{Op: condition.OpLt, N: 10}, condition.LeafText{Kind: "length", Op: "lt", Args: "10"}},
		{condition.Schedule{Days: []time.Weekday{time.Monday, time.Tuesday}, From: nine, To: six, Location: paris}, condition.LeafText{Kind: "schedule", Args: "mon,tue 09:00-18:00 Europe/Paris"}},
		{condition.Schedule{From: nine, To: six}, condition.LeafText{Kind: "schedule", Args: "09:00-18:00", EveryDay: true}},
		{condition.InHours{Name: "shop"}, condition.LeafText{Kind: "schedule", Op: "hours", Args: `"shop"`}},
		{condition.Raw{Lang: condition.LangCEL, Source: `text.contains("a")`}, condition.LeafText{Kind: "cel", Args: `"text.contains(\"a\")"`}},
	} {
		desc := condition.Describe(tc.node)
		got, ok := condition.ParseLeaf(desc)
		if !ok || got.String() != desc || got.Kind != tc.want.Kind || got.Op != tc.want.Op || got.Args != tc.want.Args ||
			got.Word != tc.want.Word || got.Exact != tc.want.Exact || got.EveryDay != tc.want.EveryDay {
			t.Errorf("ParseLeaf(%q) = %+v, %t; want %+v", desc, got, ok, tc.want)
		}
	}
	for _, s := range []string{"", "text", "text contains", "text has \"x\"", "color is \"red\"", "schedule", "labels has  \"x\"", "Text contains \"x\""} {
		if got, ok := condition.ParseLeaf(s); ok {
			t.Errorf("ParseLeaf(%q) = %+v, true; want false", s, got)
		}
	}
}
