package bun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/trigger"
)

// Open a SQLite file (created 0600 and migrated), record a customer
// message, and see its redelivery recognised as a duplicate.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "waauto")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	st, err := bunstore.Open(ctx, filepath.Join(dir, "waauto.db"), bunstore.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	m := trigger.Message{ID: "wamid.1", Session: "shop", Phone: "+33611111111", PushName: "Alice",
		Text: "prix ?", Time: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)}
	first, _ := st.RecordInbound(ctx, m)
	again, _ := st.RecordInbound(ctx, m)
	fmt.Println("new contact:", first.NewContact, "name:", first.Contact.Name, "seq:", first.Seq)
	fmt.Println("redelivery duplicate:", again.Duplicate, "seq:", again.Seq)

	_ = st.SetCredits(ctx, 5)
	left, _ := st.DebitCredits(ctx, 8)
	fmt.Println("credits after debiting 8 of 5:", left)
	// Output:
	// new contact: true name: Alice seq: 1
	// redelivery duplicate: true seq: 1
	// credits after debiting 8 of 5: 0
}

// A file that is not ours is refused, never overwritten.
func ExampleOpen_foreignFile() {
	dir, _ := os.MkdirTemp("", "waauto")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(path, []byte("shopping list\n"), 0o600)

	_, err := bunstore.Open(context.Background(), path, bunstore.Options{})
	fmt.Println(err != nil)
	b, _ := os.ReadFile(path)
	fmt.Printf("%q\n", b)
	// Output:
	// true
	// "shopping list\n"
}
