package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/waauto/waauto/action"
)

// mapDecoder decodes a JSON object strictly, like the workflow loader does.
type mapDecoder string

func (d mapDecoder) Decode(v any) error {
	dec := json.NewDecoder(strings.NewReader(string(d)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func TestRegistry(t *testing.T) {
	reg := action.NewRegistry()
	if got := strings.Join(reg.Names(), ","); got != "ai_reply,assign,label,reply,webhook" {
		t.Fatalf("built-ins = %s", got)
	}
	if err := reg.Register("reply", action.Of[action.Reply]()); !errors.Is(err, action.ErrDuplicate) {
		t.Fatalf("registering reply twice: %v, want ErrDuplicate", err)
	}
	if _, err := reg.Build("notify", mapDecoder(`{}`)); !errors.Is(err, action.ErrUnknownAction) {
		t.Fatalf("unknown action: %v, want ErrUnknownAction", err)
	}
	a, err := reg.Build("reply", mapDecoder(`{"text": "Bonjour {{contact.name}}"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := a.(*action.Reply); !ok || r.Text != "Bonjour {{contact.name}}" || reg.NameOf(a) != "reply" {
		t.Fatalf("built %#v named %q", a, reg.NameOf(a))
	}
	var fe *action.FieldError
	if _, err := reg.Build("reply", mapDecoder(`{"text": "Hi {{contact.age}}"}`)); !errors.As(err, &fe) || fe.Field != "text" || !strings.Contains(fe.Msg, "{{contact.age}}") {
		t.Fatalf("unknown placeholder: %v", err)
	}
	if _, err := reg.Build("assign", mapDecoder(`{"agents": ["a", "b"]}`)); !errors.As(err, &fe) || fe.Field != "strategy" {
		t.Fatalf("agents without a strategy: %v", err)
	}
	if _, err := reg.Build("webhook", mapDecoder(`{"url": "ftp://x"}`)); !errors.As(err, &fe) || fe.Field != "url" {
		t.Fatalf("bad webhook url: %v", err)
	}
}

func TestStringsAcceptsOneOrMany(t *testing.T) {
	var l struct{ Add action.Strings }
	for src, want := range map[string]string{`{"Add": "vip"}`: "vip", `{"Add": ["a", "b"]}`: "a,b"} {
		if err := json.Unmarshal([]byte(src), &l); err != nil || strings.Join(l.Add, ",") != want {
			t.Fatalf("%s → %v, %v; want %s", src, l.Add, err, want)
		}
	}
	if err := json.Unmarshal([]byte(`{"Add": 3}`), &l); err == nil {
		t.Fatal("a number was accepted as labels")
	}
}

func TestChainOrder(t *testing.T) {
	var trail []string
	mw := func(name string) action.Middleware {
		return func(next action.Action) action.Action {
			return action.Func(func(ctx context.Context, c *action.Call) error {
				trail = append(trail, name+">")
				err := next.Run(ctx, c)
				trail = append(trail, "<"+name)
				return err
			})
		}
	}
	core := action.Func(func(context.Context, *action.Call) error { trail = append(trail, "run"); return nil })
	if err := action.Chain(core, mw("a"), mw("b")).Run(context.Background(), &action.Call{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(trail, " "); got != "a> b> run <b <a" {
		t.Fatalf("trail = %s", got)
	}
}

func TestExpandPlaceholders(t *testing.T) {
	c := &action.Call{Contact: action.Contact{Name: "Léa", Phone: "+33611111111"}, SessionLabel: "Boutique"}
	got := action.Expand("{{ contact.name }} ({{contact.phone}}) → {{session.label}}, agent [{{agent}}]", c)
	if got != "Léa (+33611111111) → Boutique, agent []" {
		t.Fatalf("Expand = %q", got)
	}
}
