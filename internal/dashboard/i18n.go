package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	msgcatalog "golang.org/x/text/message/catalog"
)

// The dashboard speaks English and French. Every text of the pages, of
// their scripts and of the messages the handlers show is a key of the
// catalogues web/i18n/LANG.json (flat "key": "text" objects, fmt verbs
// for the arguments); i18n_test.go fails when a key is missing in either
// language or when a template or handler uses an unknown key.

// LangCookie keeps the language a user chose with the switch.
const LangCookie = "waauto_lang"

// languages are the interface's languages, the default first.
var languages = []language.Tag{language.English, language.French}

var langMatcher = language.NewMatcher(languages)

// langCode is the catalogue name of tag: "en" or "fr".
func langCode(tag language.Tag) string {
	base, _ := tag.Base()
	return base.String()
}

// catalogues reads web/i18n/LANG.json for every language.
func catalogues() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, tag := range languages {
		code := langCode(tag)
		file := path.Join("web/i18n", code+".json")
		data, err := webFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out[code] = m
	}
	return out, nil
}

// translator formats the catalogues' messages in one language.
type translator struct {
	lang string
	p    *message.Printer
}

// T returns the text of key formatted with args.
func (t translator) T(key string, args ...any) string { return t.p.Sprintf(key, args...) }

// newTranslators builds one translator per language from the catalogues.
func newTranslators() (map[string]translator, error) {
	cats, err := catalogues()
	if err != nil {
		return nil, err
	}
	b := msgcatalog.NewBuilder(msgcatalog.Fallback(language.English))
	for _, tag := range languages {
		for k, v := range cats[langCode(tag)] {
			if err := b.SetString(tag, k, v); err != nil {
				return nil, fmt.Errorf("catalogue %s, key %s: %w", langCode(tag), k, err)
			}
		}
	}
	out := map[string]translator{}
	for _, tag := range languages {
		out[langCode(tag)] = translator{lang: langCode(tag), p: message.NewPrinter(tag, message.Catalog(b))}
	}
	return out, nil
}

// lang is the language of r: the switch's cookie, else the browser's
// Accept-Language, else the shop's language.
func (d *Dashboard) lang(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && d.tr[c.Value].p != nil {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		if tags, _, err := language.ParseAcceptLanguage(al); err == nil && len(tags) > 0 {
			_, i, conf := langMatcher.Match(tags...)
			if conf != language.No {
				return langCode(languages[i])
			}
		}
	}
	return d.settings().Lang
}

// t translates key for the user of r.
func (d *Dashboard) t(r *http.Request, key string, args ...any) string {
	return d.tr[d.lang(r)].T(key, args...)
}

// setLang is the language switch: it keeps the choice in a cookie for a
// year and goes back to the page it came from.
func (d *Dashboard) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.FormValue("lang")
	if !slices.ContainsFunc(languages, func(t language.Tag) bool { return langCode(t) == lang }) {
		http.Error(w, d.t(r, "lang.unknown", lang), http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || d.secureCookie,
	})
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
}

// badForm redirects to path with a form parser's error shown as an error,
// in the user's language.
func (d *Dashboard) badForm(w http.ResponseWriter, r *http.Request, path string, err error) {
	redirectWith(w, r, path, "err", d.formMessage(r, err).Error())
}

// formMessage is a form parser's error in the user's language.
func (d *Dashboard) formMessage(r *http.Request, err error) error {
	var fe formError
	if errors.As(err, &fe) {
		return errors.New(d.t(r, fe.key, fe.args...))
	}
	return err
}
