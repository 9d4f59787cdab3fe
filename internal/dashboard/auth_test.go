package dashboard

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
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

// TestParallelLoginsCountedBeforeHashing: 120 parallel wrong logins from
// one address run argon2 only for the free failures (the attempt is
// counted before the hash), never more than maxHashes at once; the others
// are refused with the wait.
func TestParallelLoginsCountedBeforeHashing(t *testing.T) {
	users := openUsers(t)
	auth, err := newAuthenticator(users, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var running, most, hashes atomic.Int64
	auth.check = func(hash, pw string) (bool, error) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		hashes.Add(1)
		defer running.Add(-1)
		return checkPassword(hash, pw)
	}
	var wg sync.WaitGroup
	var bad, throttled atomic.Int64
	for range 120 {
		wg.Go(func() {
			_, err := auth.login(t.Context(), "203.0.113.9", "admin", "wrong guess")
			var te *ThrottledError
			switch {
			case errors.Is(err, ErrBadLogin):
				bad.Add(1)
			case errors.As(err, &te) && te.Wait > 0 && errors.Is(err, ErrThrottled):
				throttled.Add(1)
			default:
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	free := throttleKeys("203.0.113.9", "admin")[0].free
	if hashes.Load() > int64(free) || bad.Load() != hashes.Load() || throttled.Load() != 120-bad.Load() {
		t.Fatalf("120 parallel logins: %d hashed (want at most %d), %d wrong, %d throttled", hashes.Load(), free, bad.Load(), throttled.Load())
	}
	if most.Load() > maxHashes {
		t.Fatalf("%d hashes ran at once, want at most %d", most.Load(), maxHashes)
	}
}

// TestLoginNoLockoutFromOtherAddresses: failures for the admin from other
// addresses never block the right password from a new address; failures
// at one address grow its wait, shown in the error, and a success there
// clears them.
func TestLoginNoLockoutFromOtherAddresses(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	users := openUsers(t)
	auth, err := newAuthenticator(users, clock)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := auth.login(t.Context(), fmt.Sprintf("10.0.%d.%d", i/10, i), "admin", "nope"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := auth.login(t.Context(), "192.0.2.1", "admin", testPassword); err != nil {
		t.Fatalf("right password from a new address after 50 failures elsewhere: %v", err)
	}
	const addr = "198.51.100.7"
	for range 3 {
		if _, err := auth.login(t.Context(), addr, "admin", "nope"); !errors.Is(err, ErrBadLogin) {
			t.Fatal(err)
		}
	}
	var te *ThrottledError
	if _, err := auth.login(t.Context(), addr, "admin", testPassword); !errors.As(err, &te) || te.Wait != 5*time.Second || err.Error() != "too many failed logins, try again in 5s" {
		t.Fatalf("4th attempt at one address: %v, want a 5 s wait", err)
	}
	now = now.Add(5 * time.Second)
	if _, err := auth.login(t.Context(), addr, "admin", "nope"); !errors.Is(err, ErrBadLogin) {
		t.Fatal(err)
	}
	if _, err := auth.login(t.Context(), addr, "admin", testPassword); !errors.As(err, &te) || te.Wait != 10*time.Second {
		t.Fatalf("after a 4th failure: %v, want a 10 s wait", err)
	}
	now = now.Add(10 * time.Second)
	if _, err := auth.login(t.Context(), addr, "admin", testPassword); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	if _, err := auth.login(t.Context(), addr, "admin", "nope"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("a success clears the count: %v", err)
	}
}

// TestSessionsInStoreSharedAndKept: a session made by one instance is seen
// by another on the same database and after a restart; only its hash is
// stored; ending a user's sessions reaches every instance.
func TestSessionsInStoreSharedAndKept(t *testing.T) {
	users := openUsers(t)
	one, err := newAuthenticator(users, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	token, err := one.login(t.Context(), "127.0.0.1", "admin", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	two, err := newAuthenticator(users, time.Now) // another instance, or after a restart
	if err != nil {
		t.Fatal(err)
	}
	if ls, err := two.sess.get(t.Context(), token); err != nil || ls.User != "admin" || !ls.Admin {
		t.Fatalf("second instance: %+v %v", ls, err)
	}
	n, err := users.db.NewSelect().Model((*sessionRow)(nil)).Where("hash = ?", token).Count(t.Context())
	if err != nil || n != 0 {
		t.Fatalf("the token itself is stored: %d %v", n, err)
	}
	if err := users.EndSessions(t.Context(), "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := one.sess.get(t.Context(), token); !errors.Is(err, errNotLoggedIn) {
		t.Fatalf("after EndSessions: %v", err)
	}
	later := time.Now().Add(13 * time.Hour)
	three, _ := newAuthenticator(users, func() time.Time { return later })
	token, err = one.login(t.Context(), "127.0.0.1", "admin", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := three.sess.get(t.Context(), token); !errors.Is(err, errNotLoggedIn) {
		t.Fatalf("a session 13 h old: %v, want expired", err)
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
