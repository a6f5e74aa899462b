package assets

import "embed"

// Translations holds the interface's translations, go-i18n JSON files in the
// translations folder: it.json and en.json, and one pair per area of the desk
// that brings its own (queue.it.json, queue.en.json, ...). Keys are the
// English text passed to lang.L, or a dotted key passed to lang.X for words
// whose Italian depends on context (a person's sex, a role, a code).
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the folder of Translations that holds the files.
const TranslationsDir = "translations"
