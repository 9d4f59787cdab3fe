package dashboard

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
)

const testPassword = "correct horse battery"

// openUsers opens the dashboard tables in a fresh SQLite file with the
// admin "admin" (password testPassword).
func openUsers(t *testing.T) *Store {
	t.Helper()
	st, err := bunstore.Open(t.Context(), filepath.Join(t.TempDir(), "waauto.db"), bunstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	users, err := OpenStore(t.Context(), st.DB())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.EnsureAdmin(t.Context(), "admin", testPassword); err != nil {
		t.Fatal(err)
	}
	return users
}

func TestLoginThrottledPerUser(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	users := openUsers(t)
	auth, err := newAuthenticator(users, clock)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // from 10 addresses, under the per-IP limit
		if _, err := auth.login(t.Context(), fmt.Sprintf("10.0.0.%d", i), "admin", "nope"); err != ErrBadLogin {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := auth.login(t.Context(), "10.0.1.1", "admin", testPassword); err != ErrThrottled {
		t.Fatalf("11th attempt on one account: %v, want throttled", err)
	}
	now = now.Add(16 * time.Minute)
	if _, err := auth.login(t.Context(), "10.0.1.1", "admin", testPassword); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestPasswordHashIsArgon2idAtOWASPMinimum(t *testing.T) {
	h, err := hashPassword("s3cret password")
	if err != nil {
		t.Fatal(err)
	}
	var mem, iters, par int
	if _, err := fmt.Sscanf(h, "$argon2id$v=19$m=%d,t=%d,p=%d$", &mem, &iters, &par); err != nil {
		t.Fatalf("hash %q: %v", h, err)
	}
	if mem < 19*1024 || iters < 2 || par < 1 {
		t.Fatalf("parameters m=%d t=%d p=%d below the OWASP minimum", mem, iters, par)
	}
	for pw, want := range map[string]bool{"s3cret password": true, "s3cret passwore": false, "": false} {
		if ok, err := checkPassword(h, pw); err != nil || ok != want {
			t.Errorf("check %q: %v %v", pw, ok, err)
		}
	}
	h2, _ := hashPassword("s3cret password")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if _, err := checkPassword("$2a$10$bcrypt", "x"); err != errBadHash {
		t.Fatalf("malformed: %v", err)
	}
}
