package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/pprof"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ctxKey keys the logged-in session in a request's context.
type ctxKey struct{}

func userOf(r *http.Request) loginSession {
	ls, _ := r.Context().Value(ctxKey{}).(loginSession)
	return ls
}

// routes is the dashboard: every page needs a login, pairing needs an
// admin, and every state-changing request must come from the same origin.
func (d *Dashboard) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(staticFS())))
	mux.HandleFunc("GET /login", d.loginPage)
	mux.HandleFunc("POST /login", d.loginPost)
	mux.HandleFunc("POST /lang", d.setLang)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })

	user := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, d.authed(false, h)) }
	admin := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, d.authed(true, h)) }

	if d.metrics != nil {
		mux.Handle("GET /metrics", d.operator(d.metrics))
		mux.Handle("GET /debug/pprof/", d.operator(http.HandlerFunc(pprof.Index)))
		mux.Handle("GET /debug/pprof/cmdline", d.operator(http.HandlerFunc(pprof.Cmdline)))
		mux.Handle("GET /debug/pprof/profile", d.operator(http.HandlerFunc(pprof.Profile)))
		mux.Handle("GET /debug/pprof/symbol", d.operator(http.HandlerFunc(pprof.Symbol)))
		mux.Handle("GET /debug/pprof/trace", d.operator(http.HandlerFunc(pprof.Trace)))
	}

	user("POST /logout", d.logout)
	user("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/numbers", http.StatusSeeOther) })

	user("GET /numbers", d.numbersPage)
	user("POST /numbers", d.numberAdd)
	admin("POST /numbers/connect", d.numberConnect)
	user("POST /numbers/{id}/label", d.numberLabel)
	user("POST /numbers/{id}/modules", d.numberModules)
	admin("POST /numbers/{id}/link", d.numberLinkQR)
	admin("GET /numbers/{id}/link", d.numberLinkPage)
	admin("GET /numbers/{id}/qr.png", d.numberQR)
	admin("GET /numbers/{id}/link/status", d.numberLinkStatus)
	admin("POST /numbers/{id}/pair", d.numberPair)
	admin("POST /numbers/{id}/reconnect", d.numberReconnect)
	admin("POST /numbers/{id}/delete", d.numberDelete)

	user("GET /workflows", d.workflowsPage)
	user("POST /workflows/bulk", d.workflowsBulk)
	user("GET /workflows/edit", d.editorPage)
	user("POST /workflows/edit", d.editorPost)
	d.builderRoutes(user)

	user("GET /conversations", d.conversationsPage)
	user("GET /conversations/{id}/{phone}", d.conversationPage)
	user("POST /conversations/{id}/{phone}/assign", d.conversationAssign)
	user("POST /conversations/{id}/{phone}/labels", d.conversationLabels)
	user("POST /conversations/{id}/{phone}/exclude", d.conversationExclude)
	user("POST /conversations/{id}/{phone}/reply", d.conversationReply)

	d.contactRoutes(user, admin)

	user("GET /exclusions", d.exclusionsPage)
	user("POST /exclusions", d.exclusionsPost)

	user("GET /scheduled", d.scheduledPage)
	user("POST /scheduled", d.scheduledAdd)
	user("POST /scheduled/{id}/cancel", d.scheduledCancel)

	user("GET /logs", d.logsPage)

	user("GET /ai", d.aiPage)
	admin("POST /ai/credits", d.aiCredits)
	admin("POST /ai/prompt", d.aiPrompt)

	user("GET /settings", d.settingsPage)
	user("POST /settings/password", d.settingsPassword)
	admin("POST /settings/users", d.settingsAddUser)
	admin("GET /settings/users/{name}/delete", d.userDeletePage)
	admin("POST /settings/users/{name}/delete", d.userDelete)
	user("POST /settings/users/{name}/away", d.userAway)
	user("GET /settings/shop", d.shopPage)
	admin("POST /settings/shop", d.shopPost)

	user("GET /docs/{name}", d.docPage)

	user("GET /simulator", d.simulatorPage)
	user("POST /simulator/send", d.simulatorSend)
	user("GET /simulator/messages", d.simulatorMessages)

	return securityHeaders(http.NewCrossOriginProtection().Handler(d.readForms(mux)))
}

// MaxBody is the largest request body the dashboard reads: the editor's
// workflow file (at most 1 MiB) URL-encoded grows up to three times.
const MaxBody = 4 << 20

// readForms bounds every request body to MaxBody and parses the form of
// every POST before its handler runs, so that a body too large or
// malformed is refused with an error instead of read as empty fields
// (an editor save whose text vanished would delete every workflow).
func (d *Dashboard) readForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				d.formError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// formError refuses a request whose form could not be read: 413 when the
// body is over MaxBody, 400 otherwise; nothing was changed.
func (d *Dashboard) formError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusBadRequest, d.t(r, "form.err.unreadable", err)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		status, msg = http.StatusRequestEntityTooLarge, d.t(r, "form.err.too_large", MaxBody>>20)
	}
	d.refuse(w, r, status, msg)
}

// refuse answers a refused request with msg: JSON for the pages' scripts,
// otherwise a page with the message styled as an error.
func (d *Dashboard) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	d.renderError(w, r, status, "error", nil, errors.New(msg))
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// authed lets logged-in users (admins only when admin) through: pages
// redirect to the login, other requests get 401; a non-admin gets 403.
func (d *Dashboard) authed(admin bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ls loginSession
		err := errNotLoggedIn
		if c, _ := r.Cookie(SessionCookie); c != nil {
			ls, err = d.auth.sess.get(r.Context(), c.Value)
		}
		if err != nil && !errors.Is(err, errNotLoggedIn) {
			d.fail(w, r, err)
			return
		}
		if err != nil {
			if r.Method == http.MethodGet && !wantsJSON(r) && !strings.HasSuffix(r.URL.Path, ".png") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, d.t(r, "auth.err.not_logged_in"), http.StatusUnauthorized)
			return
		}
		if admin && !ls.Admin {
			http.Error(w, d.t(r, "auth.err.admins_only"), http.StatusForbidden)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ls)))
	})
}

// operator lets admins through to h: a logged-in admin, or a scraper
// giving an admin's name and password as HTTP basic credentials (checked
// and throttled like a login).
func (d *Dashboard) operator(h http.Handler) http.Handler {
	session := d.authed(true, h.ServeHTTP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, password, ok := r.BasicAuth()
		if !ok {
			session.ServeHTTP(w, r)
			return
		}
		u, err := d.auth.verify(r.Context(), d.clientAddr(r), name, password)
		var throttled *ThrottledError
		switch {
		case errors.As(err, &throttled):
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		case errors.Is(err, ErrBadLogin):
			w.Header().Set("WWW-Authenticate", `Basic realm="waauto"`)
			http.Error(w, err.Error(), http.StatusUnauthorized)
		case err != nil:
			d.fail(w, r, err)
		case !u.Admin:
			http.Error(w, "admins only", http.StatusForbidden)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") || r.URL.Path == "/simulator/messages" ||
		strings.HasSuffix(r.URL.Path, "/status")
}

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusOK, "login", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps only clean local paths as the post-login target: one
// leading slash, no scheme or host, and no space, control character or
// backslash, written or percent-encoded (browsers drop a tab in
// "/\t/evil.com" and go to evil.com); anything else goes to /numbers.
func safeNext(next string) string {
	const home = "/numbers"
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(u.Path, "//") {
		return home
	}
	if strings.ContainsFunc(next+u.Path, func(c rune) bool { return c <= ' ' || c == 0x7f || c == '\\' }) {
		return home
	}
	return next
}

func (d *Dashboard) loginPost(w http.ResponseWriter, r *http.Request) {
	user, pass := strings.TrimSpace(r.FormValue("user")), r.FormValue("password")
	next := safeNext(r.FormValue("next"))
	addr := d.clientAddr(r)
	token, err := d.auth.login(r.Context(), addr, user, pass)
	var te *ThrottledError
	switch {
	case errors.As(err, &te):
		d.log.WarnContext(r.Context(), "login throttled", "ip", addr, "user", user, "wait", te.Wait)
		w.Header().Set("Retry-After", strconv.Itoa(int(te.Wait.Seconds()+0.999)))
		d.renderError(w, r, http.StatusTooManyRequests, "login", map[string]string{"Next": next}, errors.New(d.t(r, "login.err.throttled", te.Wait.Round(time.Second))))
		return
	case errors.Is(err, ErrBadLogin):
		d.renderError(w, r, http.StatusUnauthorized, "login", map[string]string{"Next": next}, errors.New(d.t(r, "login.err.bad")))
		return
	case err != nil:
		d.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || d.secureCookie,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := d.auth.sess.end(r.Context(), c.Value); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// fail answers an unexpected error without its details.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	d.log.ErrorContext(r.Context(), "dashboard request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, d.t(r, "err.internal"), http.StatusInternalServerError)
}

// backError redirects to path with an error shown once on the page,
// styled as an error.
func backError(w http.ResponseWriter, r *http.Request, path, msg string) {
	http.Redirect(w, r, path+"?err="+url.QueryEscape(msg), http.StatusSeeOther)
}

// back redirects to path with a message shown once on the page.
func back(w http.ResponseWriter, r *http.Request, path, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "msg=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// ok redirects to path with the message key (formatted with args) shown
// once on the page as a success.
func (d *Dashboard) ok(w http.ResponseWriter, r *http.Request, path, key string, args ...any) {
	redirectWith(w, r, path, "msg", d.t(r, key, args...))
}

// bad redirects to path with the message key (formatted with args) shown
// once on the page as an error.
func (d *Dashboard) bad(w http.ResponseWriter, r *http.Request, path, key string, args ...any) {
	redirectWith(w, r, path, "err", d.t(r, key, args...))
}

func redirectWith(w http.ResponseWriter, r *http.Request, path, param, text string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+param+"="+url.QueryEscape(text), http.StatusSeeOther)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
