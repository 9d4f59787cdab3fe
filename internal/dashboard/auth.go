package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id at the OWASP minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Errors of authentication.
var (
	errBadHash = errors.New("malformed password hash")
	// ErrBadLogin: the user does not exist or the password is wrong.
	ErrBadLogin = errors.New("wrong user name or password")
	// ErrThrottled: too many failed logins from the address or for the
	// user there; the error is a *ThrottledError with the wait.
	ErrThrottled   = errors.New("too many failed logins, try again later")
	errNotLoggedIn = errors.New("not logged in")
)

// hashPassword returns the PHC string of password under a fresh salt:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$KEY.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the PHC hash, in
// constant time with respect to the key.
func checkPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// randomToken returns n random bytes, hex encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// randomPassword is a one-time admin password: 20 letters and digits.
func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// loginSession is one logged-in browser.
type loginSession struct {
	User    string
	Admin   bool
	Expires time.Time
}

// SessionCookie names the dashboard's session cookie.
const SessionCookie = "waauto_session"

// sessions keeps the logged-in browsers in the Store, keyed by the SHA-256
// of their cookie token: instances sharing a database share the logins,
// and a restart keeps them.
type sessions struct {
	store *Store
	ttl   time.Duration
	now   func() time.Time
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// create starts a session and returns its cookie token; expired sessions
// and forgotten failure counts are purged on the way.
func (s *sessions) create(ctx context.Context, user string, admin bool) (string, error) {
	token := randomToken(32)
	now := s.now()
	if err := s.store.purgeLogins(ctx, now, now.Add(-forgetFailures)); err != nil {
		return "", fmt.Errorf("purging old sessions: %w", err)
	}
	err := s.store.createSession(ctx, sessionRow{Hash: tokenKey(token), User: user, Admin: admin, Expires: now.Add(s.ttl).UnixNano()})
	if err != nil {
		return "", fmt.Errorf("saving the session: %w", err)
	}
	return token, nil
}

// get returns the live session of token, extending it when a tenth of its
// lifetime has passed (not a write per request).
func (s *sessions) get(ctx context.Context, token string) (loginSession, error) {
	if token == "" {
		return loginSession{}, errNotLoggedIn
	}
	k := tokenKey(token)
	r, err := s.store.session(ctx, k)
	if err != nil {
		return loginSession{}, err
	}
	now := s.now()
	exp := time.Unix(0, r.Expires)
	if now.After(exp) {
		return loginSession{}, errors.Join(errNotLoggedIn, s.store.deleteSession(ctx, k))
	}
	if exp.Sub(now) < s.ttl-s.ttl/10 {
		exp = now.Add(s.ttl)
		if err := s.store.extendSession(ctx, k, exp.UnixNano()); err != nil {
			return loginSession{}, err
		}
	}
	return loginSession{User: r.User, Admin: r.Admin, Expires: exp}, nil
}

func (s *sessions) end(ctx context.Context, token string) error {
	return s.store.deleteSession(ctx, tokenKey(token))
}

// Login throttling: failures are counted per user at an address and per
// address, in the Store (instances share them), before the password is
// checked. Past its free failures a key waits a delay that doubles with
// each failure up to 15 minutes; a success clears the user's count. A user
// is never locked out from another address, and an address failing over
// many user names is slowed down.
const (
	// forgetFailures: a key idle this long starts again from zero.
	forgetFailures = 24 * time.Hour
	// maxHashes bounds the argon2 hashes running at once (19 MiB each).
	maxHashes = 4
)

// throttleKey is one counter with its free failures.
type throttleKey struct {
	key        string
	free       int
	base, most time.Duration
}

// delay is how long the key waits after failures failed logins.
func (k throttleKey) delay(failures int) time.Duration {
	n := failures - k.free
	if n < 0 {
		return 0
	}
	if n > 20 {
		return k.most
	}
	return min(k.base<<n, k.most)
}

// throttleKeys are the counters of a login as user from addr.
func throttleKeys(addr, user string) []throttleKey {
	if len(user) > 100 {
		user = user[:100]
	}
	return []throttleKey{
		{key: "user " + user + " at " + addr, free: 3, base: 5 * time.Second, most: 15 * time.Minute},
		{key: "address " + addr, free: 20, base: 5 * time.Second, most: 15 * time.Minute},
	}
}

// ThrottledError refuses a login for Wait: too many failed logins.
type ThrottledError struct{ Wait time.Duration }

// Error says how long to wait.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins, try again in %s", e.Wait.Round(time.Second))
}

// Is makes a ThrottledError match ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// authenticator checks logins against the dashboard's users.
type authenticator struct {
	store *Store
	sess  *sessions
	now   func() time.Time
	// hashes holds a slot per argon2 hash running.
	hashes chan struct{}
	// check compares a password with a hash (checkPassword).
	check func(hash, password string) (bool, error)
	// dummy is checked against when the user does not exist, so that
	// timing does not reveal user names.
	dummy string
}

func newAuthenticator(st *Store, now func() time.Time) (*authenticator, error) {
	dummy, err := hashPassword(randomPassword())
	if err != nil {
		return nil, err
	}
	return &authenticator{
		store:  st,
		sess:   &sessions{store: st, ttl: 12 * time.Hour, now: now},
		now:    now,
		hashes: make(chan struct{}, maxHashes),
		check:  checkPassword,
		dummy:  dummy,
	}, nil
}

// verify checks user and password from addr: the attempt is counted
// first (a *ThrottledError when a counter is blocked), then at most
// maxHashes hashes run at once; a success takes the attempt back.
func (a *authenticator) verify(ctx context.Context, addr, user, password string) (User, error) {
	keys := throttleKeys(addr, user)
	prev, wait, err := a.store.countAttempt(ctx, a.now(), forgetFailures, keys)
	if err != nil {
		return User{}, fmt.Errorf("counting the login attempt: %w", err)
	}
	if wait > 0 {
		return User{}, &ThrottledError{Wait: wait}
	}
	u, err := a.store.User(ctx, user)
	hash := u.Hash
	switch {
	case errors.Is(err, errNoUser):
		hash = a.dummy
	case err != nil:
		return User{}, err
	}
	select {
	case a.hashes <- struct{}{}:
	case <-ctx.Done():
		return User{}, ctx.Err()
	}
	ok, herr := a.check(hash, password)
	<-a.hashes
	if herr != nil {
		return User{}, herr
	}
	if err != nil || !ok {
		return User{}, ErrBadLogin
	}
	for _, p := range prev {
		if err := a.store.undoAttempt(ctx, p); err != nil {
			return User{}, fmt.Errorf("clearing the login attempt: %w", err)
		}
	}
	return u, nil
}

// login checks user and password from addr and returns a session token.
func (a *authenticator) login(ctx context.Context, addr, user, password string) (string, error) {
	u, err := a.verify(ctx, addr, user, password)
	if err != nil {
		return "", err
	}
	return a.sess.create(ctx, u.Name, u.Admin)
}

// EnsureAdmin creates the first admin when there is no user: with
// password, or with a random one it returns so that it is shown once.
func (s *Store) EnsureAdmin(ctx context.Context, name, password string) (generated string, err error) {
	n, err := s.countUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	if password == "" {
		password = randomPassword()
		generated = password
	}
	return generated, s.SetUser(ctx, name, password, true)
}

// ResetPassword sets the password of user name, keeping its admin right;
// a missing user is created as an admin (the way back in when the admin
// password is lost).
func (s *Store) ResetPassword(ctx context.Context, name, password string) error {
	u, err := s.User(ctx, name)
	if err != nil && !errors.Is(err, errNoUser) {
		return err
	}
	if err := s.SetUser(ctx, name, password, u.Admin || errors.Is(err, errNoUser)); err != nil {
		return err
	}
	return s.EndSessions(ctx, name)
}

// SetUser creates or replaces the user name with password (hashed with
// argon2id) and the admin right.
func (s *Store) SetUser(ctx context.Context, name, password string, admin bool) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.putUser(ctx, User{Name: name, Hash: hash, Admin: admin})
}

// clientAddr is the address logins are throttled by: the rightmost
// address of the trusted proxy header when one is configured and the
// request carries a valid one (the address the proxy saw), otherwise the
// remote address without its port. Without the setting, clients behind a
// proxy all share the proxy's address.
func (d *Dashboard) clientAddr(r *http.Request) string {
	if d.proxyHeader != "" {
		vs := r.Header.Values(d.proxyHeader)
		if len(vs) > 0 {
			parts := strings.Split(vs[len(vs)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
