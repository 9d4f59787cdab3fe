package bun_test

import (
	"fmt"
	"os"
	"testing"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/workflow"
)

// BenchmarkImportContacts imports 50,000 contacts (the dashboard's limit
// for one CSV file) in one transaction, into an empty store and then over
// the same contacts (every row an update).
func BenchmarkImportContacts(b *testing.B) {
	rows := make([]workflow.ContactImport, 50_000)
	for i := range rows {
		rows[i] = workflow.ContactImport{Phone: fmt.Sprintf("+33610%06d", i), Name: fmt.Sprintf("Client %d", i),
			Labels: []string{"vip", "commande"}, Set: workflow.ContactFieldName | workflow.ContactFieldLabels | workflow.ContactFieldExcluded}
	}
	stores := map[string]func(testing.TB) *bunstore.Store{"sqlite": newSQLite}
	if os.Getenv(pgEnv) != "" {
		stores["postgres"] = newPostgres
	}
	for name, open := range stores {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := open(b)
				b.StartTimer()
				if err := s.ImportContacts(b.Context(), rows); err != nil {
					b.Fatal(err)
				}
				if err := s.ImportContacts(b.Context(), rows); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
