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
	"sync"
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
	// ErrThrottled: too many failed logins from the address or for the user.
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

// sessions keeps the logged-in browsers in memory, keyed by the SHA-256 of
// their cookie token (a restart logs everyone out).
type sessions struct {
	mu   sync.Mutex
	m    map[string]loginSession
	ttl  time.Duration
	now  func() time.Time
	maxN int
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]loginSession{}, ttl: ttl, now: now, maxN: 10_000}
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// create starts a session and returns its cookie token.
func (s *sessions) create(user string, admin bool) string {
	token := randomToken(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.m) >= s.maxN {
		for k, v := range s.m {
			if now.After(v.Expires) {
				delete(s.m, k)
			}
		}
	}
	s.m[tokenKey(token)] = loginSession{User: user, Admin: admin, Expires: now.Add(s.ttl)}
	return token
}

// get returns the live session of token and extends it.
func (s *sessions) get(token string) (loginSession, bool) {
	if token == "" {
		return loginSession{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tokenKey(token)
	ls, ok := s.m[k]
	now := s.now()
	if !ok || now.After(ls.Expires) {
		delete(s.m, k)
		return loginSession{}, false
	}
	ls.Expires = now.Add(s.ttl)
	s.m[k] = ls
	return ls, true
}

func (s *sessions) end(token string) {
	s.mu.Lock()
	delete(s.m, tokenKey(token))
	s.mu.Unlock()
}

// endUser logs a user out everywhere (after a password change).
func (s *sessions) endUser(user string) {
	s.mu.Lock()
	for k, v := range s.m {
		if v.User == user {
			delete(s.m, k)
		}
	}
	s.mu.Unlock()
}

// throttle counts failed logins in a sliding window per key; Chatwoot's
// limits: 5 per 5 minutes per IP, 10 per 15 minutes per account.
type throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	fails  map[string][]time.Time
	now    func() time.Time
}

func newThrottle(limit int, window time.Duration, now func() time.Time) *throttle {
	return &throttle{limit: limit, window: window, fails: map[string][]time.Time{}, now: now}
}

// blocked reports whether key has used up its failures in the window.
func (t *throttle) blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.prune(key)) >= t.limit
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails[key] = append(t.prune(key), t.now())
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.fails, key)
	t.mu.Unlock()
}

func (t *throttle) prune(key string) []time.Time {
	cut := t.now().Add(-t.window)
	fs := t.fails[key]
	i := 0
	for i < len(fs) && !fs[i].After(cut) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.fails, key)
	}
	return fs
}

// authenticator checks logins against the dashboard's users.
type authenticator struct {
	store  *Store
	byIP   *throttle
	byUser *throttle
	sess   *sessions
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
		byIP:   newThrottle(5, 5*time.Minute, now),
		byUser: newThrottle(10, 15*time.Minute, now),
		sess:   newSessions(12*time.Hour, now),
		dummy:  dummy,
	}, nil
}

// login checks user and password from ip and returns a session token.
func (a *authenticator) login(ctx context.Context, ip, user, password string) (string, error) {
	if a.byIP.blocked(ip) || a.byUser.blocked(user) {
		return "", ErrThrottled
	}
	u, err := a.store.User(ctx, user)
	hash := u.Hash
	switch {
	case errors.Is(err, errNoUser):
		hash = a.dummy
	case err != nil:
		return "", err
	}
	ok, herr := checkPassword(hash, password)
	if herr != nil {
		return "", herr
	}
	if err != nil || !ok {
		a.byIP.fail(ip)
		a.byUser.fail(user)
		return "", ErrBadLogin
	}
	a.byUser.reset(user)
	return a.sess.create(u.Name, u.Admin), nil
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
	return s.SetUser(ctx, name, password, u.Admin || errors.Is(err, errNoUser))
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

// clientIP is the remote address without its port. The dashboard listens
// on loopback by default; behind a proxy every client shares its address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
