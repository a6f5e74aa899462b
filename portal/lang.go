package portal

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"sportello/assets"
	"sportello/fault"
)

// The portal speaks the desk's languages from the desk's translation files
// (assets/translations, go-i18n JSON: the key is the English text), read
// with go-i18n as Fyne's lang reads them, one localizer per language so
// each citizen gets the page in the language they chose.

// languages the portal offers, the default first.
var languages = []language.Tag{language.Italian, language.English}

var bundle = sync.OnceValue(func() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, _ := fs.Glob(assets.Translations, assets.TranslationsDir+"/*.json")
	for _, name := range files {
		if _, err := b.LoadMessageFileFS(assets.Translations, name); err != nil {
			panic("portal: translations " + name + ": " + err.Error())
		}
	}
	return b
})

// tr translates for one language. Missing, when set, hears of a key the
// language lacks (the tests make it fail).
type tr struct {
	Lang string // "it" or "en"
	loc  *i18n.Localizer
}

// missing is called with a key a language lacks; tests set it.
var missing = func(lang, key string) {}

func newTr(lang string) *tr {
	return &tr{Lang: lang, loc: i18n.NewLocalizer(bundle(), lang)}
}

// L is the text of key in the language, with args given as name, value
// pairs: {{.T.L "Hello {{.Name}}" "Name" .Person.Name}}.
func (t *tr) L(key string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		if name, ok := args[i].(string); ok {
			data[name] = args[i+1]
		}
	}
	return t.X(key, data)
}

// X is the text of key with its arguments in a map, as fault errors carry them.
func (t *tr) X(key string, data map[string]any) string {
	msg, tag, err := t.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: data["Count"]})
	if err != nil || tag.String() != t.Lang {
		missing(t.Lang, key)
		if msg == "" {
			return key
		}
	}
	return msg
}

// Error is the text of an error for the citizen: a domain error's message,
// anything else the generic one.
func (t *tr) Error(err error) string {
	if fault.Code(err) == fault.Internal {
		return t.L("Something went wrong on our side: please try again in a few minutes")
	}
	key, args := fault.Message(err)
	return t.X(key, args)
}

// langCookie keeps the citizen's choice of language.
const langCookie = "sportello_lang"

var matcher = language.NewMatcher(languages)

// pickLanguage is the language of a request: the citizen's choice, else
// their browser's, else Italian.
func pickLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "it" || c.Value == "en") {
		return c.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "it"
	}
	base, _ := languages[i].Base()
	return base.String()
}
