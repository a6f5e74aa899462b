package desk

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sportello/assets"
)

// DefaultLanguage is the interface's language unless the configuration asks
// for another.
const DefaultLanguage = "it"

// Languages are the languages the interface is translated into.
var Languages = []string{"it", "en"}

// SetupLanguage loads the translations and makes language ("it" or "en"; ""
// means DefaultLanguage) the interface's language, whatever the system
// locale. Call it before New, and let nothing else add translations after it.
//
// Fyne 2.8 has no call to choose the language (fyne-io/fyne#5333): every
// lang.AddTranslations* call re-runs its private updateLocalizer, which asks
// jeandeaual/go-locale for the user's locales and picks the closest one we
// have translations for, English when none is close (a C or English system).
// On Linux and the BSDs go-locale reads LC_ALL, LC_MESSAGES, LANG and
// LANGUAGE, so SetupLanguage sets LC_ALL and LANGUAGE to the language only
// while it adds the translations, and puts them back as they were at once.
// Nothing else reads them meanwhile (it runs before the window exists), so the
// rest of the program, the C libraries and the child processes still see the
// system locale, and Fyne's own widgets (calendar, text shaping) still follow
// lang.SystemLocale. On Windows and macOS go-locale asks the system instead:
// there the system language decides, and SetupLanguage logs that the language
// asked for could not be applied.
func SetupLanguage(language string) error {
	if language == "" {
		language = DefaultLanguage
	}
	known := false
	for _, l := range Languages {
		known = known || l == language
	}
	if !known {
		return fmt.Errorf("language %q: the interface is translated into %v only", language, Languages)
	}
	restore := pinLocale(language)
	err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir)
	restore()
	if err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	if got := lang.X("language.code", "en"); got != language {
		fyne.LogError("Interface language", fmt.Errorf("asked for %q, the system locale gave %q", language, got))
	}
	return nil
}

// localeVars are the environment variables pinLocale sets: LC_ALL outranks
// LC_MESSAGES and LANG, and LANGUAGE outranks LC_ALL unless that is C.
var localeVars = []string{"LC_ALL", "LANGUAGE"}

// pinLocale sets the locale variables to language and returns the function
// that restores them, unset ones included.
func pinLocale(language string) (restore func()) {
	type saved struct {
		value string
		set   bool
	}
	old := make(map[string]saved, len(localeVars))
	for _, k := range localeVars {
		v, ok := os.LookupEnv(k)
		old[k] = saved{v, ok}
		_ = os.Setenv(k, language)
	}
	return func() {
		for k, s := range old {
			if s.set {
				_ = os.Setenv(k, s.value)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}
