package dashboard_test

import (
	"slices"
	"testing"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/internal/dashboard"
)

// TestActiveAgentsStore: the dashboard store answers the engine's
// AgentDirectory from its users and their away marks, on SQLite and
// PostgreSQL: unknown names and away users are left out, order kept;
// marking twice, or clearing an unmarked user, is harmless.
func TestActiveAgentsStore(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *bunstore.Store{"sqlite": buntest.SQLite, "postgres": buntest.Postgres} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			st := open(t)
			ds, err := dashboard.OpenStore(ctx, st.DB())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{"ana", "bob", "cyd"} {
				if err := ds.SetUser(ctx, u, "a long password", false); err != nil {
					t.Fatal(err)
				}
			}
			ask := []string{"cyd", "ghost", "bob", "ana"}
			if got, err := ds.ActiveAgents(ctx, ask); err != nil || !slices.Equal(got, []string{"cyd", "bob", "ana"}) {
				t.Fatalf("all active: %v, %v", got, err)
			}
			for range 2 {
				if err := ds.SetAway(ctx, "bob", true); err != nil {
					t.Fatal(err)
				}
			}
			if err := ds.SetAway(ctx, "cyd", false); err != nil {
				t.Fatal(err)
			}
			if got, err := ds.ActiveAgents(ctx, ask); err != nil || !slices.Equal(got, []string{"cyd", "ana"}) {
				t.Fatalf("bob away: %v, %v", got, err)
			}
			if away, err := ds.Away(ctx); err != nil || len(away) != 1 || !away["bob"] {
				t.Fatalf("Away() = %v, %v", away, err)
			}
			if err := ds.SetAway(ctx, "bob", false); err != nil {
				t.Fatal(err)
			}
			if got, _ := ds.ActiveAgents(ctx, []string{"bob"}); !slices.Equal(got, []string{"bob"}) {
				t.Fatalf("bob back: %v", got)
			}
		})
	}
}
